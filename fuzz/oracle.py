#!/usr/bin/env python3
"""The fuzzer's oracle: runs a batch of modules in wasmtime (PyPI's bindings) and reports, step
by step, what the native executable reports for the same batch.

    oracle.py BATCH.json > RESULTS.json

BATCH.json: {"modules": [{"wasm": PATH, "steps": [STEP, ...]}, ...]} with STEP one of
    ["call", NAME, [[KIND, HEX], ...], [RESULT_KIND, ...]]
    ["global", NAME, KIND]
    ["memory", NAME]
KIND is i32|i64|f32|f64|v128|funcref|externref; HEX the value's bits as the spectest driver
prints them (v128: 16 bytes in memory order; references: 0 for null).

RESULTS.json: [{"inst": OUTCOME, "steps": [OUTCOME, ...]}, ...] with OUTCOME one of
    ["ok"] | ["ret", [HEX, ...]] | ["trap", KIND] | ["exception"] | ["exhausted"] |
    ["error", MESSAGE]
References come back as "0" (null) or "1" (non-null): their bits mean nothing across engines.
A memory reads as ["ret", [PAGES_HEX, CRC32_HEX]].

Values cross the Python boundary as raw bytes of wasmtime's C value union, never as Python
floats (which would quiet signaling NaNs) and including v128 (which the Python `Val` lacks).
"""

import ctypes
import json
import sys
import threading
import zlib

import wasmtime
from wasmtime import _ffi as ffi
from wasmtime._func import enter_wasm

KINDS = {"i32": 0, "i64": 1, "f32": 2, "f64": 3, "v128": 4, "funcref": 5, "externref": 6}
SIZES = {"i32": 4, "i64": 8, "f32": 4, "f64": 8, "v128": 16}

TRAPS = {
    wasmtime.TrapCode.MEMORY_OUT_OF_BOUNDS: "out of bounds memory access",
    wasmtime.TrapCode.HEAP_MISALIGNED: "unaligned atomic",
    # wasmtime has one code for call_indirect's "undefined element" and table instructions'
    # "out of bounds table access": the comparison accepts either.
    wasmtime.TrapCode.TABLE_OUT_OF_BOUNDS: "table out of bounds",
    wasmtime.TrapCode.INDIRECT_CALL_TO_NULL: "uninitialized element",
    wasmtime.TrapCode.BAD_SIGNATURE: "indirect call type mismatch",
    wasmtime.TrapCode.INTEGER_OVERFLOW: "integer overflow",
    wasmtime.TrapCode.INTEGER_DIVISION_BY_ZERO: "integer divide by zero",
    wasmtime.TrapCode.BAD_CONVERSION_TO_INTEGER: "invalid conversion to integer",
    wasmtime.TrapCode.UNREACHABLE: "unreachable",
    wasmtime.TrapCode.NULL_REFERENCE: "null exception reference",
    wasmtime.TrapCode.ATOMIC_WAIT_NON_SHARED_MEMORY: "expected shared memory",
}


WASM_STACK = 2 << 20
# The thread the oracle runs on: the wasm stack and the host's frames beneath it.
THREAD_STACK = 32 << 20


def engine():
    config = wasmtime.Config()
    for feature in ("simd", "exceptions", "tail_call", "bulk_memory", "reference_types",
                    "multi_value", "threads"):
        setattr(config, f"wasm_{feature}", True)
    config.wasm_relaxed_simd = False
    config.wasm_gc = False
    config.shared_memory = True
    config.wasm_function_references = True  # exceptions need it in wasmtime's validator
    # The executables reserve 8 MiB for the wasm stack; wasmtime's default is 512 KiB, and 2 MiB
    # the most it takes (its async stack size, which the bindings cannot raise). The deeper the
    # oracle's stack, the fewer modules exhaust it where wasm2exe's is still deep enough;
    # exhaustion depths still differ (frame sizes differ): the comparison explains that.
    config.max_wasm_stack = WASM_STACK
    return wasmtime.Engine(config)


def to_raw(kind, hex_text):
    raw = ffi.wasmtime_val_t()
    raw.kind = KINDS[kind]
    if kind in SIZES:
        n = SIZES[kind]
        if kind == "v128":
            data = bytes.fromhex(hex_text)
        else:
            data = int(hex_text, 16).to_bytes(n, "little")
        ctypes.memmove(ctypes.addressof(raw.of), data, n)
    return raw  # references: all-zero bytes are null


