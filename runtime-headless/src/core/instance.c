/*
 * instance.c: instantiation (imports, vmctx, globals, tables, memory, segments, start) and
 * export lookup, following the order of the WebAssembly spec's instantiation algorithm.
 *
 * Only memory index 0 is supported: the vmctx header has one memory slot and the builtins
 * take no memory index. Instances are never freed (they live for the whole process).
 */
#include "core/w2e_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- Constant expressions ---- */

#define CONST_STACK 64

w2e_value *w2e_global_storage(w2e_vmctx *vm, uint32_t index) {
  const w2e_module *m = vm->instance->module;
  if (index < m->num_imported_globals) return w2e_vm_imported_globals(vm)[index];
  return &w2e_vm_defined_globals(vm)[index - m->num_imported_globals];
}

bool w2e_eval_const(w2e_vmctx *vm, const w2e_const_expr *expr, w2e_value *out) {
  const w2e_module *m = vm->instance->module;
  w2e_value stack[CONST_STACK];
  uint32_t sp = 0;
  for (uint32_t i = 0; i < expr->num_ops; i++) {
    const w2e_const_op *op = &expr->ops[i];
    w2e_value v;
    memset(&v, 0, sizeof v);
    switch (op->opcode) {
    case 0x41: v.i32 = (uint32_t)op->lo; break;
    case 0x42: v.i64 = op->lo; break;
    case 0x43: { uint32_t bits = (uint32_t)op->lo; memcpy(&v.f32, &bits, 4); break; }
    case 0x44: memcpy(&v.f64, &op->lo, 8); break;
    case 0xFD0C:
      /* v128 is 16 little-endian bytes: lo holds bytes 0..7, hi bytes 8..15. */
      for (int b = 0; b < 8; b++) {
        v.v128[b] = (uint8_t)(op->lo >> (8 * b));
        v.v128[8 + b] = (uint8_t)(op->hi >> (8 * b));
      }
      break;
    case 0xD0: v.ref = NULL; break;
    case 0xD2:
      if (op->index >= m->num_funcs) return false;
      v.ref = w2e_vm_func_refs(vm)[op->index];
      break;
    case 0x23:
      if (op->index >= m->num_globals) return false;
      v = *w2e_global_storage(vm, op->index);
      break;
    case 0x6A: case 0x6B: case 0x6C: case 0x7C: case 0x7D: case 0x7E: {
      if (sp < 2) return false;
      w2e_value b = stack[--sp], a = stack[--sp];
      switch (op->opcode) {
      case 0x6A: v.i32 = a.i32 + b.i32; break;
      case 0x6B: v.i32 = a.i32 - b.i32; break;
      case 0x6C: v.i32 = a.i32 * b.i32; break;
      case 0x7C: v.i64 = a.i64 + b.i64; break;
      case 0x7D: v.i64 = a.i64 - b.i64; break;
      default: v.i64 = a.i64 * b.i64; break;
      }
      break;
    }
    default: return false;
    }
    if (sp == CONST_STACK) return false;
    stack[sp++] = v;
  }
  if (sp != 1) return false;
  *out = stack[0];
  return true;
}

/* ---- Instantiation ---- */

static w2e_instance *fail(w2e_error *err, const char *message) {
  if (err) {
    err->is_trap = false;
    err->trap_kind = W2E_TRAP_NONE;
    snprintf(err->message, sizeof err->message, "%s", message);
  }
  return NULL;
}

static w2e_instance *fail_trap(w2e_error *err, uint32_t kind) {
  if (err) {
    err->is_trap = true;
    err->trap_kind = kind;
    snprintf(err->message, sizeof err->message, "%s", w2e_trap_message(kind));
  }
  return NULL;
}

static void *alloc_zeroed(size_t n, size_t size) { return calloc(n ? n : 1, size); }

/* Checks one import against the module's declaration and stores it into the new vmctx.
 * `counter` holds the per-kind index of the next import of each kind. */
