/*
 * driver.c: the spec-test driver, linked with the compiled modules of one .wast file and the
 * runtime into one executable. It executes a script the harness wrote (argv[1]) and reports
 * what happened, one line per command, flushed at once so a crash loses nothing. It judges
 * nothing: expected values, NaN patterns and trap messages are compared by the harness.
 *
 * Script (one command per line; ID is the harness's step number):
 *   slots N                         number of instance slots
 *   inst ID SLOT MODULE             instantiate spec_modules[MODULE] into SLOT
 *   reg ID SLOT NAME                make SLOT's exports importable as module NAME
 *   call ID SLOT NAME ARG...        call export NAME; ARG is KIND:HEX (see values.rs)
 *   get ID SLOT NAME                read exported global NAME; for an exported memory (the
 *                                   fuzzer's check of final state): its pages and CRC-32
 * NAME is `x` followed by the name's bytes in hex (so the empty name is `x`).
 * Output:
 *   ID ok | ID ret VALUE... | ID trap MESSAGE | ID link MESSAGE | ID error MESSAGE
 */
#define _GNU_SOURCE
#include "w2e_runtime.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Argument/result arrays hold v128 values: 16-byte aligned. Windows has no aligned_alloc. */
#ifdef _WIN32
#include <malloc.h>
#define values_alloc(size) _aligned_malloc((size), 16)
#define values_free(p) _aligned_free(p)
#else
#define values_alloc(size) aligned_alloc(16, (size))
#define values_free(p) free(p)
#endif

extern const w2e_module *const spec_modules[];
extern const unsigned spec_num_modules;

static w2e_instance **slots;
static unsigned num_slots;

typedef struct registration {
  char *name;
  size_t len;
  w2e_instance *instance;
} registration;
static registration *regs;
static unsigned num_regs;

/* ---- The spectest host module ---- */

static void host_print(void *vmctx) { (void)vmctx; }
static void host_print_i32(void *vmctx, uint32_t a) { (void)vmctx, (void)a; }
static void host_print_i64(void *vmctx, uint64_t a) { (void)vmctx, (void)a; }
static void host_print_f32(void *vmctx, float a) { (void)vmctx, (void)a; }
static void host_print_f64(void *vmctx, double a) { (void)vmctx, (void)a; }
static void host_print_i32_f32(void *vmctx, uint32_t a, float b) { (void)vmctx, (void)a, (void)b; }
static void host_print_f64_f64(void *vmctx, double a, double b) { (void)vmctx, (void)a, (void)b; }

typedef struct host_func {
  const char *name;
  const void *code;
  uint32_t num_params;
  uint8_t params[2];
} host_func;

static const host_func host_funcs[] = {
    {"print", (const void *)host_print, 0, {0, 0}},
    {"print_i32", (const void *)host_print_i32, 1, {W2E_I32, 0}},
    {"print_i64", (const void *)host_print_i64, 1, {W2E_I64, 0}},
    {"print_f32", (const void *)host_print_f32, 1, {W2E_F32, 0}},
    {"print_f64", (const void *)host_print_f64, 1, {W2E_F64, 0}},
    {"print_i32_f32", (const void *)host_print_i32_f32, 2, {W2E_I32, W2E_F32}},
    {"print_f64_f64", (const void *)host_print_f64_f64, 2, {W2E_F64, W2E_F64}},
};

static w2e_value global_i32, global_i64, global_f32, global_f64;
static w2e_table *spectest_table;
static w2e_memory *spectest_memory;

static void spectest_init(void) {
  global_i32.i32 = 666;
  global_i64.i64 = 666;
  global_f32.f32 = 666.6f;
  global_f64.f64 = 666.6;
  spectest_table = w2e_table_new(W2E_FUNCREF, 10, 20, true);
  spectest_memory = w2e_memory_new(1, 2, true);
}

static bool name_is(const char *name, size_t len, const char *want) {
  return strlen(want) == len && memcmp(name, want, len) == 0;
}

