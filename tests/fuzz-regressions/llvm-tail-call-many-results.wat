;; Found by the differential fuzzer (LLVM backend, the batch of seeds 5640..5679 from --seed
;; 5000): a `return_call` to a function with results LLVM returns through memory (4 integers
;; on x86_64) made LLVM stop with "failed to perform tail call elimination on a call site
;; marked musttail", so the whole batch failed to compile. The LLVM backend now refuses such a
;; tail call by name (the fuzzer counts that as explained); Cranelift compiles it.
(module
  (func $four (result i64 i64 i64 i32)
    (i64.const 1) (i64.const 2) (i64.const 3) (i32.const 4))
  (func (export "tail") (result i64 i64 i64 i32)
    (return_call $four))
  (func $three (result i64 i32 i64)
    (i64.const 5) (i32.const 6) (i64.const 7))
  (func (export "tail-three") (result i64 i32 i64)
    (return_call $three))
)
