/*
 * test_runtime.c: exercises the runtime without the compiler. "Wasm functions" are C functions
 * in their own section (so their code ranges are known) and trampolines are C too; module
 * descriptors are built by hand. Not built by build.rs; see tests/run.sh.
 */
#include "w2e_runtime.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures;
#define CHECK(c)                                                                                  \
  do {                                                                                            \
    if (!(c)) {                                                                                   \
      fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #c);                                \
      failures++;                                                                                 \
    }                                                                                             \
  } while (0)

#define WASM __attribute__((noinline, used, section("w2e_test_code")))
extern const char __start_w2e_test_code[], __stop_w2e_test_code[];

/* vmctx layout of the test modules (the compiler would compute it). */
enum {
  NFUNCS = 12, NIMPF = 1, NTABLES = 1, NGLOBALS = 4, NIMPG = 1,
  OFF_FUNC_REFS = 32,
  OFF_DEF_REFS = OFF_FUNC_REFS + 8 * NFUNCS,
  OFF_TABLES = OFF_DEF_REFS + 24 * (NFUNCS - NIMPF),
  OFF_IMP_GLOBALS = OFF_TABLES + 8 * NTABLES,
  OFF_DEF_GLOBALS = (OFF_IMP_GLOBALS + 8 * NIMPG + 15) / 16 * 16,
  OFF_TAGS = OFF_DEF_GLOBALS + 16 * (NGLOBALS - NIMPG),
  OFF_HOST_CODE = OFF_TAGS,
  VMCTX_SIZE = (OFF_HOST_CODE + 8 * NIMPF + 15) / 16 * 16,
};

#define FUNC_REFS(vm) ((w2e_funcref **)((char *)(vm) + OFF_FUNC_REFS))
#define TABLES(vm) ((w2e_table **)((char *)(vm) + OFF_TABLES))
#define DEF_GLOBALS(vm) ((w2e_value *)((char *)(vm) + OFF_DEF_GLOBALS))
#define HOST_CODE(vm) ((const void **)((char *)(vm) + OFF_HOST_CODE))

/* ---- Trampolines ---- */
typedef uint32_t (*fn_ii_i)(w2e_vmctx *, uint32_t, uint32_t);
typedef uint32_t (*fn_i_i)(w2e_vmctx *, uint32_t);
typedef void (*fn_v)(w2e_vmctx *);
static void tramp_v(const void *code, w2e_vmctx *vm, w2e_value *a) { ((fn_v)code)(vm); }
static void tramp_i_i(const void *code, w2e_vmctx *vm, w2e_value *a) {
  a[0].i32 = ((fn_i_i)code)(vm, a[0].i32);
}
static void tramp_ii_i(const void *code, w2e_vmctx *vm, w2e_value *a) {
  a[0].i32 = ((fn_ii_i)code)(vm, a[0].i32, a[1].i32);
}
static const uint8_t kinds_v[1] = {0};
static const uint8_t kinds_i_i[] = {W2E_I32, W2E_I32};
static const uint8_t kinds_ii_i[] = {W2E_I32, W2E_I32, W2E_I32};
static const w2e_functype types[] = {
    {0x1111, 0, 0, kinds_v, tramp_v},
    {0x2222, 1, 1, kinds_i_i, tramp_i_i},
    {0x3333, 2, 1, kinds_ii_i, tramp_ii_i},
};

/* ---- "Wasm" functions ---- */
static volatile uint32_t sink;
static w2e_extern nested_target; /* what the host function calls back into */
static uint32_t nested_result;
static volatile int no_stack_check; /* recurse into the guard page instead */

