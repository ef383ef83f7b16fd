#!/usr/bin/env python3
"""Run a WASI preview1 command module under the reference runtime (wasmtime's Python bindings).

The programs integration test (cli/tests/programs.rs) runs every program twice: as the
executable wasm2exe built, and through this script. Both must print the same bytes and exit
with the same code, so this script mirrors the executable's command line and conventions:

    wasmtime_run.py MODULE.wasm [--dir HOST[::GUEST]]... [--env K=V]... -- ARG0 ARGS...

- stdin, stdout and stderr are the script's own (inherited), so the caller captures them
  exactly as it does for the native executable.
- The exit code is the program's: proc_exit(n) gives n, returning from _start gives 0, and
  a trap gives 134 (what wasmtime's CLI and wasm2exe's executables use).
- Compiled modules are cached by wasmtime's own cache (Config.cache), so a rerun does not
  recompile a multi-megabyte module.
"""

import sys

import wasmtime

TRAP_EXIT_CODE = 134


def parse(argv):
    module, rest = argv[0], argv[1:]
    dirs, env = [], []
    while rest and rest[0] != "--":
        flag, value, rest = rest[0], rest[1], rest[2:]
        if flag == "--dir":
            host, _, guest = value.partition("::")
            dirs.append((host, guest or host))
        elif flag == "--env":
            key, _, val = value.partition("=")
            env.append((key, val))
        else:
            sys.exit(f"wasmtime_run.py: unknown option {flag}")
    return module, dirs, env, rest[1:]


def main():
    module_path, dirs, env, program_args = parse(sys.argv[1:])
    config = wasmtime.Config()
    try:
        config.cache = True
    except wasmtime.WasmtimeError:
        pass  # no cache directory available: compile every time
    engine = wasmtime.Engine(config)
    module = wasmtime.Module.from_file(engine, module_path)

    wasi = wasmtime.WasiConfig()
    wasi.argv = program_args
    wasi.env = env
    for host, guest in dirs:
        wasi.preopen_dir(host, guest)
    wasi.inherit_stdin()
    wasi.inherit_stdout()
    wasi.inherit_stderr()

    store = wasmtime.Store(engine)
    store.set_wasi(wasi)
    linker = wasmtime.Linker(engine)
    linker.define_wasi()
    instance = linker.instantiate(store, module)
    start = instance.exports(store)["_start"]
    try:
        start(store)
    except wasmtime.ExitTrap as exit_trap:
        sys.stdout.flush()
        sys.exit(exit_trap.code)
    except wasmtime.Trap as trap:
        print(f"wasm trap: {trap.message}", file=sys.stderr)
        sys.exit(TRAP_EXIT_CODE)
    sys.exit(0)


if __name__ == "__main__":
    main()