def from_raw(kind, raw):
    if kind in SIZES:
        data = ctypes.string_at(ctypes.addressof(raw.of), SIZES[kind])
        return data.hex() if kind == "v128" else format(int.from_bytes(data, "little"), "x")
    if kind == "funcref":
        return "1" if raw.of.funcref.store_id != 0 else "0"
    return "1" if raw.of.externref.store_id != 0 else "0"


def describe(exc):
    if isinstance(exc, wasmtime.Trap):
        code = exc.trap_code
        if code == wasmtime.TrapCode.STACK_OVERFLOW:
            return ["exhausted"]
        if code in TRAPS:
            return ["trap", TRAPS[code]]
    message = str(exc)
    if "exception" in message and "thrown" in message:
        return ["exception"]
    return ["error", message.splitlines()[0] if message else type(exc).__name__]


def call(store, func, args, result_kinds):
    params = (ffi.wasmtime_val_t * max(len(args), 1))()
    for i, (kind, hex_text) in enumerate(args):
        params[i] = to_raw(kind, hex_text)
    results = (ffi.wasmtime_val_t * max(len(result_kinds), 1))()
    with enter_wasm(store) as trap:
        error = ffi.wasmtime_func_call(store._context(), ctypes.byref(func._func), params,
                                       len(args), results, len(result_kinds), trap)
        if error:
            raise wasmtime.WasmtimeError._from_ptr(error)
    return ["ret", [from_raw(k, results[i]) for i, k in enumerate(result_kinds)]]


def read_global(store, glob, kind):
    raw = ffi.wasmtime_val_t()
    ffi.wasmtime_global_get(store._context(), ctypes.byref(glob._global), ctypes.byref(raw))
    return ["ret", [from_raw(kind, raw)]]


def read_memory(store, memory):
    if isinstance(memory, wasmtime.SharedMemory):
        size = memory.data_len()
        data = ctypes.string_at(memory.data_ptr(), size)
    else:
        size = memory.data_len(store)
        data = ctypes.string_at(memory.data_ptr(store), size)
    return ["ret", [format(size // 65536, "x"), format(zlib.crc32(data), "x")]]


# The executables' runtime lets a table grow to at most this many elements
# (W2E_TABLE_LIMIT in runtime-headless/src/core/table.c), beyond which `table.grow` returns -1,
# as the spec allows. wasmtime's default store has no limit: a `table.grow` of an externref
# table by 2^31 elements succeeds there (its memory is mapped lazily) and fails here, and the
# module then sees different table sizes (seed 20261208673). Both are correct; the oracle takes
# wasm2exe's limit so the two sides make the same choice.
TABLE_ELEMENTS_LIMIT = 10_000_000


def run_module(eng, entry):
    store = wasmtime.Store(eng)
    store.set_limits(table_elements=TABLE_ELEMENTS_LIMIT)
    try:
        module = wasmtime.Module.from_file(eng, entry["wasm"])
        instance = wasmtime.Instance(store, module, [])
    except Exception as exc:  # noqa: BLE001 - every failure is an outcome to compare
        return {"inst": describe(exc), "steps": []}
    exports = instance.exports(store)
    outcomes = []
    for step in entry["steps"]:
        try:
            item = exports[step[1]]
            if step[0] == "call":
                outcomes.append(call(store, item, step[2], step[3]))
            elif step[0] == "global":
                outcomes.append(read_global(store, item, step[2]))
            else:
                outcomes.append(read_memory(store, item))
        except Exception as exc:  # noqa: BLE001
            outcomes.append(describe(exc))
    return {"inst": ["ok"], "steps": outcomes}


def main():
    with open(sys.argv[1]) as f:
        batch = json.load(f)
    eng = engine()
    json.dump([run_module(eng, entry) for entry in batch["modules"]], sys.stdout)


if __name__ == "__main__":
    # Not the main thread, whose stack (ulimit -s) may be smaller than the wasm stack needs.
    threading.stack_size(THREAD_STACK)
    failure = []

    def run():
        try:
            main()
        except BaseException as exc:  # noqa: BLE001 - reported below, with a failing exit
            failure.append(exc)

    worker = threading.Thread(target=run)
    worker.start()
    worker.join()
    if failure:
        raise failure[0]