static bool link_import(w2e_instance *inst, const w2e_import *imp, const w2e_extern *ext,
                        uint32_t counter[5]) {
  const w2e_module *m = inst->module;
  w2e_vmctx *vm = inst->vmctx;
  if (imp->kind == W2E_EXTERN_FUNC_STUB) {
    /* The compiler replaced this import with code of its own: nothing to resolve. */
    uint32_t n = counter[W2E_EXTERN_FUNC]++;
    if (imp->index >= m->num_types || n >= m->num_imported_funcs || !m->funcs[n].code)
      return false;
    w2e_funcref *ref = &inst->host_func_refs[n];
    ref->code = m->funcs[n].code;
    ref->type_id = m->types[imp->index].type_id;
    ref->vmctx = vm;
    w2e_vm_func_refs(vm)[n] = ref;
    return true;
  }
  if (!ext || ext->kind != imp->kind || imp->kind > W2E_EXTERN_TAG) return false;
  uint32_t n = counter[imp->kind]++;
  switch (imp->kind) {
  case W2E_EXTERN_FUNC: {
    if (imp->index >= m->num_types || n >= m->num_imported_funcs) return false;
    uint64_t want = m->types[imp->index].type_id;
    w2e_funcref *ref = ext->u.func;
    if (!ref && ext->host_code) {
      /* Wasm code cannot call C directly (it uses the `tail` convention): the funcref points
       * at the compiler's adapter for this import, which calls host_code[n] with the C
       * convention, passing the importing instance's vmctx (for its memory). */
      if (!m->funcs[n].code) return false;
      w2e_vm_host_code(vm)[n] = ext->host_code;
      ref = &inst->host_func_refs[n];
      ref->code = m->funcs[n].code;
      ref->type_id = want;
      ref->vmctx = vm;
    }
    if (!ref || ref->type_id != want) return false;
    w2e_vm_func_refs(vm)[n] = ref;
    return true;
  }
  case W2E_EXTERN_TABLE: {
    if (n >= m->num_imported_tables) return false;
    const w2e_table_type *tt = &m->tables[n];
    w2e_table *t = ext->u.table;
    if (!t || t->elem_kind != tt->elem_kind || t->size < tt->min) return false;
    if (tt->has_max && (t->max == UINT32_MAX || t->max > tt->max)) return false;
    w2e_vm_tables(vm)[n] = t;
    return true;
  }
  case W2E_EXTERN_MEMORY: {
    if (n >= m->num_imported_memories || n > 0) return false;
    const w2e_memory_type *mt = &m->memories[n];
    w2e_memory *mem = ext->u.memory;
    if (!mem || mem->size / W2E_PAGE_SIZE < mt->min_pages) return false;
    if (mt->has_max && (mem->max_pages == UINT64_MAX || mem->max_pages > mt->max_pages))
      return false;
    vm->memory = mem;
    vm->memory_base = mem->base;
    return true;
  }
  case W2E_EXTERN_GLOBAL: {
    if (n >= m->num_imported_globals) return false;
    const w2e_global_type *gt = &m->globals[n];
    if (!ext->u.global || ext->global_kind != gt->kind || ext->global_mutable != gt->is_mutable)
      return false;
    w2e_vm_imported_globals(vm)[n] = ext->u.global;
    return true;
  }
  default: { /* W2E_EXTERN_TAG */
    if (n >= m->num_imported_tags) return false;
    uint32_t ti = m->tags[n].type_index;
    const w2e_tag_identity *tag = ext->u.tag;
    if (!tag || ti >= m->num_types || tag->type_id != m->types[ti].type_id) return false;
    w2e_vm_tags(vm)[n] = ext->u.tag;
    return true;
  }
  }
}

/* Sanity checks on the descriptor, so a bad one fails cleanly instead of crashing. */
static const char *check_module(const w2e_module *m) {
  if (m->abi_version != W2E_ABI_VERSION) return "module was compiled for another runtime ABI";
  if (m->num_imported_funcs > m->num_funcs || m->num_imported_tables > m->num_tables ||
      m->num_imported_memories > m->num_memories || m->num_imported_globals > m->num_globals ||
      m->num_imported_tags > m->num_tags || m->vmctx_size < W2E_VMCTX_HEADER_SIZE)
    return "malformed module descriptor";
  /* Each vmctx array must lie inside the vmctx. */
  const uint64_t size = m->vmctx_size, ptr = sizeof(void *);
  if (m->vmctx_func_refs + ptr * m->num_funcs > size ||
      m->vmctx_defined_func_refs + sizeof(w2e_funcref) * (m->num_funcs - m->num_imported_funcs) > size ||
      m->vmctx_tables + ptr * m->num_tables > size ||
      m->vmctx_imported_globals + ptr * m->num_imported_globals > size ||
      m->vmctx_defined_globals + sizeof(w2e_value) * (m->num_globals - m->num_imported_globals) > size ||
      m->vmctx_tags + ptr * m->num_tags > size ||
      m->vmctx_host_code + ptr * m->num_imported_funcs > size)
    return "malformed module descriptor";
  if (m->vmctx_defined_globals % 16 || m->vmctx_func_refs % 8 || m->vmctx_defined_func_refs % 8 ||
      m->vmctx_tables % 8 || m->vmctx_imported_globals % 8 || m->vmctx_tags % 8 ||
      m->vmctx_host_code % 8)
    return "malformed module descriptor";
  if (m->num_memories > 1) return "multiple memories are not supported";
  for (uint32_t i = 0; i < m->num_funcs; i++)
    if (m->funcs[i].type_index >= m->num_types) return "malformed module descriptor";
  if (m->start_func != UINT32_MAX && m->start_func >= m->num_funcs)
    return "malformed module descriptor";
  return NULL;
}

