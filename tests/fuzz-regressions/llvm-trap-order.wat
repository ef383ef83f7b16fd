;; Found by the differential fuzzer (LLVM backend, seed 308 from --seed 1): a load out of bounds
;; followed by a trapping conversion trapped "integer overflow" where wasmtime traps "out of
;; bounds memory access". LLVM believed the load could not trap: once the conversion's trap
;; made the rest dead, the load's value was unused and LLVM deleted the load. It may also sink
;; a load past a trap check into the only block using it, or swap it with a later store. Every
;; linear-memory access is now volatile (compiler/src/llvm/memory.rs). Each export below
;; must trap "out of bounds memory access" for an address out of bounds (the memory is empty).
(module
  (memory (export "mem") 0 1)
  (global $zero (mut i32) (i32.const 0))
  (global $count (export "count") (mut i32) (i32.const 0))
  ;; The fuzzer's case, reduced: the load's value is never consumed.
  (func (export "load-then-overflow") (param i32) (result i32)
    (i32.load (local.get 0))
    (i32.trunc_f32_u (f32.const -320625650000000))
    (i32.add))
  ;; The load's only use is after a division check that fails.
  (func (export "load-then-divide") (param i32) (result i32)
    (i32.div_u (i32.load offset=8 (local.get 0)) (global.get $zero)))
  ;; A store to a global after the load must not happen before it.
  (func (export "load-then-global") (param i32) (result i32)
    (local $v i32)
    (local.set $v (i64.load32_u (local.get 0)) (i32.wrap_i64))
    (global.set $count (i32.add (global.get $count) (i32.const 1)))
    (local.get $v))
  ;; A store out of bounds before a trapping store at a lower address.
  (func (export "store-order") (param i32)
    (i32.store offset=16 (local.get 0) (i32.const 1))
    (global.set $count (i32.const 7))
    (i32.store8 (i32.const 0) (i32.const 2)))
  ;; A dropped load.
  (func (export "dropped") (param i32)
    (drop (f64.load (local.get 0)))
    (unreachable))
)