/* f0: the adapter of import "env"."host": calls host_code[0] with the C convention. */
WASM uint32_t f_adapter(w2e_vmctx *vm, uint32_t a, uint32_t b) {
  return ((fn_ii_i)HOST_CODE(vm)[0])(vm, a, b);
}
/* f1: load u8 without bounds check (as compiled code does). */
WASM uint32_t f_load(w2e_vmctx *vm, uint32_t addr) {
  return *(volatile uint8_t *)(vm->memory_base + addr);
}
/* f2: a stub that raises a trap. */
WASM uint32_t f_unreachable(w2e_vmctx *vm, uint32_t x) {
  w2e_raise_trap(W2E_TRAP_UNREACHABLE);
}
/* f3: calls the import. */
WASM uint32_t f_call_host(w2e_vmctx *vm, uint32_t a, uint32_t b) {
  w2e_funcref *f = FUNC_REFS(vm)[0];
  return ((fn_ii_i)f->code)(f->vmctx, a, b) + 1;
}
/* f4: recursion with a prologue stack check. */
WASM uint32_t f_recurse(w2e_vmctx *vm, uint32_t n) {
  volatile char pad[512];
  if ((uintptr_t)__builtin_frame_address(0) < vm->stack_limit && !no_stack_check)
    w2e_raise_trap(W2E_TRAP_STACK_EXHAUSTED);
  pad[n & 511] = 0;
  if (n == 0) return 0;
  uint32_t r = f_recurse(vm, n - 1);
  return r + 1 + (uint32_t)pad[n & 511]; /* used after the call: no tail recursion */
}
/* f5: a hardware divide. */
WASM uint32_t f_div(w2e_vmctx *vm, uint32_t a, uint32_t b) {
  volatile int32_t x = (int32_t)a, y = (int32_t)b;
  return (uint32_t)(x / y);
}
/* f6: memory.fill through the builtin (dst, len), value 0xAB. */
WASM uint32_t f_fill(w2e_vmctx *vm, uint32_t dst, uint32_t len) {
  w2e_memory_fill(vm, dst, 0xAB, len);
  return 0;
}
/* f7: memory.grow. */
WASM uint32_t f_grow(w2e_vmctx *vm, uint32_t delta) { return w2e_memory_grow(vm, delta); }
/* f8: the start function: global 1 = 42. */
WASM void f_start(w2e_vmctx *vm) { DEF_GLOBALS(vm)[0].i32 = 42; }
/* f9: call_indirect (type 1) on table 0. */
WASM uint32_t f_call_indirect(w2e_vmctx *vm, uint32_t i) {
  w2e_table *t = TABLES(vm)[0];
  if (i >= t->size) w2e_raise_trap(W2E_TRAP_UNDEFINED_ELEMENT);
  w2e_funcref *f = t->elements[i];
  if (!f) w2e_raise_trap(W2E_TRAP_UNINITIALIZED_ELEMENT);
  if (f->type_id != 0x2222) w2e_raise_trap(W2E_TRAP_INDIRECT_CALL_TYPE);
  uint32_t r = ((fn_i_i)f->code)(f->vmctx, 0);
  return r + f_load(vm, 0) * 0; /* work after the call: no sibling call */
}
/* f10: executes a trap instruction (a trap entry is made for it at run time). */
WASM uint32_t f_ill(w2e_vmctx *vm, uint32_t x) {
  uint32_t y = f_load(vm, 0); /* a call, so the frame is set up before the trap */
  if (x != 12345) __builtin_trap();
  return x + y * 0;
}
/* f11: nested: wasm -> host (which calls wasm that traps) -> back. */
WASM uint32_t f_nested(w2e_vmctx *vm, uint32_t x) { return f_call_host(vm, x, 1000); }

/* The host function: a + b, and when b == 1000, a nested w2e_call of `nested_target`. */
static uint32_t host_add(w2e_vmctx *vm, uint32_t a, uint32_t b) {
  if (b == 1000) {
    w2e_value args[2] = {{.i32 = 0}, {.i32 = 0}};
    nested_result = w2e_call(&nested_target, args);
  }
  return a + b;
}

static const void *const code_of[NFUNCS] = {
    (const void *)f_adapter, (const void *)f_load, (const void *)f_unreachable,
    (const void *)f_call_host, (const void *)f_recurse, (const void *)f_div,
    (const void *)f_fill, (const void *)f_grow, (const void *)f_start,
    (const void *)f_call_indirect, (const void *)f_ill, (const void *)f_nested,
};
static const uint32_t type_of[NFUNCS] = {2, 1, 1, 2, 1, 2, 2, 1, 0, 1, 1, 1};
static const char *const name_of[NFUNCS] = {"host", "load", "unreachable", "call_host", "recurse",
                                            "div", "fill", "grow", "", "call_indirect", "ill",
                                            "nested"};
static w2e_func funcs[NFUNCS];

