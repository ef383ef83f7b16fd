/*
 * minmax.c: `fminimum`, `fmaximum` and their f32 forms (wasm's f32/f64.min and max) for C
 * libraries without them. LLVM lowers `llvm.minimum`/`llvm.maximum` to these calls on CPUs
 * without a matching instruction (loongarch64), and zig's musl does not define them. Weak, so
 * a libc that has them wins. The IEEE 754-2019 semantics wasm wants: a NaN operand gives a
 * NaN (quieted by the addition), and -0 is below +0.
 */
#include <math.h>

#define MINMAX(name, type, is_min)                                        \
  __attribute__((weak)) type name(type x, type y) {                       \
    if (isnan(x) || isnan(y)) return x + y;                               \
    if (x == y) return (signbit(x) != 0) == (is_min) ? x : y;             \
    return (x < y) == (is_min) ? x : y;                                   \
  }

MINMAX(fminimum, double, 1)
MINMAX(fmaximum, double, 0)
MINMAX(fminimumf, float, 1)
MINMAX(fmaximumf, float, 0)
