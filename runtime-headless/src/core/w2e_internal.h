/*
 * w2e_internal.h: declarations shared between the runtime's own source files. Not part of
 * the contract with generated code or embedders (those are include/w2e_abi.h and
 * include/w2e_runtime.h).
 *
 * The runtime is single-threaded: one wasm call stack per process, so the trap state and the
 * active jump buffer are plain globals.
 */
#ifndef W2E_INTERNAL_H
#define W2E_INTERNAL_H

#include "w2e_abi.h"
#include "w2e_runtime.h"
#include "platform/platform.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define W2E_PAGE_SIZE 65536u
#define W2E_MAX_PAGES 65536u /* 4 GiB: the whole 32-bit index space */

/* A defined exception tag's identity: what vmctx tags[] entries point to. Imports of tags
 * compare the type through it. */
typedef struct w2e_tag_identity {
  uint64_t type_id;
} w2e_tag_identity;

/* Runtime bookkeeping of one instance (vmctx->instance). Instances live until exit. */
struct w2e_instance {
  const w2e_module *module;
  w2e_vmctx *vmctx;
  uint8_t *elem_dropped;          /* one flag per element segment */
  uint8_t *data_dropped;          /* one flag per data segment */
  w2e_funcref *host_func_refs;    /* funcrefs built for host_code imports (their adapters) */
  w2e_tag_identity *defined_tags; /* identities of the tags this instance defines */
};

/* ---- vmctx arrays, at the offsets the module descriptor gives ---- */

static inline w2e_funcref **w2e_vm_func_refs(w2e_vmctx *vm) {
  return (w2e_funcref **)((char *)vm + vm->instance->module->vmctx_func_refs);
}
static inline w2e_funcref *w2e_vm_defined_func_refs(w2e_vmctx *vm) {
  return (w2e_funcref *)((char *)vm + vm->instance->module->vmctx_defined_func_refs);
}
static inline w2e_table **w2e_vm_tables(w2e_vmctx *vm) {
  return (w2e_table **)((char *)vm + vm->instance->module->vmctx_tables);
}
static inline w2e_value **w2e_vm_imported_globals(w2e_vmctx *vm) {
  return (w2e_value **)((char *)vm + vm->instance->module->vmctx_imported_globals);
}
static inline w2e_value *w2e_vm_defined_globals(w2e_vmctx *vm) {
  return (w2e_value *)((char *)vm + vm->instance->module->vmctx_defined_globals);
}
static inline void **w2e_vm_tags(w2e_vmctx *vm) {
  return (void **)((char *)vm + vm->instance->module->vmctx_tags);
}
static inline const void **w2e_vm_host_code(w2e_vmctx *vm) {
  return (const void **)((char *)vm + vm->instance->module->vmctx_host_code);
}

/* Storage of global `index` (imported or defined) of the instance owning `vm`. */
w2e_value *w2e_global_storage(w2e_vmctx *vm, uint32_t index);

/* Evaluates a constant expression in the context of `vm` (global.get reads its globals,
 * ref.func yields its func_refs). Returns false on a malformed expression. */
bool w2e_eval_const(w2e_vmctx *vm, const w2e_const_expr *expr, w2e_value *out);

/* ---- Bounds-checked operations that return a trap kind instead of raising it: the
 * instantiation code applies segments with them outside any w2e_call. ---- */
uint32_t w2e_memory_init_checked(w2e_vmctx *vm, uint32_t segment, uint64_t dst, uint64_t src,
                                 uint64_t len);
uint32_t w2e_table_init_checked(w2e_vmctx *vm, uint32_t table, uint32_t segment, uint64_t dst,
                                uint64_t src, uint64_t len);

/* OS memory (w2e_os_reserve, w2e_os_commit) and fault handling: platform/platform.h. */

/* True when `addr` lies inside some linear memory's reservation (the OOB fallback for faults
 * at instructions without a trap-table entry). Async-signal-safe. */
bool w2e_addr_in_memory_reservation(uintptr_t addr);

/* ---- Code registry and traps (trap.c) ---- */

/* Records a module's defined functions and trap table, once per module. */
bool w2e_register_module(const w2e_module *module);

/* Finds the defined function containing `pc`. Async-signal-safe. */
bool w2e_lookup_code(uintptr_t pc, const w2e_module **module, uint32_t *func_index);

/* The trap kind recorded for the instruction at `pc`, or W2E_TRAP_NONE. Async-signal-safe. */
uint32_t w2e_lookup_trap(uintptr_t pc);

/* Called by the signal handler for a fault inside wasm code: records the trap and backtrace
 * from the faulting frame and unwinds to the innermost w2e_call. Does not return. */
void w2e_trap_from_signal(uint32_t kind, uintptr_t pc, uintptr_t fp, uintptr_t sp)
    __attribute__((noreturn));

#if defined(_WIN32)
/* For a trap raised by C code called from wasm: the innermost wasm frame's pc (the call) and
 * its frame and stack pointers, found by unwinding the C frames. False if there is none. */
bool w2e_win32_wasm_caller(uintptr_t *pc, uintptr_t *fp, uintptr_t *sp);
#endif

/* Records a trap raised outside wasm code (a segment during instantiation): no backtrace. */
void w2e_note_trap(uint32_t kind);

/* The stack limit every new vmctx gets (0: unchecked). Set by w2e_runtime_init. */
extern uintptr_t w2e_stack_limit;
/* The in-flight exception of code that propagates exceptions by returning (the LLVM backend):
 * every vmctx's pending_exception points here (exceptions.c). Execution is single-threaded. */
extern w2e_exception *w2e_pending_exception;
/* `--stack-size`: moves the limit to `bytes` below the stack's top (signals_*.c); NULL, or why
 * this OS cannot give that much. */
const char *w2e_set_stack_size(uint64_t bytes);
/* `--max-memory`, in pages (memory.c); UINT64_MAX without the option. */
extern uint64_t w2e_max_memory_pages;

/* Whether this CPU has `feature` (a CPUID name such as "avx2"; cpu.c), for "cpu" records. */
bool w2e_cpu_has(const char *feature);

/* Writes a whole buffer to a file descriptor with write(2) only. */
void w2e_write_all(int fd, const char *buf, size_t len);

#endif /* W2E_INTERNAL_H */
