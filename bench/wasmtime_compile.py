#!/usr/bin/env python3
"""Compile a module ahead of time with wasmtime (Python bindings), like `wasmtime compile`.

The Python bindings have no `Engine.precompile_module`: `Module(engine, bytes)` compiles
(validation included) and `Module.serialize()` gives the .cwasm bytes that
`Module.deserialize_file` loads.

    wasmtime_compile.py MODULE.wasm OUT.cwasm [--baseline]

Prints the wall and CPU seconds (perf_counter, process_time: all threads) that
`Module(engine, bytes)` took in-process; reading and writing excluded.
With --baseline it only imports wasmtime and reads the module, so the caller can measure
what the Python process itself costs (its peak memory) and subtract it.
"""

import sys
import time

import wasmtime


def main():
    wasm_path, out_path = sys.argv[1], sys.argv[2]
    baseline = "--baseline" in sys.argv[3:]
    engine = wasmtime.Engine(wasmtime.Config())
    with open(wasm_path, "rb") as f:
        wasm = f.read()
    if baseline:
        print("0.0 0.0")
        return
    start, start_cpu = time.perf_counter(), time.process_time()
    module = wasmtime.Module(engine, wasm)
    elapsed, cpu = time.perf_counter() - start, time.process_time() - start_cpu
    compiled = module.serialize()
    with open(out_path, "wb") as f:
        f.write(compiled)
    print(f"{elapsed:.6f} {cpu:.6f}")


if __name__ == "__main__":
    main()