/* Gives every test function the code range up to the next one in the section. */
static void make_funcs(void) {
  for (int i = 0; i < NFUNCS; i++) {
    uintptr_t start = (uintptr_t)code_of[i], end = (uintptr_t)__stop_w2e_test_code;
    for (int j = 0; j < NFUNCS; j++)
      if ((uintptr_t)code_of[j] > start && (uintptr_t)code_of[j] < end) end = (uintptr_t)code_of[j];
    funcs[i].code = code_of[i];
    funcs[i].code_size = (uint32_t)(end - start);
    funcs[i].type_index = type_of[i];
    funcs[i].name = name_of[i];
    funcs[i].name_len = (uint32_t)strlen(name_of[i]);
  }
}

/* A trap entry for f_ill's trap instruction, found by scanning its code. */
static w2e_trap_entry traps[1];
static uint32_t num_traps;
static void make_traps(void) {
#if defined(__x86_64__)
  const uint8_t *p = (const uint8_t *)f_ill;
  for (uint32_t i = 0; i + 1 < funcs[10].code_size; i++)
    if (p[i] == 0x0f && p[i + 1] == 0x0b) {
      traps[0] = (w2e_trap_entry){10, i, W2E_TRAP_INT_OVERFLOW};
      num_traps = 1;
      return;
    }
#endif
}

/* ---- Module A's descriptor ---- */
#define OP(o, i, lo) {o, i, lo, 0}
static const w2e_const_op op_gget0[] = {OP(0x23, 0, 0)};
static const w2e_const_op op_seven[] = {OP(0x41, 0, 7)};
static const w2e_const_op op_extended[] = {OP(0x23, 0, 0), OP(0x41, 0, 10), OP(0x6A, 0, 0)};
static const w2e_const_op op_reffunc4[] = {OP(0xD2, 4, 0)};
static const w2e_const_op op_reffunc1[] = {OP(0xD2, 1, 0)};
static const w2e_const_op op_reffunc2[] = {OP(0xD2, 2, 0)};
static const w2e_const_op op_refnull[] = {OP(0xD0, 0, 0)};
static const w2e_const_op op_i32_16[] = {OP(0x41, 0, 16)};
#define EXPR(ops) {ops, sizeof ops / sizeof ops[0], 0}
static const w2e_const_expr active_items[] = {EXPR(op_reffunc1), EXPR(op_reffunc2)};
static const w2e_const_expr passive_items[] = {EXPR(op_reffunc4), EXPR(op_refnull), EXPR(op_reffunc1)};

static const w2e_import imports_a[] = {
    {"env", "host", 3, 4, W2E_EXTERN_FUNC, 2},
    {"env", "g", 3, 1, W2E_EXTERN_GLOBAL, 0},
};
static const w2e_table_type tables_a[] = {{W2E_FUNCREF, 1, 4, 10, {0, 0, 0}}};
static const w2e_memory_type memories_a[] = {{1, 4, 1, 0}};
static const w2e_global_type globals_a[] = {
    {W2E_I32, 0, {0, 0, 0}},
    {W2E_I32, 1, EXPR(op_seven)},
    {W2E_I32, 0, EXPR(op_extended)},
    {W2E_FUNCREF, 0, EXPR(op_reffunc4)},
};
#define EXP(n, k, i) {n, sizeof n - 1, k, i, 0}
static const w2e_export exports_a[] = {
    EXP("load", W2E_EXTERN_FUNC, 1), EXP("unreachable", W2E_EXTERN_FUNC, 2),
    EXP("call_host", W2E_EXTERN_FUNC, 3), EXP("recurse", W2E_EXTERN_FUNC, 4),
    EXP("div", W2E_EXTERN_FUNC, 5), EXP("fill", W2E_EXTERN_FUNC, 6),
    EXP("grow", W2E_EXTERN_FUNC, 7), EXP("call_indirect", W2E_EXTERN_FUNC, 9),
    EXP("ill", W2E_EXTERN_FUNC, 10), EXP("nested", W2E_EXTERN_FUNC, 11),
    EXP("host", W2E_EXTERN_FUNC, 0), EXP("table", W2E_EXTERN_TABLE, 0),
    EXP("memory", W2E_EXTERN_MEMORY, 0), EXP("g_imp", W2E_EXTERN_GLOBAL, 0),
    EXP("g_mut", W2E_EXTERN_GLOBAL, 1), EXP("g_ext", W2E_EXTERN_GLOBAL, 2),
    EXP("g_ref", W2E_EXTERN_GLOBAL, 3),
};
static const w2e_elem_segment elems_a[] = {
    {W2E_SEGMENT_ACTIVE, 0, EXPR(op_gget0), W2E_FUNCREF, 2, active_items},
    {W2E_SEGMENT_PASSIVE, 0, {0, 0, 0}, W2E_FUNCREF, 3, passive_items},
    {W2E_SEGMENT_DECLARATIVE, 0, {0, 0, 0}, W2E_FUNCREF, 1, passive_items},
};
static const w2e_data_segment datas_a[] = {
    {W2E_SEGMENT_ACTIVE, 0, EXPR(op_i32_16), (const uint8_t *)"hello", 5, 0},
    {W2E_SEGMENT_PASSIVE, 0, {0, 0, 0}, (const uint8_t *)"world!", 6, 0},
};

