// Throws and catches C++ exceptions across functions, with destructors running during
// unwinding, a class hierarchy matched by base class, rethrow, and a non-class exception.
#include <cstdio>
#include <string>
#include <vector>

struct ParseError {
    std::string message;
    explicit ParseError(std::string m) : message(std::move(m)) {}
    virtual ~ParseError() = default;
    virtual const char *kind() const { return "parse error"; }
};
struct RangeError : ParseError {
    using ParseError::ParseError;
    const char *kind() const override { return "range error"; }
};

struct Resource {
    std::string name;
    explicit Resource(std::string n) : name(std::move(n)) { std::printf("acquire %s\n", name.c_str()); }
    ~Resource() { std::printf("release %s\n", name.c_str()); }
};

static int parse(const std::string &text) {
    Resource r("parser " + text);
    if (text.empty()) throw ParseError("empty input");
    int value = 0;
    for (char c : text) {
        if (c == '-') throw RangeError("negative: " + text);
        if (c < '0' || c > '9') throw ParseError("not a digit in " + text);
        value = value * 10 + (c - '0');
    }
    return value;
}

static int sum(const std::vector<std::string> &items) {
    Resource r("summer");
    int total = 0;
    for (const auto &item : items) total += parse(item);
    return total;
}

static int checked_sum(const std::vector<std::string> &items) {
    try {
        return sum(items);
    } catch (const RangeError &) {
        std::printf("checked_sum saw a range error, rethrowing\n");
        throw;
    }
}

int main() {
    const std::vector<std::vector<std::string>> inputs = {{"1", "2", "3"}, {"4", ""}, {"5", "-6"}, {"x"}};
    for (const auto &items : inputs) {
        try {
            std::printf("sum = %d\n", checked_sum(items));
        } catch (const ParseError &e) {
            std::printf("%s: %s\n", e.kind(), e.message.c_str());
        }
    }
    try {
        throw 42;
    } catch (int code) {
        std::printf("caught int %d\n", code);
    }
    return 7;
}
