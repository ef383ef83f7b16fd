#!/usr/bin/env python3
"""Run a WASI preview1 command module under the reference runtime (wasmtime's Python bindings).

The programs integration test (cli/tests/programs.rs) runs every program twice: as the
executable wasm2exe built, and through this script. Both must print the same bytes and exit
with the same code, so this script mirrors the executable's command line and conventions:

    wasmtime_run.py MODULE.wasm [--dir HOST[::GUEST]]... [--env K=V]...
                    [--entry NAME] [--stub-imports trap|zero] -- ARG0 ARGS...

- stdin, stdout and stderr are the script's own (inherited), so the caller captures them
  exactly as it does for the native executable.
- The exit code is the program's: proc_exit(n) gives n, returning from _start gives 0, and
  a trap gives 134 (what wasmtime's CLI and wasm2exe's executables use).
- `--entry` and `--stub-imports` mean what they mean to wasm2exe: run `_initialize` (when
  exported) and then NAME, whose i32 result is the exit code; imports from outside WASI
  trap when called, or return zeros.
- Compiled modules are cached by wasmtime's own cache (Config.cache), so a rerun does not
  recompile a multi-megabyte module.
"""

import sys

import wasmtime

TRAP_EXIT_CODE = 134


def parse(argv):
    module, rest = argv[0], argv[1:]
    dirs, env, options = [], [], {}
    while rest and rest[0] != "--":
        flag, value, rest = rest[0], rest[1], rest[2:]
        if flag == "--dir":
            host, _, guest = value.partition("::")
            dirs.append((host, guest or host))
        elif flag == "--env":
            key, _, val = value.partition("=")
            env.append((key, val))
        elif flag in ("--entry", "--stub-imports"):
            options[flag] = value
        else:
            sys.exit(f"wasmtime_run.py: unknown option {flag}")
    return module, dirs, env, options, rest[1:]


def define_stubs(linker, module, policy):
    """Defines every function import outside WASI as a trap (or as returning zeros)."""
    for imp in module.imports:
        if imp.module == "wasi_snapshot_preview1" or not isinstance(imp.type, wasmtime.FuncType):
            continue
        results = imp.type.results

        def stub(*_args, _results=results, _name=f"{imp.module}.{imp.name}"):
            if policy == "trap":
                raise wasmtime.WasmtimeError(f"call to a stubbed import {_name}")
            zeros = [0.0 if str(r) in ("f32", "f64") else 0 for r in _results]
            return None if not zeros else zeros[0] if len(zeros) == 1 else zeros

        linker.define_func(imp.module, imp.name, imp.type, stub)


def main():
    module_path, dirs, env, options, program_args = parse(sys.argv[1:])
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
    stub = options.get("--stub-imports")
    if stub:
        define_stubs(linker, module, stub)
    instance = linker.instantiate(store, module)
    exports = instance.exports(store)
    entry = options.get("--entry")
    try:
        if entry is None:
            exports["_start"](store)
        else:
            if "_initialize" in exports:
                exports["_initialize"](store)
            result = exports[entry](store)
            sys.stdout.flush()
            sys.exit(result if isinstance(result, int) else 0)
    except wasmtime.ExitTrap as exit_trap:
        sys.stdout.flush()
        sys.exit(exit_trap.code)
    except wasmtime.Trap as trap:
        print(f"wasm trap: {trap.message}", file=sys.stderr)
        sys.exit(TRAP_EXIT_CODE)
    sys.exit(0)


if __name__ == "__main__":
    main()