/* Allocates the instance record, its flag arrays and a zeroed, 16-byte aligned vmctx. */
static w2e_instance *alloc_instance(const w2e_module *m) {
  w2e_instance *inst = calloc(1, sizeof *inst);
  uint8_t *vm_block = calloc(1, (size_t)m->vmctx_size + 16);
  if (!inst || !vm_block) return NULL;
  inst->module = m;
  inst->vmctx = (w2e_vmctx *)(((uintptr_t)vm_block + 15) & ~(uintptr_t)15);
  inst->elem_dropped = alloc_zeroed(m->num_elems, 1);
  inst->data_dropped = alloc_zeroed(m->num_datas, 1);
  inst->host_func_refs = alloc_zeroed(m->num_imported_funcs, sizeof(w2e_funcref));
  inst->defined_tags = alloc_zeroed(m->num_tags - m->num_imported_tags, sizeof(w2e_tag_identity));
  if (!inst->elem_dropped || !inst->data_dropped || !inst->host_func_refs || !inst->defined_tags)
    return NULL;
  w2e_vmctx *vm = inst->vmctx;
  vm->instance = inst;
  vm->stack_limit = w2e_stack_limit;
  vm->pending_exception = &w2e_pending_exception;
  return inst;
}

/* Creates the defined functions, tables, memory, globals and tags (spec: allocation). */
static const char *define_entities(w2e_instance *inst) {
  const w2e_module *m = inst->module;
  w2e_vmctx *vm = inst->vmctx;
  for (uint32_t i = m->num_imported_funcs; i < m->num_funcs; i++) {
    w2e_funcref *ref = &w2e_vm_defined_func_refs(vm)[i - m->num_imported_funcs];
    ref->code = m->funcs[i].code;
    ref->type_id = m->types[m->funcs[i].type_index].type_id;
    ref->vmctx = vm;
    w2e_vm_func_refs(vm)[i] = ref;
  }
  if (m->num_memories > m->num_imported_memories) {
    const w2e_memory_type *mt = &m->memories[0];
    w2e_memory *mem = w2e_memory_new(mt->min_pages, mt->max_pages, mt->has_max != 0);
    if (!mem && mt->min_pages > w2e_max_memory_pages)
      return "the module's initial memory is larger than its --max-memory: rebuild it with a "
             "larger --max-memory";
    if (!mem)
      return "cannot allocate linear memory (it reserves 8 GiB of address space: is ulimit -v "
             "set?)";
    vm->memory = mem;
    vm->memory_base = mem->base;
  }
  /* Globals before tables: a table's init expression may read a global. */
  for (uint32_t i = m->num_imported_globals; i < m->num_globals; i++) {
    if (!w2e_eval_const(vm, &m->globals[i].init, &w2e_vm_defined_globals(vm)[i - m->num_imported_globals]))
      return "malformed constant expression";
  }
  for (uint32_t i = m->num_imported_tables; i < m->num_tables; i++) {
    const w2e_table_type *tt = &m->tables[i];
    w2e_table *t = w2e_table_new(tt->elem_kind, tt->min, tt->max, tt->has_max != 0);
    if (!t) return "cannot allocate table";
    if (tt->init.num_ops) {
      w2e_value v;
      if (!w2e_eval_const(vm, &tt->init, &v)) return "malformed constant expression";
      for (uint32_t j = 0; j < t->size; j++) t->elements[j] = v.ref;
    }
    w2e_vm_tables(vm)[i] = t;
  }
  for (uint32_t i = m->num_imported_tags; i < m->num_tags; i++) {
    w2e_tag_identity *tag = &inst->defined_tags[i - m->num_imported_tags];
    uint32_t ti = m->tags[i].type_index;
    tag->type_id = ti < m->num_types ? m->types[ti].type_id : 0;
    w2e_vm_tags(vm)[i] = tag;
  }
  return NULL;
}

/* Evaluates a segment offset (i32). */
static bool eval_offset(w2e_vmctx *vm, const w2e_const_expr *expr, uint64_t *out) {
  w2e_value v;
  if (!w2e_eval_const(vm, expr, &v)) return false;
  *out = v.i32;
  return true;
}

