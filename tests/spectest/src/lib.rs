//! The spec-test harness as a library: the pipeline that compiles a set of modules, links them
//! with `driver.c` and the runtime into one executable and plays a script through it (`run`),
//! shared by the `spectest` binary and the differential fuzzer (`fuzz/`).

pub mod known;
pub mod legacy;
pub mod llvm;
pub mod run;
pub mod script;
pub mod values;
