;; Found by the differential fuzzer (LLVM backend, seed 856 from --seed 1): an atomic
;; read-modify-write that changes nothing (`add 0`, `or 0`, `and -1`, ...) and whose result is
;; unused returned normally where wasmtime traps "out of bounds memory access": LLVM lowers such
;; an `atomicrmw` to a fence on the stack, without touching memory. Atomic accesses are now
;; volatile (compiler/src/llvm/atomics.rs).
(module
  (memory (export "mem") 0 4 shared)
  (func (export "add-zero") (param i32)
    (drop (i32.atomic.rmw.add offset=211296 (local.get 0) (i32.const 0))))
  (func (export "or-zero") (param i32)
    (drop (i64.atomic.rmw.or (local.get 0) (i64.const 0))))
  (func (export "and-ones") (param i32)
    (drop (i32.atomic.rmw8.and_u (local.get 0) (i32.const -1))))
  (func (export "load") (param i32)
    (drop (i32.atomic.load (local.get 0))))
)
