;; Found by the differential fuzzer (LLVM backend, seed 25629 from --seed 1, in the long run):
;; `global.set`, then a load out of bounds that traps, then another `global.set` of the same
;; global. After the trap the global held its old value; in wasmtime, the first store's. A
;; linear-memory access is a volatile load, and LLVM may assume a volatile load returns, so
;; dead-store elimination deleted the first store as overwritten by the second. Stores to
;; globals are now volatile too (compiler/src/llvm/tables.rs). Each export traps "out of bounds
;; memory access" (the memory is empty) after setting the global to 30.
(module
  (memory (export "mem") 0 1)
  (global $g (export "g") (mut i64) (i64.const 9215206707495051268))
  (global $h (export "h") (mut v128) (v128.const i64x2 1 2))
  (func (export "set-load-set") (param i32)
    (global.set $g (i64.const 30))
    (global.set $g (i64.load32_u offset=54959 (local.get 0))))
  (func (export "set-load16-set") (param i32)
    (global.set $g (i64.popcnt (i64.const 0x3fffffff)))
    (global.set $g (i64.extend_i32_u (i32.load16_u (local.get 0)))))
  (func (export "v128-set-load-set") (param i32)
    (global.set $h (v128.const i64x2 30 30))
    (global.set $h (v128.load (local.get 0)))))