/* Resolves an import of module "spectest". Returns NULL or the link error. */
static const char *spectest_import(const w2e_module *m, const w2e_import *imp, w2e_extern *out) {
  memset(out, 0, sizeof *out);
  out->kind = imp->kind;
  switch (imp->kind) {
    case W2E_EXTERN_FUNC:
      for (size_t i = 0; i < sizeof host_funcs / sizeof host_funcs[0]; i++) {
        const host_func *h = &host_funcs[i];
        if (!name_is(imp->name, imp->name_len, h->name)) continue;
        const w2e_functype *ty = &m->types[imp->index];
        if (ty->num_params != h->num_params || ty->num_results != 0 ||
            memcmp(ty->kinds, h->params, h->num_params) != 0)
          return "incompatible import type";
        out->functype = ty;
        out->host_code = h->code;
        return NULL;
      }
      return "unknown import";
    case W2E_EXTERN_GLOBAL: {
      static const struct { const char *name; uint32_t kind; w2e_value *value; } globals[] = {
          {"global_i32", W2E_I32, &global_i32},
          {"global_i64", W2E_I64, &global_i64},
          {"global_f32", W2E_F32, &global_f32},
          {"global_f64", W2E_F64, &global_f64},
      };
      for (size_t i = 0; i < sizeof globals / sizeof globals[0]; i++) {
        if (!name_is(imp->name, imp->name_len, globals[i].name)) continue;
        out->u.global = globals[i].value;
        out->global_kind = globals[i].kind;
        out->global_mutable = 0;
        return NULL;
      }
      return "unknown import";
    }
    case W2E_EXTERN_TABLE: {
      if (!name_is(imp->name, imp->name_len, "table")) return "unknown import";
      const w2e_table_type *tt = &m->tables[imp->index];
      const w2e_table *t = spectest_table;
      if (tt->elem_kind != t->elem_kind || t->size < tt->min ||
          (tt->has_max && (t->max == UINT32_MAX || t->max > tt->max)))
        return "incompatible import type";
      out->u.table = spectest_table;
      return NULL;
    }
    case W2E_EXTERN_MEMORY: {
      if (!name_is(imp->name, imp->name_len, "memory")) return "unknown import";
      const w2e_memory_type *mt = &m->memories[imp->index];
      if (spectest_memory->size / 65536 < mt->min_pages ||
          (mt->has_max && spectest_memory->max_pages > mt->max_pages))
        return "incompatible import type";
      out->u.memory = spectest_memory;
      return NULL;
    }
    default:
      return "unknown import";
  }
}

/* Resolves every import of `m` against registered instances, then spectest. Checks what the
 * runtime may not (extern kind, function signature, global type); returns NULL or the error. */
static const char *resolve_imports(const w2e_module *m, w2e_extern *out) {
  for (uint32_t i = 0; i < m->num_imports; i++) {
    const w2e_import *imp = &m->imports[i];
    const registration *reg = NULL;
    for (unsigned r = num_regs; r-- > 0;) {
      if (regs[r].len == imp->module_len && memcmp(regs[r].name, imp->module, imp->module_len) == 0) {
        reg = &regs[r];
        break;
      }
    }
    if (!reg) {
      if (!name_is(imp->module, imp->module_len, "spectest")) return "unknown import";
      const char *err = spectest_import(m, imp, &out[i]);
      if (err) return err;
      continue;
    }
    if (!w2e_instance_export(reg->instance, imp->name, imp->name_len, &out[i])) return "unknown import";
    if (out[i].kind != imp->kind) return "incompatible import type";
    if (imp->kind == W2E_EXTERN_FUNC && out[i].functype &&
        out[i].functype->type_id != m->types[imp->index].type_id)
      return "incompatible import type";
    if (imp->kind == W2E_EXTERN_GLOBAL) {
      const w2e_global_type *gt = &m->globals[imp->index];
      if (gt->kind != out[i].global_kind || gt->is_mutable != out[i].global_mutable)
        return "incompatible import type";
    }
  }
  return NULL;
}

/* ---- Values ---- */

static const char *const kind_names[] = {"i32", "i64", "f32", "f64", "v128", "funcref", "externref", "exnref"};

static int hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/* Decodes a name token, `x` then hex (so "" is `x`), in place; returns its length or -1. */
static long unhex(char *s) {
  if (s[0] != 'x') return -1;
  size_t n = strlen(s + 1);
  if (n % 2) return -1;
  for (size_t i = 0; i < n / 2; i++) {
    int hi = hexval(s[1 + 2 * i]), lo = hexval(s[2 + 2 * i]);
    if (hi < 0 || lo < 0) return -1;
    s[i] = (char)(hi * 16 + lo);
  }
  return (long)(n / 2);
}

