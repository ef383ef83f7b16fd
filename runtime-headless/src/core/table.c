/*
 * table.c: tables of references and the table builtins the generated code calls.
 *
 * A table is a growable array of pointers (w2e_funcref* for funcref tables, an opaque pointer
 * for externref; NULL is the null reference). The generated code reads `elements` and `size`
 * directly for table.get/set and call_indirect, so both are updated together on growth.
 */
#include "core/w2e_internal.h"

#include <stdlib.h>
#include <string.h>

/* Growth beyond this many elements fails (table.grow returns -1), as in wasmtime: it keeps a
 * runaway grow from exhausting host memory. */
#define W2E_TABLE_LIMIT 10000000u

w2e_table *w2e_table_new(uint32_t elem_kind, uint32_t min, uint32_t max, bool has_max) {
  if ((has_max && max < min) || min > W2E_TABLE_LIMIT) return NULL;
  w2e_table *t = calloc(1, sizeof *t);
  if (!t) return NULL;
  t->elements = calloc(min ? min : 1, sizeof(void *));
  if (!t->elements) {
    free(t);
    return NULL;
  }
  t->size = min;
  t->capacity = min;
  t->max = has_max ? max : UINT32_MAX;
  t->elem_kind = elem_kind;
  return t;
}

static w2e_table *table_at(w2e_vmctx *vmctx, uint32_t index) {
  return w2e_vm_tables(vmctx)[index];
}

/* True when [start, start+len) fits in `size` elements. */
static inline bool in_bounds(uint64_t start, uint64_t len, uint64_t size) {
  return start <= size && len <= size - start;
}

uint32_t w2e_table_grow(w2e_vmctx *vmctx, uint32_t table, void *init, uint32_t delta) {
  w2e_table *t = table_at(vmctx, table);
  uint32_t old = t->size;
  uint64_t want = (uint64_t)old + delta;
  if (want > t->max || want > W2E_TABLE_LIMIT) return UINT32_MAX;
  if (want > t->capacity) {
    uint64_t cap = (uint64_t)t->capacity * 2;
    if (cap < want) cap = want;
    if (cap > W2E_TABLE_LIMIT) cap = W2E_TABLE_LIMIT;
    void **elements = realloc(t->elements, (size_t)cap * sizeof(void *));
    if (!elements) return UINT32_MAX;
    t->elements = elements;
    t->capacity = (uint32_t)cap;
  }
  for (uint64_t i = old; i < want; i++) t->elements[i] = init;
  t->size = (uint32_t)want;
  return old;
}

void w2e_table_fill(w2e_vmctx *vmctx, uint32_t table, uint32_t dst, void *value, uint32_t len) {
  w2e_table *t = table_at(vmctx, table);
  if (!in_bounds(dst, len, t->size)) w2e_raise_trap(W2E_TRAP_TABLE_OUT_OF_BOUNDS);
  for (uint32_t i = 0; i < len; i++) t->elements[dst + i] = value;
}

void w2e_table_copy(w2e_vmctx *vmctx, uint32_t dst_table, uint32_t src_table, uint32_t dst,
                    uint32_t src, uint32_t len) {
  w2e_table *d = table_at(vmctx, dst_table);
  w2e_table *s = table_at(vmctx, src_table);
  if (!in_bounds(dst, len, d->size) || !in_bounds(src, len, s->size))
    w2e_raise_trap(W2E_TRAP_TABLE_OUT_OF_BOUNDS);
  if (len) memmove(d->elements + dst, s->elements + src, (size_t)len * sizeof(void *));
}

uint32_t w2e_table_init_checked(w2e_vmctx *vm, uint32_t table, uint32_t segment, uint64_t dst,
                                uint64_t src, uint64_t len) {
  w2e_instance *inst = vm->instance;
  const w2e_module *m = inst->module;
  if (table >= m->num_tables || segment >= m->num_elems) return W2E_TRAP_TABLE_OUT_OF_BOUNDS;
  w2e_table *t = table_at(vm, table);
  const w2e_elem_segment *seg = &m->elems[segment];
  uint64_t seg_len = inst->elem_dropped[segment] ? 0 : seg->num_items;
  if (!in_bounds(src, len, seg_len) || !in_bounds(dst, len, t->size))
    return W2E_TRAP_TABLE_OUT_OF_BOUNDS;
  for (uint64_t i = 0; i < len; i++) {
    w2e_value v;
    /* The compiler validated the items; a malformed one yields null rather than garbage. */
    if (!w2e_eval_const(vm, &seg->items[src + i], &v)) v.ref = NULL;
    t->elements[dst + i] = v.ref;
  }
  return W2E_TRAP_NONE;
}

void w2e_table_init(w2e_vmctx *vmctx, uint32_t table, uint32_t segment, uint32_t dst, uint32_t src,
                    uint32_t len) {
  uint32_t trap = w2e_table_init_checked(vmctx, table, segment, dst, src, len);
  if (trap) w2e_raise_trap(trap);
}

void w2e_elem_drop(w2e_vmctx *vmctx, uint32_t segment) {
  w2e_instance *inst = vmctx->instance;
  if (segment < inst->module->num_elems) inst->elem_dropped[segment] = 1;
}
