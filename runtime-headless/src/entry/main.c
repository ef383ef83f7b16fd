/*
 * main.c: the process entry of a wasm2exe executable. It resolves the compiled module's
 * imports against the WASI host functions, instantiates it and runs its `_start` export.
 *
 * Exit status: 0 when _start returns, n for proc_exit(n), W2E_EXIT_TRAP after a trap (with the
 * trap printed to stderr), W2E_EXIT_RUNTIME_ERROR when the module cannot be started.
 */
#include "core/w2e_internal.h"
#include "wasi/w2e_wasi.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The module descriptor, emitted by the compiler into the same executable. */
extern const w2e_module w2e_main_module;

/* The capability records (w2e_config.h), emitted by the CLI. Weak: an object linked by hand
 * without them gets no capabilities. */
extern const char w2e_main_config[] __attribute__((weak));

static const char wasi_module[] = "wasi_snapshot_preview1";

/* Writes `wasm2exe: cannot start: import "mod"."name" <what>` and exits. */
static void import_error(const w2e_import *imp, const char *what) __attribute__((noreturn));
static void import_error(const w2e_import *imp, const char *what) {
  static const char prefix[] = "wasm2exe: cannot start: import \"";
  w2e_write_all(2, prefix, sizeof prefix - 1);
  w2e_write_all(2, imp->module, imp->module_len);
  w2e_write_all(2, "\".\"", 3);
  w2e_write_all(2, imp->name, imp->name_len);
  w2e_write_all(2, "\" ", 2);
  w2e_write_all(2, what, strlen(what));
  w2e_write_all(2, "\n", 1);
  _exit(W2E_EXIT_RUNTIME_ERROR);
}

static void start_error(const char *what) __attribute__((noreturn));
static void start_error(const char *what) {
  static const char prefix[] = "wasm2exe: cannot start: ";
  w2e_write_all(2, prefix, sizeof prefix - 1);
  w2e_write_all(2, what, strlen(what));
  w2e_write_all(2, "\n", 1);
  _exit(W2E_EXIT_RUNTIME_ERROR);
}

#if defined(__SANITIZE_ADDRESS__)
/* The runtime built with AddressSanitizer (W2E_SANITIZE=1, a CI job): instances, memories and
 * tables live until exit by design, so LeakSanitizer's exit report would only list them. This
 * sits in main.c because an archive member defining only this weak hook would never be linked. */
const char *__asan_default_options(void);
const char *__asan_default_options(void) { return "detect_leaks=0"; }
#endif

/* True when the function type's kinds spell `sig` ("iiii:i"). */
static bool signature_matches(const w2e_functype *ft, const char *sig) {
  static const char letters[] = {[W2E_I32] = 'i', [W2E_I64] = 'I', [W2E_F32] = 'f',
                                 [W2E_F64] = 'F'};
  uint32_t n = ft->num_params + ft->num_results;
  const char *p = sig;
  for (uint32_t i = 0; i < n; i++) {
    if (i == ft->num_params) {
      if (*p != ':') return false;
      p++;
    }
    uint8_t k = ft->kinds[i];
    if (k > W2E_F64 || *p != letters[k]) return false;
    p++;
  }
  if (ft->num_results == 0) {
    if (*p != ':') return false;
    p++;
  }
  return *p == '\0';
}

/* Runs the export `name`, which takes nothing and returns nothing or an i32; returns that
 * i32 (0 without one, or when `ignore_result`). A trap ends the process. */
static int run_export(w2e_instance *inst, const char *name, bool ignore_result) {
  w2e_extern func;
  if (!w2e_instance_export(inst, name, strlen(name), &func) || func.kind != W2E_EXTERN_FUNC) {
    static const char prefix[] = "wasm2exe: cannot start: the module has no \"";
    static const char suffix[] = "\" function to run\n";
    w2e_write_all(2, prefix, sizeof prefix - 1);
    w2e_write_all(2, name, strlen(name));
    w2e_write_all(2, suffix, sizeof suffix - 1);
    _exit(W2E_EXIT_RUNTIME_ERROR);
  }
  const w2e_functype *ft = func.functype;
  bool returns_i32 = ft->num_results == 1 && ft->kinds[ft->num_params] == W2E_I32;
  if (ft->num_params != 0 || (ft->num_results != 0 && !returns_i32))
    start_error("the function to run must take no parameters and return nothing or an i32");
  w2e_value values[1];
  memset(values, 0, sizeof values);
  uint32_t trap = w2e_call(&func, values);
  if (trap) {
    w2e_print_trap(trap);
    _exit(W2E_EXIT_TRAP);
  }
  return returns_i32 && !ignore_result ? (int)values[0].i32 : 0;
}

int main(int argc, char **argv) {
  w2e_runtime_init();
  w2e_wasi_set_args(argc, argv);
  w2e_wasi_configure(w2e_main_config ? w2e_main_config : NULL);
  const w2e_module *m = &w2e_main_module;

  w2e_extern *imports = calloc(m->num_imports ? m->num_imports : 1, sizeof *imports);
  if (!imports) start_error("out of memory");
  for (uint32_t i = 0; i < m->num_imports; i++) {
    const w2e_import *imp = &m->imports[i];
    if (imp->kind == W2E_EXTERN_FUNC_STUB) continue; /* compiled in: nothing to resolve */
    bool is_wasi = imp->module_len == sizeof wasi_module - 1 &&
                   memcmp(imp->module, wasi_module, imp->module_len) == 0;
    const w2e_wasi_func *f =
        is_wasi && imp->kind == W2E_EXTERN_FUNC ? w2e_wasi_lookup(imp->name, imp->name_len) : NULL;
    if (!f) import_error(imp, "is not provided by the runtime");
    if (imp->index >= m->num_types || !signature_matches(&m->types[imp->index], f->sig))
      import_error(imp, "has the wrong type");
    imports[i].kind = W2E_EXTERN_FUNC;
    imports[i].host_code = f->code;
  }

  w2e_error err;
  w2e_instance *inst = w2e_instantiate(m, imports, &err);
  if (!inst) {
    if (err.is_trap) {
      w2e_print_trap(err.trap_kind);
      _exit(W2E_EXIT_TRAP);
    }
    start_error(err.message);
  }

  const char *entry = w2e_config_entry();
  if (!entry) return run_export(inst, "_start", false);
  /* A reactor: _initialize (when exported) sets it up, then the chosen export runs. */
  w2e_extern init;
  if (w2e_instance_export(inst, "_initialize", 11, &init)) run_export(inst, "_initialize", true);
  return run_export(inst, entry, false);
}