static w2e_module module_a(void) {
  w2e_module m;
  memset(&m, 0, sizeof m);
  m.abi_version = W2E_ABI_VERSION;
  m.vmctx_size = VMCTX_SIZE;
  m.vmctx_func_refs = OFF_FUNC_REFS;
  m.vmctx_defined_func_refs = OFF_DEF_REFS;
  m.vmctx_tables = OFF_TABLES;
  m.vmctx_imported_globals = OFF_IMP_GLOBALS;
  m.vmctx_defined_globals = OFF_DEF_GLOBALS;
  m.vmctx_tags = OFF_TAGS;
  m.vmctx_host_code = OFF_HOST_CODE;
  m.types = types, m.num_types = 3;
  m.imports = imports_a, m.num_imports = 2;
  m.funcs = funcs, m.num_funcs = NFUNCS, m.num_imported_funcs = NIMPF;
  m.tables = tables_a, m.num_tables = 1;
  m.memories = memories_a, m.num_memories = 1;
  m.globals = globals_a, m.num_globals = NGLOBALS, m.num_imported_globals = NIMPG;
  m.exports = exports_a, m.num_exports = sizeof exports_a / sizeof exports_a[0];
  m.elems = elems_a, m.num_elems = 3;
  m.datas = datas_a, m.num_datas = 2;
  m.traps = traps, m.num_traps = num_traps;
  m.start_func = 8;
  m.name = "a";
  m.name_len = 1;
  return m;
}

static w2e_module mod_a;
static w2e_value imported_g = {.i32 = 1};

static uint32_t call_ii(w2e_instance *inst, const char *name, uint32_t a, uint32_t b, uint32_t *out) {
  w2e_extern f;
  if (!w2e_instance_export(inst, name, strlen(name), &f)) {
    fprintf(stderr, "no export %s\n", name);
    exit(1);
  }
  w2e_value args[2];
  memset(args, 0, sizeof args);
  args[0].i32 = a;
  args[1].i32 = b;
  uint32_t trap = w2e_call(&f, args);
  if (!trap && out) *out = args[0].i32;
  return trap;
}

static w2e_instance *instantiate_a(w2e_error *err, const void *host, w2e_value *g, uint32_t gkind) {
  w2e_extern imps[2];
  memset(imps, 0, sizeof imps);
  imps[0].kind = W2E_EXTERN_FUNC;
  imps[0].host_code = host;
  imps[1].kind = W2E_EXTERN_GLOBAL;
  imps[1].u.global = g;
  imps[1].global_kind = gkind;
  return w2e_instantiate(&mod_a, imps, err);
}

