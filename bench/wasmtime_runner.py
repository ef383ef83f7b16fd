#!/usr/bin/env python3
"""Run a precompiled WASI command module under wasmtime (Python bindings) and time it.

    wasmtime_runner.py MODULE.cwasm TIME_FILE [--dir HOST[::GUEST]]... -- ARG0 ARGS...

The module must have been made by `Engine.precompile_module` with a default `Config` (see
`run.py`), so nothing is compiled here. stdin, stdout and stderr are inherited. The times
written to TIME_FILE (wall and CPU seconds: perf_counter, process_time) cover instantiation and the `_start` call only:
Python's start-up, `import wasmtime`, and `Module.deserialize_file` are excluded. The exit
code is the program's (proc_exit) or 134 for a trap.
"""

import sys
import time

import wasmtime


def main():
    module_path, time_file, rest = sys.argv[1], sys.argv[2], sys.argv[3:]
    dirs = []
    while rest and rest[0] != "--":
        flag, value, rest = rest[0], rest[1], rest[2:]
        if flag != "--dir":
            sys.exit(f"wasmtime_runner.py: unknown option {flag}")
        host, _, guest = value.partition("::")
        dirs.append((host, guest or host))
    argv = rest[1:]

    engine = wasmtime.Engine(wasmtime.Config())
    module = wasmtime.Module.deserialize_file(engine, module_path)
    wasi = wasmtime.WasiConfig()
    wasi.argv = argv
    for host, guest in dirs:
        wasi.preopen_dir(host, guest)
    wasi.inherit_stdin()
    wasi.inherit_stdout()
    wasi.inherit_stderr()
    linker = wasmtime.Linker(engine)
    linker.define_wasi()

    code = 0
    start, start_cpu = time.perf_counter(), time.process_time()
    store = wasmtime.Store(engine)
    store.set_wasi(wasi)
    instance = linker.instantiate(store, module)
    try:
        instance.exports(store)["_start"](store)
    except wasmtime.ExitTrap as exit_trap:
        code = exit_trap.code
    except wasmtime.Trap as trap:
        print(f"wasm trap: {trap.message}", file=sys.stderr)
        code = 134
    elapsed, cpu = time.perf_counter() - start, time.process_time() - start_cpu
    with open(time_file, "w") as f:
        f.write(f"{elapsed:.6f} {cpu:.6f}\n")
    sys.stdout.flush()
    sys.exit(code)


if __name__ == "__main__":
    main()
