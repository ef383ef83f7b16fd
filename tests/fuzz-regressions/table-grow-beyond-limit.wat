;; Found by the seed of the day 20261208673 (Cranelift): a `table.grow` of an externref table
;; without a maximum by 2^31 elements. wasmtime's default store lets it succeed (its memory is
;; mapped lazily); wasm2exe's runtime refuses growth past 10^7 elements (returns -1), as the spec
;; allows. Each call xors the table's size and the grow's result into a global, so after two
;; calls the global showed which side grew. The oracle now runs with wasm2exe's limit
;; (fuzz/oracle.py): both refuse the grow and agree. Also checks a grow just within the limit.
(module
  (table $t 6 externref)
  (global $g (export "g") (mut i32) (i32.const 0))
  (func (export "grow_huge")
    (global.set $g
      (i32.xor (global.get $g)
        (i32.xor (table.size $t)
          (table.grow $t (ref.null extern) (i32.trunc_sat_f64_s (f64.const -0x1p+1017)))))))
  (func (export "grow_to_limit") (result i32)
    (table.grow $t (ref.null extern) (i32.sub (i32.const 10000000) (table.size $t))))
  (func (export "size") (result i32) (table.size $t)))