static void test_module_a(void) {
  w2e_error err;
  w2e_instance *inst = instantiate_a(&err, (const void *)host_add, &imported_g, W2E_I32);
  if (!inst) {
    fprintf(stderr, "instantiate: %s\n", err.message);
    exit(1);
  }
  w2e_vmctx *vm = w2e_instance_vmctx(inst);
  CHECK(w2e_instance_module(inst) == &mod_a);
  CHECK(((uintptr_t)vm & 15) == 0);
  CHECK(vm->stack_limit != 0);

  /* Globals: start function ran, const exprs evaluated. */
  w2e_extern e;
  CHECK(w2e_instance_export(inst, "g_mut", 5, &e) && e.u.global->i32 == 42 && e.global_mutable == 1);
  CHECK(w2e_instance_export(inst, "g_ext", 5, &e) && e.u.global->i32 == 11);
  CHECK(w2e_instance_export(inst, "g_imp", 5, &e) && e.u.global == &imported_g);
  CHECK(w2e_instance_export(inst, "g_ref", 5, &e) && e.u.global->ref == FUNC_REFS(vm)[4]);
  CHECK(!w2e_instance_export(inst, "g_re", 4, &e));
  CHECK(!w2e_instance_export(inst, "nope", 4, &e));

  /* Function refs. */
  CHECK(FUNC_REFS(vm)[1]->code == (const void *)f_load && FUNC_REFS(vm)[1]->vmctx == vm);
  CHECK(FUNC_REFS(vm)[1]->type_id == 0x2222);
  CHECK(FUNC_REFS(vm)[0]->code == (const void *)f_adapter && FUNC_REFS(vm)[0]->vmctx == vm);
  CHECK(HOST_CODE(vm)[0] == (const void *)host_add);
  CHECK(w2e_instance_export(inst, "host", 4, &e) && e.u.func == FUNC_REFS(vm)[0] && e.functype == &types[2]);

  /* Memory and the active data segment. */
  CHECK(w2e_instance_export(inst, "memory", 6, &e) && e.u.memory == vm->memory);
  CHECK(vm->memory_base == vm->memory->base && vm->memory->size == 65536);
  CHECK(memcmp(vm->memory_base + 16, "hello", 5) == 0);

  /* Table: active segment at offset global 0 (= 1). */
  w2e_table *t = TABLES(vm)[0];
  CHECK(t->size == 4 && t->max == 10);
  CHECK(t->elements[0] == NULL && t->elements[1] == FUNC_REFS(vm)[1] && t->elements[2] == FUNC_REFS(vm)[2]);

  uint32_t r = 0;
  /* Host import through its adapter. */
  CHECK(call_ii(inst, "call_host", 2, 3, &r) == 0 && r == 6);
  /* call_indirect. */
  CHECK(call_ii(inst, "call_indirect", 0, 0, NULL) == W2E_TRAP_UNINITIALIZED_ELEMENT);
  CHECK(call_ii(inst, "call_indirect", 7, 0, NULL) == W2E_TRAP_UNDEFINED_ELEMENT);
  CHECK(call_ii(inst, "call_indirect", 2, 0, NULL) == W2E_TRAP_UNREACHABLE); /* f2 traps */
  fprintf(stderr, "-- expected backtrace: unreachable, call_indirect\n");
  w2e_print_trap(W2E_TRAP_UNREACHABLE);
  /* Out-of-bounds loads fault in the guard region. */
  CHECK(call_ii(inst, "load", 16, 0, &r) == 0 && r == 'h');
  CHECK(call_ii(inst, "load", 65536, 0, NULL) == W2E_TRAP_MEMORY_OUT_OF_BOUNDS);
  CHECK(call_ii(inst, "load", 0xFFFFFFFFu, 0, NULL) == W2E_TRAP_MEMORY_OUT_OF_BOUNDS);
  fprintf(stderr, "-- expected backtrace: load\n");
  w2e_print_trap(W2E_TRAP_MEMORY_OUT_OF_BOUNDS);
  /* Hardware divide by zero (x86: SIGFPE without a trap entry). */
  CHECK(call_ii(inst, "div", 7, 2, &r) == 0 && r == 3);
#if defined(__x86_64__)
  CHECK(call_ii(inst, "div", 7, 0, NULL) == W2E_TRAP_INT_DIV_BY_ZERO);
  /* A trap instruction with a trap entry. */
  CHECK(num_traps == 1);
  CHECK(call_ii(inst, "ill", 1, 0, NULL) == W2E_TRAP_INT_OVERFLOW);
  fprintf(stderr, "-- expected backtrace: ill\n");
  w2e_print_trap(W2E_TRAP_INT_OVERFLOW);
#endif
  CHECK(call_ii(inst, "ill", 12345, 0, &r) == 0 && r == 12345);
  /* Builtins: fill in and out of bounds; the trap's backtrace skips the C builtin. */
  CHECK(call_ii(inst, "fill", 100, 10, NULL) == 0 && vm->memory_base[109] == 0xAB && vm->memory_base[110] == 0);
  CHECK(call_ii(inst, "fill", 65530, 6, NULL) == 0);
  CHECK(call_ii(inst, "fill", 65530, 7, NULL) == W2E_TRAP_MEMORY_OUT_OF_BOUNDS);
  CHECK(call_ii(inst, "fill", 0xFFFFFFFFu, 2, NULL) == W2E_TRAP_MEMORY_OUT_OF_BOUNDS);
  fprintf(stderr, "-- expected backtrace: fill\n");
  w2e_print_trap(W2E_TRAP_MEMORY_OUT_OF_BOUNDS);
  CHECK(vm->memory_base[65535] == 0xAB);
  /* Unreachable via w2e_raise_trap. */
  CHECK(call_ii(inst, "unreachable", 0, 0, NULL) == W2E_TRAP_UNREACHABLE);
  /* Nested calls: wasm -> host -> wasm (traps) -> host returns -> wasm returns. */
  CHECK(w2e_instance_export(inst, "unreachable", 11, &nested_target));
  nested_result = 99;
  CHECK(call_ii(inst, "nested", 5, 0, &r) == 0 && r == 1006 && nested_result == W2E_TRAP_UNREACHABLE);
  /* Stack exhaustion is caught by the limit check, not by a crash. */
  CHECK(call_ii(inst, "recurse", 100, 0, &r) == 0 && r == 100);
  CHECK(call_ii(inst, "recurse", 100000000, 0, NULL) == W2E_TRAP_STACK_EXHAUSTED);
  CHECK(call_ii(inst, "recurse", 1000, 0, &r) == 0 && r == 1000); /* still usable */
  no_stack_check = 1; /* a fault on the guard page in wasm code is a stack overflow too */
  CHECK(call_ii(inst, "recurse", 100000000, 0, NULL) == W2E_TRAP_STACK_EXHAUSTED);
  no_stack_check = 0;
  CHECK(call_ii(inst, "recurse", 1000, 0, &r) == 0 && r == 1000);

  /* memory.grow. */
  CHECK(call_ii(inst, "grow", 1, 0, &r) == 0 && r == 1);
  CHECK(call_ii(inst, "grow", 3, 0, &r) == 0 && r == UINT32_MAX);
  CHECK(call_ii(inst, "grow", 0, 0, &r) == 0 && r == 2);
  CHECK(call_ii(inst, "load", 65536 * 2 - 1, 0, &r) == 0 && r == 0);
  CHECK(call_ii(inst, "grow", 2, 0, &r) == 0 && r == 2);
  CHECK(vm->memory->size == 4 * 65536 && call_ii(inst, "load", 4 * 65536 - 1, 0, &r) == 0);
  CHECK(call_ii(inst, "grow", 1, 0, &r) == 0 && r == UINT32_MAX);

  /* Builtins called directly (in bounds: a trap here would end the process). */
  memcpy(vm->memory_base, "abcdef", 6);
  w2e_memory_copy(vm, 2, 0, 4); /* overlapping, forward */
  CHECK(memcmp(vm->memory_base, "ababcd", 6) == 0);
  w2e_memory_copy(vm, 0, 2, 4);
  CHECK(memcmp(vm->memory_base, "abcdcd", 6) == 0);
  w2e_memory_init(vm, 1, 1000, 1, 5);
  CHECK(memcmp(vm->memory_base + 1000, "orld!", 5) == 0);
  w2e_memory_init(vm, 0, 0, 0, 0); /* segment 0 was dropped after instantiation: len 0 is OK */
  w2e_data_drop(vm, 1);
  w2e_memory_init(vm, 1, 4 * 65536, 0, 0); /* dst == size with len 0 is OK */

  /* Tables. */
  CHECK(w2e_table_grow(vm, 0, FUNC_REFS(vm)[3], 2) == 4 && t->size == 6 && t->elements[5] == FUNC_REFS(vm)[3]);
  CHECK(w2e_table_grow(vm, 0, NULL, 5) == UINT32_MAX && t->size == 6);
  CHECK(w2e_table_grow(vm, 0, NULL, 0) == 6);
  w2e_table_init(vm, 0, 1, 3, 0, 3);
  CHECK(t->elements[3] == FUNC_REFS(vm)[4] && t->elements[4] == NULL && t->elements[5] == FUNC_REFS(vm)[1]);
  w2e_table_copy(vm, 0, 0, 0, 1, 5);
  CHECK(t->elements[0] == FUNC_REFS(vm)[1] && t->elements[2] == FUNC_REFS(vm)[4] && t->elements[4] == FUNC_REFS(vm)[1]);
  w2e_table_fill(vm, 0, 4, NULL, 2);
  CHECK(t->elements[4] == NULL && t->elements[5] == NULL && t->elements[3] == NULL);
  w2e_elem_drop(vm, 1);
  w2e_table_init(vm, 0, 1, 0, 0, 0);
  CHECK(call_ii(inst, "call_indirect", 0, 0, &r) == 0 && r == 'a'); /* f1 = load(0) */
#if defined(__x86_64__)
  t->elements[1] = FUNC_REFS(vm)[10]; /* ill: a signal two wasm frames deep */
  CHECK(call_ii(inst, "call_indirect", 1, 0, NULL) == W2E_TRAP_INT_OVERFLOW);
  fprintf(stderr, "-- expected backtrace: ill, call_indirect\n");
  w2e_print_trap(W2E_TRAP_INT_OVERFLOW);
#endif
  t->elements[1] = FUNC_REFS(vm)[3]; /* call_host: another type */
  CHECK(call_ii(inst, "call_indirect", 1, 0, NULL) == W2E_TRAP_INDIRECT_CALL_TYPE);

  /* Import checks. */
  w2e_instance *bad = instantiate_a(&err, (const void *)host_add, &imported_g, W2E_I64);
  CHECK(!bad && !err.is_trap && strcmp(err.message, "incompatible import type") == 0);
  bad = instantiate_a(&err, NULL, &imported_g, W2E_I32);
  CHECK(!bad && !err.is_trap && strcmp(err.message, "incompatible import type") == 0);
}