/* Parses KIND:HEX of the expected kind into `v`. */
static bool parse_value(const char *text, uint8_t kind, w2e_value *v) {
  const char *colon = strchr(text, ':');
  if (!colon || kind >= sizeof kind_names / sizeof kind_names[0]) return false;
  size_t klen = (size_t)(colon - text);
  if (strlen(kind_names[kind]) != klen || memcmp(text, kind_names[kind], klen) != 0) return false;
  const char *hex = colon + 1;
  memset(v, 0, sizeof *v);
  if (kind == W2E_V128) {
    if (strlen(hex) != 32) return false;
    for (int i = 0; i < 16; i++) {
      int hi = hexval(hex[2 * i]), lo = hexval(hex[2 * i + 1]);
      if (hi < 0 || lo < 0) return false;
      v->v128[i] = (uint8_t)(hi * 16 + lo);
    }
    return true;
  }
  char *end;
  uint64_t x = strtoull(hex, &end, 16);
  if (*hex == 0 || *end) return false;
  switch (kind) {
    case W2E_I32: case W2E_F32: v->i32 = (uint32_t)x; break;
    case W2E_I64: case W2E_F64: v->i64 = x; break;
    default: v->ref = (void *)(uintptr_t)x; break;
  }
  return true;
}

static void print_value(uint8_t kind, const w2e_value *v) {
  switch (kind) {
    case W2E_I32: case W2E_F32: printf(" %s:%" PRIx32, kind_names[kind], v->i32); break;
    case W2E_I64: case W2E_F64: printf(" %s:%" PRIx64, kind_names[kind], v->i64); break;
    case W2E_V128:
      printf(" v128:");
      for (int i = 0; i < 16; i++) printf("%02x", v->v128[i]);
      break;
    default:
      printf(" %s:%" PRIxPTR, kind < 8 ? kind_names[kind] : "unknown", (uintptr_t)v->ref);
      break;
  }
}

/* ---- Commands ---- */

/* Prints "ID WHAT MESSAGE" with the message kept on one line. */
static void report(unsigned long id, const char *what, const char *msg) {
  printf("%lu %s ", id, what);
  for (const char *p = msg; *p; p++) putchar((unsigned char)*p < 0x20 ? '?' : *p);
  putchar('\n');
}

static w2e_instance *slot(unsigned long id, const char *token) {
  unsigned long s = strtoul(token ? token : "", NULL, 10);
  if (!token || s >= num_slots) {
    report(id, "error", "bad slot");
    return NULL;
  }
  if (!slots[s]) report(id, "error", "no instance");
  return slots[s];
}

static void cmd_inst(unsigned long id, char *save) {
  char *s = strtok_r(NULL, " ", &save), *m = strtok_r(NULL, " ", &save);
  unsigned long si = strtoul(s ? s : "", NULL, 10), mi = strtoul(m ? m : "", NULL, 10);
  if (!s || !m || si >= num_slots || mi >= spec_num_modules || !spec_modules[mi]) {
    report(id, "error", "bad inst command");
    return;
  }
  const w2e_module *module = spec_modules[mi];
  w2e_extern *imports = calloc(module->num_imports + 1, sizeof *imports);
  const char *link_error = resolve_imports(module, imports);
  if (link_error) {
    report(id, "link", link_error);
    free(imports);
    return;
  }
  w2e_error err;
  memset(&err, 0, sizeof err);
  slots[si] = w2e_instantiate(module, imports, &err);
  free(imports);
  if (slots[si]) {
    printf("%lu ok\n", id);
  } else if (err.is_trap) {
    report(id, "trap", err.trap_kind ? w2e_trap_message(err.trap_kind) : err.message);
  } else {
    report(id, "link", err.message);
  }
}

static void cmd_reg(unsigned long id, char *save) {
  w2e_instance *inst = slot(id, strtok_r(NULL, " ", &save));
  char *name = strtok_r(NULL, " ", &save);
  if (!inst) return;
  long len = name ? unhex(name) : -1;
  if (len < 0) {
    report(id, "error", "bad name");
    return;
  }
  regs = realloc(regs, (num_regs + 1) * sizeof *regs);
  regs[num_regs].name = malloc((size_t)len + 1);
  memcpy(regs[num_regs].name, name, (size_t)len);
  regs[num_regs].len = (size_t)len;
  regs[num_regs].instance = inst;
  num_regs++;
  printf("%lu ok\n", id);
}

/* Any kind of export, for lookup(). */
#define ANY_EXTERN_KIND UINT32_MAX

/* Looks up export NAME (the next token) of the instance in the next token. */
static bool lookup(unsigned long id, char **save, uint32_t kind, w2e_extern *out) {
  w2e_instance *inst = slot(id, strtok_r(NULL, " ", save));
  char *name = strtok_r(NULL, " ", save);
  if (!inst) return false;
  long len = name ? unhex(name) : -1;
  if (len < 0) {
    report(id, "error", "bad name");
    return false;
  }
  if (!w2e_instance_export(inst, name, (size_t)len, out)) {
    report(id, "error", "unknown export");
    return false;
  }
  if (kind != ANY_EXTERN_KIND && out->kind != kind) {
    report(id, "error", "export has the wrong kind");
    return false;
  }
  return true;
}