w2e_instance *w2e_instantiate(const w2e_module *module, const w2e_extern *imports, w2e_error *err) {
  const w2e_module *m = module;
  if (!m) return fail(err, "no module");
  const char *problem = check_module(m);
  if (problem) return fail(err, problem);
  w2e_instance *inst = alloc_instance(m);
  if (!inst) return fail(err, "out of memory");
  w2e_vmctx *vm = inst->vmctx;

  /* 1. Imports, checked in order. */
  uint32_t counter[5] = {0, 0, 0, 0, 0};
  if (m->num_imports && !imports) return fail(err, "missing imports");
  for (uint32_t i = 0; i < m->num_imports; i++)
    if (!link_import(inst, &m->imports[i], &imports[i], counter))
      return fail(err, "incompatible import type");
  if (counter[W2E_EXTERN_FUNC] != m->num_imported_funcs ||
      counter[W2E_EXTERN_TABLE] != m->num_imported_tables ||
      counter[W2E_EXTERN_MEMORY] != m->num_imported_memories ||
      counter[W2E_EXTERN_GLOBAL] != m->num_imported_globals ||
      counter[W2E_EXTERN_TAG] != m->num_imported_tags)
    return fail(err, "malformed module descriptor");

  /* 2. Defined entities. */
  problem = define_entities(inst);
  if (problem) return fail(err, problem);
  if (!w2e_register_module(m)) return fail(err, "out of memory");

  /* 3. Element segments: active ones are applied (a trap keeps earlier ones) and dropped,
   * declarative ones are dropped. */
  for (uint32_t i = 0; i < m->num_elems; i++) {
    const w2e_elem_segment *seg = &m->elems[i];
    if (seg->mode == W2E_SEGMENT_ACTIVE) {
      uint64_t offset;
      if (!eval_offset(vm, &seg->offset, &offset)) return fail(err, "malformed constant expression");
      uint32_t trap = w2e_table_init_checked(vm, seg->table_index, i, offset, 0, seg->num_items);
      if (trap) {
        w2e_note_trap(trap);
        return fail_trap(err, trap);
      }
      inst->elem_dropped[i] = 1;
    } else if (seg->mode == W2E_SEGMENT_DECLARATIVE) {
      inst->elem_dropped[i] = 1;
    }
  }

  /* 4. Active data segments, then dropped. */
  for (uint32_t i = 0; i < m->num_datas; i++) {
    const w2e_data_segment *seg = &m->datas[i];
    if (seg->mode != W2E_SEGMENT_ACTIVE) continue;
    uint64_t offset;
    if (!eval_offset(vm, &seg->offset, &offset)) return fail(err, "malformed constant expression");
    uint32_t trap = w2e_memory_init_checked(vm, i, offset, 0, seg->len);
    if (trap) {
      w2e_note_trap(trap);
      return fail_trap(err, trap);
    }
    inst->data_dropped[i] = 1;
  }

  /* 5. The start function. */
  if (m->start_func != UINT32_MAX) {
    w2e_extern f;
    memset(&f, 0, sizeof f);
    f.kind = W2E_EXTERN_FUNC;
    f.u.func = w2e_vm_func_refs(vm)[m->start_func];
    f.functype = &m->types[m->funcs[m->start_func].type_index];
    w2e_value args[1];
    memset(args, 0, sizeof args);
    uint32_t trap = w2e_call(&f, args);
    if (trap) return fail_trap(err, trap);
  }
  return inst;
}

w2e_vmctx *w2e_instance_vmctx(w2e_instance *instance) { return instance->vmctx; }

const w2e_module *w2e_instance_module(w2e_instance *instance) { return instance->module; }

bool w2e_instance_export(w2e_instance *instance, const char *name, size_t name_len, w2e_extern *out) {
  const w2e_module *m = instance->module;
  w2e_vmctx *vm = instance->vmctx;
  for (uint32_t i = 0; i < m->num_exports; i++) {
    const w2e_export *e = &m->exports[i];
    if (e->name_len != name_len || memcmp(e->name, name, name_len) != 0) continue;
    memset(out, 0, sizeof *out);
    out->kind = e->kind;
    switch (e->kind) {
    case W2E_EXTERN_FUNC:
      if (e->index >= m->num_funcs) return false;
      out->u.func = w2e_vm_func_refs(vm)[e->index];
      out->functype = &m->types[m->funcs[e->index].type_index];
      return true;
    case W2E_EXTERN_TABLE:
      if (e->index >= m->num_tables) return false;
      out->u.table = w2e_vm_tables(vm)[e->index];
      return true;
    case W2E_EXTERN_MEMORY:
      if (e->index >= m->num_memories) return false;
      out->u.memory = vm->memory;
      return true;
    case W2E_EXTERN_GLOBAL:
      if (e->index >= m->num_globals) return false;
      out->u.global = w2e_global_storage(vm, e->index);
      out->global_kind = m->globals[e->index].kind;
      out->global_mutable = m->globals[e->index].is_mutable;
      return true;
    case W2E_EXTERN_TAG:
      if (e->index >= m->num_tags) return false;
      out->u.tag = w2e_vm_tags(vm)[e->index];
      return true;
    default:
      return false;
    }
  }
  return false;
}