/* ---- Module B: imports A's table and memory; segments that trap ---- */
static const w2e_import imports_b[] = {
    {"a", "table", 1, 5, W2E_EXTERN_TABLE, 0},
    {"a", "memory", 1, 6, W2E_EXTERN_MEMORY, 0},
};
static const w2e_table_type tables_b[] = {{W2E_FUNCREF, 0, 2, 0, {0, 0, 0}}};
static const w2e_memory_type memories_b[] = {{1, 0, 0, 0}};
static const w2e_const_op op_zero[] = {OP(0x41, 0, 0)};
static const w2e_const_op op_five[] = {OP(0x41, 0, 5)};
static const w2e_const_expr null_items[] = {EXPR(op_refnull), EXPR(op_refnull)};
static const w2e_elem_segment elems_b[] = {
    {W2E_SEGMENT_ACTIVE, 0, EXPR(op_zero), W2E_FUNCREF, 2, null_items},
    {W2E_SEGMENT_ACTIVE, 0, EXPR(op_five), W2E_FUNCREF, 2, null_items},
};
static const w2e_const_op op_data_end[] = {OP(0x41, 0, 4 * 65536 - 2)};
static const w2e_data_segment datas_b[] = {
    {W2E_SEGMENT_ACTIVE, 0, EXPR(op_zero), (const uint8_t *)"XY", 2, 0},
    {W2E_SEGMENT_ACTIVE, 0, EXPR(op_data_end), (const uint8_t *)"XYZ", 3, 0},
};

