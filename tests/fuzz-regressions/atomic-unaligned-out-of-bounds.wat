;; Found by the differential fuzzer (seeds 181, 570, 1049, 1379 from --seed 1): an atomic
;; access that is both misaligned and out of bounds trapped "out of bounds memory access";
;; the reference interpreter and wasmtime check alignment first: "unaligned atomic".
(module
  (memory (export "mem") 1 1 shared)
  (func (export "load") (param i32) (result i32) (i32.atomic.load offset=65535 (local.get 0)))
  (func (export "store") (param i32) (i64.atomic.store (local.get 0) (i64.const 7)))
  (func (export "rmw") (param i32) (result i32) (i32.atomic.rmw.add (local.get 0) (i32.const 1)))
  ;; (wait and notify are left out: wasmtime checks their bounds before their alignment.)
)
