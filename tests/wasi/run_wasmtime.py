#!/usr/bin/env python3
"""Run a WASI preview1 command module under wasmtime, the reference the WASI tests compare with.

It takes the same grants as a wasm2exe executable is built with, so a test can run a module
both ways with the same words:

    run_wasmtime.py MODULE.wasm [--arg0 NAME] [--dir HOST[::GUEST]]... [--env K=V]...
                    [--inherit-env] -- ARGS...

stdin, stdout and stderr are the process's own. The exit status is the module's: its
proc_exit code, 0 when _start returns, and 134 after a trap (what the wasmtime CLI and
wasm2exe executables use). Relative HOST directories resolve against the working directory,
as they do in wasm2exe executables.

Needs `pip install wasmtime`.
"""

import argparse
import os
import sys

EXIT_TRAP = 134
EXIT_RUNNER_ERROR = 70


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("module")
    parser.add_argument("--arg0", default=None, help="argv[0] the module sees")
    parser.add_argument("--dir", action="append", default=[], metavar="HOST[::GUEST]")
    parser.add_argument("--env", action="append", default=[], metavar="KEY=VALUE")
    parser.add_argument("--inherit-env", action="store_true")
    # Everything after `--` is the module's, even words that look like options.
    split = argv.index("--") if "--" in argv else len(argv)
    options = parser.parse_args(argv[:split])
    options.args = argv[split + 1 :]
    return options


def wasi_config(options):
    import wasmtime

    config = wasmtime.WasiConfig()
    arg0 = options.arg0 if options.arg0 is not None else os.path.basename(options.module)
    config.argv = [arg0] + options.args
    if options.inherit_env:
        config.inherit_env()
    else:
        config.env = [entry.split("=", 1) for entry in options.env]
    for grant in options.dir:
        host, _, guest = grant.partition("::")
        config.preopen_dir(host, guest or host)
    config.inherit_stdin()
    config.inherit_stdout()
    config.inherit_stderr()
    return config


def run(options):
    try:
        import wasmtime
    except ImportError:
        sys.stderr.write("run_wasmtime.py: the wasmtime module is missing: pip install wasmtime\n")
        return EXIT_RUNNER_ERROR

    config = wasmtime.Config()
    # wasmtime's own compilation cache: the tests run each module many times.
    config.cache = True
    engine = wasmtime.Engine(config)
    store = wasmtime.Store(engine)
    store.set_wasi(wasi_config(options))
    linker = wasmtime.Linker(engine)
    linker.define_wasi()
    module = wasmtime.Module.from_file(engine, options.module)
    instance = linker.instantiate(store, module)
    start = instance.exports(store)["_start"]
    try:
        start(store)
    except wasmtime.ExitTrap as exit_trap:
        return exit_trap.code
    except (wasmtime.Trap, wasmtime.WasmtimeError) as trap:
        sys.stderr.write(f"wasm trap: {trap}\n")
        return EXIT_TRAP
    return 0


def main():
    options = parse_args(sys.argv[1:])
    status = run(options)
    sys.stdout.flush()
    sys.stderr.flush()
    # os._exit: no interpreter teardown output can follow the module's.
    os._exit(status)


if __name__ == "__main__":
    main()