static w2e_module module_b(uint32_t num_elems, uint32_t table_max, uint32_t mem_max) {
  static w2e_table_type tt[1];
  static w2e_memory_type mt[1];
  tt[0] = tables_b[0];
  mt[0] = memories_b[0];
  if (table_max) tt[0].has_max = 1, tt[0].max = table_max;
  if (mem_max) mt[0].has_max = 1, mt[0].max_pages = mem_max;
  w2e_module m;
  memset(&m, 0, sizeof m);
  m.abi_version = W2E_ABI_VERSION;
  m.vmctx_size = 64;
  m.vmctx_func_refs = 32;
  m.vmctx_defined_func_refs = 32;
  m.vmctx_tables = 32;
  m.vmctx_imported_globals = 40;
  m.vmctx_defined_globals = 48;
  m.vmctx_tags = 48;
  m.vmctx_host_code = 48;
  m.types = types, m.num_types = 3;
  m.imports = imports_b, m.num_imports = 2;
  m.funcs = funcs;
  m.tables = tt, m.num_tables = 1, m.num_imported_tables = 1;
  m.memories = mt, m.num_memories = 1, m.num_imported_memories = 1;
  m.elems = elems_b, m.num_elems = num_elems;
  m.datas = datas_b, m.num_datas = 2;
  m.start_func = UINT32_MAX;
  return m;
}

