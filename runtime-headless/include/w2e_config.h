/*
 * w2e_config.h: the capabilities an executable was built with.
 *
 * The CLI emits them as one read-only symbol, `w2e_main_config`: a list of records, each a
 * key and its values as NUL-terminated strings, ended by an empty key. Plain bytes with no
 * pointers, so the CLI can write the object for any target without relocations.
 *
 *   "dir\0"    HOST "\0" GUEST "\0"   a preopened directory: HOST on this machine (relative
 *                                     paths resolve against the working directory at start-up),
 *                                     seen by the program as GUEST.
 *   "env\0"    "KEY=VALUE\0"          an environment variable the program sees.
 *   "inherit-env\0"                   the program sees the whole environment of the process
 *                                     (after the "env" records, which win on conflicts).
 *   "runtime-grants\0"                the executable also accepts grants at run time from two
 *                                     variables of its own environment: WASM2EXE_DIRS (entries
 *                                     "HOST[::GUEST]", one per line) and WASM2EXE_ENV (entries
 *                                     "KEY=VALUE", one per line). Off unless the builder opted in.
 *   "entry\0" NAME "\0"               run the export NAME instead of _start: _initialize first
 *                                     when the module exports it; an i32 result is the exit code.
 *   "bundle\0" GUEST "\0" INDEX "\0"  a read-only directory embedded in the executable: bundle
 *                                     number INDEX (decimal) of the blob `w2e_main_bundle`, seen
 *                                     by the program as GUEST (format: src/wasi_bundle.c).
 *   "cpu\0" FEATURE "\0"              the code uses this CPU feature beyond the target's
 *                                     baseline (`wasm2exe --cpu`; a CPUID name such as "avx2"):
 *                                     start-up refuses a CPU without it, saying so.
 *   "\0"                              end of the list.
 *
 * Without any record the program sees no files and an empty environment (default deny).
 */
#ifndef W2E_CONFIG_H
#define W2E_CONFIG_H

extern const char w2e_main_config[];

#endif /* W2E_CONFIG_H */