static void cmd_call(unsigned long id, char *save) {
  w2e_extern func;
  if (!lookup(id, &save, W2E_EXTERN_FUNC, &func)) return;
  const w2e_functype *ty = func.functype;
  if (!ty) {
    report(id, "error", "export has no signature");
    return;
  }
  uint32_t n = ty->num_params > ty->num_results ? ty->num_params : ty->num_results;
  w2e_value *vals = values_alloc((n + 1) * sizeof(w2e_value));
  memset(vals, 0, (n + 1) * sizeof(w2e_value));
  uint32_t i = 0;
  for (char *arg; (arg = strtok_r(NULL, " ", &save)); i++) {
    if (i >= ty->num_params || !parse_value(arg, ty->kinds[i], &vals[i])) {
      report(id, "error", "argument does not match the signature");
      values_free(vals);
      return;
    }
  }
  if (i != ty->num_params) {
    report(id, "error", "wrong number of arguments");
    values_free(vals);
    return;
  }
  uint32_t trap = w2e_call(&func, vals);
  if (trap != W2E_TRAP_NONE) {
    report(id, "trap", w2e_trap_message(trap));
  } else {
    printf("%lu ret", id);
    for (uint32_t r = 0; r < ty->num_results; r++) print_value(ty->kinds[ty->num_params + r], &vals[r]);
    putchar('\n');
  }
  values_free(vals);
}

/* CRC-32 (zlib's polynomial), so that the fuzzer's oracle can check it with zlib.crc32. */
static uint32_t crc32_of(const uint8_t *data, uint64_t len) {
  uint32_t crc = 0xffffffffu;
  for (uint64_t i = 0; i < len; i++) {
    crc ^= data[i];
    for (int bit = 0; bit < 8; bit++) crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
  }
  return ~crc;
}

static void cmd_get(unsigned long id, char *save) {
  w2e_extern global;
  if (!lookup(id, &save, ANY_EXTERN_KIND, &global)) return;
  if (global.kind == W2E_EXTERN_MEMORY) {
    const w2e_memory *memory = global.u.memory;
    printf("%lu ret i32:%" PRIx64 " i32:%" PRIx32 "\n", id, memory->size / 65536,
           crc32_of(memory->base, memory->size));
    return;
  }
  if (global.kind != W2E_EXTERN_GLOBAL) {
    report(id, "error", "export has the wrong kind");
    return;
  }
  printf("%lu ret", id);
  print_value((uint8_t)global.global_kind, global.u.global);
  putchar('\n');
}

/* getline(), which Windows' C library lacks: reads one line (with its newline) into *line,
 * growing it; returns its length, 0 at the end. */
static size_t read_line(char **line, size_t *cap, FILE *f) {
  size_t len = 0;
  for (int c; (c = fgetc(f)) != EOF;) {
    if (len + 2 > *cap) {
      *cap = *cap ? *cap * 2 : 256;
      *line = realloc(*line, *cap);
      if (!*line) abort();
    }
    (*line)[len++] = (char)c;
    if (c == '\n') break;
  }
  if (len) (*line)[len] = 0;
  return len;
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s SCRIPT\n", argv[0]);
    return 2;
  }
  FILE *script = fopen(argv[1], "r");
  if (!script) {
    perror(argv[1]);
    return 2;
  }
  w2e_runtime_init();
  spectest_init();

  char *line = NULL;
  size_t cap = 0;
  size_t len;
  while ((len = read_line(&line, &cap, script)) > 0) {
    if (line[len - 1] == '\n') line[len - 1] = 0;
    if (len > 1 && line[len - 2] == '\r') line[len - 2] = 0;
    char *save = NULL;
    char *cmd = strtok_r(line, " ", &save);
    char *id_text = strtok_r(NULL, " ", &save);
    if (!cmd || !id_text) continue;
    unsigned long id = strtoul(id_text, NULL, 10);
    if (strcmp(cmd, "slots") == 0) {
      num_slots = (unsigned)id;
      slots = calloc(num_slots + 1, sizeof *slots);
      continue;
    }
    if (strcmp(cmd, "inst") == 0) cmd_inst(id, save);
    else if (strcmp(cmd, "reg") == 0) cmd_reg(id, save);
    else if (strcmp(cmd, "call") == 0) cmd_call(id, save);
    else if (strcmp(cmd, "get") == 0) cmd_get(id, save);
    else report(id, "error", "unknown command");
    fflush(stdout);
  }
  free(line);
  fclose(script);
  return 0;
}