static void test_module_b(w2e_instance *a) {
  w2e_extern imps[2];
  w2e_error err;
  CHECK(w2e_instance_export(a, "table", 5, &imps[0]) && w2e_instance_export(a, "memory", 6, &imps[1]));
  w2e_table *t = imps[0].u.table;
  w2e_memory *mem = imps[1].u.memory;
  t->elements[0] = t->elements[1] = (void *)&types; /* any non-null marker */
  /* Table max mismatch: A's table has max 10, B declares max 8. */
  w2e_module m = module_b(2, 8, 0);
  CHECK(!w2e_instantiate(&m, imps, &err) && !err.is_trap && strcmp(err.message, "incompatible import type") == 0);
  CHECK(t->elements[0] != NULL); /* nothing applied */
  /* Memory max mismatch: A's memory has max 4, B declares max 3; and an unbounded-vs-max case. */
  m = module_b(2, 10, 3);
  CHECK(!w2e_instantiate(&m, imps, &err) && strcmp(err.message, "incompatible import type") == 0);
  w2e_memory *unbounded = w2e_memory_new(1, 0, false);
  CHECK(unbounded && unbounded->max_pages == UINT64_MAX);
  w2e_extern imps2[2] = {imps[0], imps[1]};
  imps2[1].u.memory = unbounded;
  m = module_b(2, 10, 65536);
  CHECK(!w2e_instantiate(&m, imps2, &err) && strcmp(err.message, "incompatible import type") == 0);
  /* Kind mismatch. */
  imps2[1] = imps[0];
  CHECK(!w2e_instantiate(&m, imps2, &err) && strcmp(err.message, "incompatible import type") == 0);
  /* Element segment 1 is out of bounds (table size 6): segment 0 stays applied; no data. */
  m = module_b(2, 10, 4);
  CHECK(!w2e_instantiate(&m, imps, &err) && err.is_trap && err.trap_kind == W2E_TRAP_TABLE_OUT_OF_BOUNDS &&
        strcmp(err.message, "out of bounds table access") == 0);
  CHECK(t->elements[0] == NULL && t->elements[1] == NULL);
  CHECK(mem->base[0] != 'X');
  /* Data segment 1 is out of bounds: segment 0 stays applied. */
  m = module_b(1, 0, 0);
  CHECK(!w2e_instantiate(&m, imps, &err) && err.is_trap && err.trap_kind == W2E_TRAP_MEMORY_OUT_OF_BOUNDS &&
        strcmp(err.message, "out of bounds memory access") == 0);
  CHECK(mem->base[0] == 'X' && mem->base[1] == 'Y' && mem->base[mem->size - 1] == 0);
  /* A bad descriptor fails cleanly. */
  m.abi_version = 99;
  CHECK(!w2e_instantiate(&m, imps, &err) && !err.is_trap);
  m = module_b(1, 0, 0);
  m.vmctx_size = 40;
  CHECK(!w2e_instantiate(&m, imps, &err) && strcmp(err.message, "malformed module descriptor") == 0);
}

static void test_messages(void) {
  CHECK(strcmp(w2e_trap_message(W2E_TRAP_INT_DIV_BY_ZERO), "integer divide by zero") == 0);
  CHECK(strcmp(w2e_trap_message(W2E_TRAP_STACK_EXHAUSTED), "call stack exhausted") == 0);
  CHECK(strcmp(w2e_trap_message(W2E_TRAP_STUB_IMPORT), "call to a stubbed import") == 0);
  CHECK(strcmp(w2e_trap_message(1000), "unknown trap") == 0);
  CHECK(w2e_memory_new(2, 1, true) == NULL && w2e_memory_new(65537, 0, false) == NULL);
  CHECK(w2e_table_new(W2E_FUNCREF, 5, 4, true) == NULL);
}

int main(void) {
  w2e_runtime_init();
  make_funcs();
  make_traps();
  mod_a = module_a();
  test_messages();
  test_module_a();
  w2e_error err;
  w2e_instance *a = instantiate_a(&err, (const void *)host_add, &imported_g, W2E_I32);
  CHECK(a != NULL);
  if (a) test_module_b(a);
  if (failures) {
    fprintf(stderr, "%d failure(s)\n", failures);
    return 1;
  }
  fprintf(stderr, "all runtime tests passed\n");
  return 0;
}
