/*
 * w2e_runtime.h: the runtime's host API, used by the process entry (main.c) and by embedders
 * such as the spec-test driver. It instantiates compiled modules, links them to each other and
 * to host functions, calls their exports and turns traps into values the host can report.
 */
#ifndef W2E_RUNTIME_H
#define W2E_RUNTIME_H

#include "w2e_abi.h"

#include <stdbool.h>

/* Process exit codes of a wasm2exe executable (documented in README.md). */
#define W2E_EXIT_TRAP 134          /* a wasm trap (as wasmtime: 128 + SIGABRT, without a core) */
#define W2E_EXIT_RUNTIME_ERROR 70  /* the runtime could not start the module (resources, imports) */

/* Something an import is resolved to, or an export yields. */
typedef struct w2e_extern {
  uint32_t kind; /* enum w2e_extern_kind */
  union {
    w2e_funcref *func;   /* FUNC: a function of some instance (NULL with host_code) */
    w2e_table *table;    /* TABLE */
    w2e_memory *memory;  /* MEMORY */
    w2e_value *global;   /* GLOBAL: its storage */
    void *tag;           /* TAG: identity of an exception tag */
  } u;
  /* FUNC: the signature (exports fill it in; for imports it may be NULL). */
  const w2e_functype *functype;
  /* FUNC imports only: a C function called as host_code(vmctx, params...) where vmctx is the
   * importing instance's context; the runtime builds its funcref. The host checks the signature. */
  const void *host_code;
  /* GLOBAL: its type. */
  uint32_t global_kind;
  uint32_t global_mutable;
} w2e_extern;

/* Why instantiation failed: a link error (`is_trap` false, e.g. "incompatible import type")
 * or a trap while applying segments or running the start function. */
typedef struct w2e_error {
  bool is_trap;
  uint32_t trap_kind;
  char message[256];
} w2e_error;

/* Installs signal handlers and computes the stack limit. Call once before anything else. */
void w2e_runtime_init(void);

/* Instantiates `module`: `imports` holds one resolved extern per module import, in order.
 * Runs the start function. Returns the instance, or NULL with `err` filled in. */
w2e_instance *w2e_instantiate(const w2e_module *module, const w2e_extern *imports, w2e_error *err);

/* The instance's context and module. */
w2e_vmctx *w2e_instance_vmctx(w2e_instance *instance);
const w2e_module *w2e_instance_module(w2e_instance *instance);

/* Looks up an export by name; returns false when there is none. */
bool w2e_instance_export(w2e_instance *instance, const char *name, size_t name_len, w2e_extern *out);

/* Calls an exported (or any) function. Arguments in, results out, through `args_and_results`
 * (sized for the larger of the two). Returns W2E_TRAP_NONE, or the kind of the trap that ended
 * the call; memory and tables keep whatever the call did before trapping. */
uint32_t w2e_call(const w2e_extern *func, w2e_value *args_and_results);

/* The spec's message for a trap kind, e.g. "integer divide by zero". */
const char *w2e_trap_message(uint32_t kind);

/* Writes "wasm trap: <message>" and the backtrace of the last trap (wasm function names,
 * innermost first) to stderr. */
void w2e_print_trap(uint32_t kind);

/* Host-created objects, for embedders that provide imports (spectest's table and memory). */
w2e_memory *w2e_memory_new(uint32_t min_pages, uint32_t max_pages, bool has_max);
w2e_table *w2e_table_new(uint32_t elem_kind, uint32_t min, uint32_t max, bool has_max);

#endif /* W2E_RUNTIME_H */
