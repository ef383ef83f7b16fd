/*
 * trap.c: the code registry, trap bookkeeping and the non-local exit out of wasm code.
 *
 * Every instantiated module registers its defined functions' code ranges and its trap table.
 * A trap (a fault at a recorded instruction, seen by the signal handler, or w2e_raise_trap from
 * a builtin or a generated stub) records its kind and a backtrace of wasm frames, then
 * jumps (trap_jump.h) to the innermost active w2e_call. Everything reachable from the signal
 * handler is async-signal-safe: no malloc, no stdio, only reads of data built before the call.
 */
#include "core/w2e_internal.h"

#include "core/trap_jump.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

uintptr_t w2e_stack_limit;

/* Once per process: the stack bound and the fault handler (platform.h). */
void w2e_runtime_init(void) {
  static bool done;
  if (done) return;
  done = true;
  w2e_stack_limit = w2e_os_stack_limit();
  w2e_os_catch_faults();
}

/* ---- Code registry ---- */

typedef struct code_range {
  uintptr_t start, end;
  uint32_t func_index;
} code_range;

typedef struct module_code {
  const w2e_module *module;
  uintptr_t lo, hi;     /* hull of all its functions */
  code_range *ranges;   /* sorted by start */
  uint32_t num_ranges;
} module_code;

/* Grown by doubling; old arrays are leaked on purpose (a handler may be reading one). */
static module_code *registry;
static size_t num_registered, cap_registered;

static int compare_ranges(const void *a, const void *b) {
  const code_range *x = a, *y = b;
  return x->start < y->start ? -1 : x->start > y->start;
}

bool w2e_register_module(const w2e_module *m) {
  for (size_t i = 0; i < num_registered; i++)
    if (registry[i].module == m) return true;
  module_code mc;
  memset(&mc, 0, sizeof mc);
  mc.module = m;
  mc.lo = UINTPTR_MAX;
  mc.ranges = malloc(((size_t)m->num_funcs + 1) * sizeof(code_range));
  if (!mc.ranges) return false;
  /* Imports count too: their code is the compiler's host adapter, whose frames appear in
   * backtraces under the import's name. */
  for (uint32_t i = 0; i < m->num_funcs; i++) {
    const w2e_func *f = &m->funcs[i];
    if (!f->code || !f->code_size) continue;
    code_range *r = &mc.ranges[mc.num_ranges++];
    r->start = (uintptr_t)f->code;
    r->end = r->start + f->code_size;
    r->func_index = i;
    if (r->start < mc.lo) mc.lo = r->start;
    if (r->end > mc.hi) mc.hi = r->end;
  }
  qsort(mc.ranges, mc.num_ranges, sizeof(code_range), compare_ranges);
  if (num_registered == cap_registered) {
    size_t cap = cap_registered ? cap_registered * 2 : 16;
    module_code *arr = malloc(cap * sizeof *arr);
    if (!arr) {
      free(mc.ranges);
      return false;
    }
    if (num_registered) memcpy(arr, registry, num_registered * sizeof *arr);
    registry = arr;
    cap_registered = cap;
  }
  registry[num_registered] = mc;
  num_registered++; /* published last: the entry is complete before anyone can see it */
  return true;
}

/* The range containing pc in one module, or NULL (binary search for the last start <= pc). */
static const code_range *find_range(const module_code *mc, uintptr_t pc) {
  if (pc < mc->lo || pc >= mc->hi) return NULL;
  uint32_t lo = 0, hi = mc->num_ranges;
  while (lo < hi) {
    uint32_t mid = lo + (hi - lo) / 2;
    if (mc->ranges[mid].start <= pc) lo = mid + 1;
    else hi = mid;
  }
  if (lo == 0) return NULL;
  const code_range *r = &mc->ranges[lo - 1];
  return pc < r->end ? r : NULL;
}

bool w2e_lookup_code(uintptr_t pc, const w2e_module **module, uint32_t *func_index) {
  for (size_t i = 0; i < num_registered; i++) {
    const code_range *r = find_range(&registry[i], pc);
    if (r) {
      *module = registry[i].module;
      *func_index = r->func_index;
      return true;
    }
  }
  return false;
}

uint32_t w2e_lookup_trap(uintptr_t pc) {
  const w2e_module *m;
  uint32_t func;
  if (!w2e_lookup_code(pc, &m, &func)) return W2E_TRAP_NONE;
  uint32_t offset = (uint32_t)(pc - (uintptr_t)m->funcs[func].code);
  /* The table is sorted by (func_index, code_offset). */
  uint32_t lo = 0, hi = m->num_traps;
  while (lo < hi) {
    uint32_t mid = lo + (hi - lo) / 2;
    const w2e_trap_entry *e = &m->traps[mid];
    if (e->func_index < func || (e->func_index == func && e->code_offset < offset)) lo = mid + 1;
    else hi = mid;
  }
  if (lo < m->num_traps && m->traps[lo].func_index == func && m->traps[lo].code_offset == offset)
    return m->traps[lo].kind;
  return W2E_TRAP_NONE;
}

/* ---- Trap state ---- */

#define MAX_FRAMES 64

static w2e_jmp_buf *active_call;           /* innermost w2e_call, NULL outside wasm */
static uint32_t trap_kind;
static uintptr_t trap_frames[MAX_FRAMES];  /* pcs of wasm frames, innermost first */
static uint32_t trap_num_frames;

/* Frame records: [fp] holds the caller's fp and [fp + 8] the return address, both for
 * Cranelift code and for GCC/Clang C code on x86_64 and aarch64. On riscv64 Cranelift keeps
 * that layout but GCC/Clang point fp at the top of the frame ([fp - 16] caller's fp,
 * [fp - 8] return address), so the walk reads a frame according to who owns it. s390x wasm
 * frames have a stack back chain instead (signals_posix.c passes [SP] as the fp; r14 is saved
 * at that + 112); its C code keeps none, so traps raised in C get no backtrace there. */
#if defined(__riscv)
#define NATIVE_PREV_OFF (-2 * (intptr_t)sizeof(uintptr_t))
#define NATIVE_RA_OFF (-(intptr_t)sizeof(uintptr_t))
#else
#define NATIVE_PREV_OFF 0
#define NATIVE_RA_OFF ((intptr_t)sizeof(uintptr_t))
#endif
#define WASM_PREV_OFF 0
#if defined(__s390x__)
#define WASM_RA_OFF 112
#else
#define WASM_RA_OFF ((intptr_t)sizeof(uintptr_t))
#endif

static bool in_wasm(uintptr_t pc) {
  const w2e_module *m;
  uint32_t f;
  return w2e_lookup_code(pc, &m, &f);
}

/* Appends the wasm frames reachable from frame pointer `fp`, whose frame belongs to a wasm
 * function when `wasm_owner`, else to the runtime's C code. Leading C frames (between a
 * builtin's wasm caller and w2e_raise_trap) are skipped, at most a few; the walk stops at the
 * first return address outside wasm code after that. */
static void walk_frames(uintptr_t fp, uintptr_t sp, bool wasm_owner) {
  int skipped = 0;
  bool seen_wasm = wasm_owner;
  while (trap_num_frames < MAX_FRAMES) {
    /* Only follow plausible records: aligned, above the stack pointer, moving up. */
    if (fp == 0 || (fp & (sizeof(uintptr_t) - 1)) || fp < sp) return;
    intptr_t prev_off = wasm_owner ? WASM_PREV_OFF : NATIVE_PREV_OFF;
    intptr_t ra_off = wasm_owner ? WASM_RA_OFF : NATIVE_RA_OFF;
    uintptr_t ret, next;
    memcpy(&next, (const void *)(fp + (uintptr_t)prev_off), sizeof next);
    memcpy(&ret, (const void *)(fp + (uintptr_t)ra_off), sizeof ret);
    /* ret - 1: the call may be the last instruction of its function. */
    wasm_owner = ret && in_wasm(ret - 1);
    if (wasm_owner) {
      trap_frames[trap_num_frames++] = ret - 1;
      seen_wasm = true;
    } else if (seen_wasm || ++skipped > 4) {
      return;
    }
    if (next <= fp) return;
    sp = fp;
    fp = next;
  }
}

static void print_and_exit(uint32_t kind) __attribute__((noreturn));
static void print_and_exit(uint32_t kind) {
  w2e_print_trap(kind);
  _exit(W2E_EXIT_TRAP);
}

void w2e_trap_from_signal(uint32_t kind, uintptr_t pc, uintptr_t fp, uintptr_t sp) {
  trap_kind = kind;
  trap_num_frames = 0;
  trap_frames[trap_num_frames++] = pc;
  walk_frames(fp, sp, true);
  if (!active_call) print_and_exit(kind);
  w2e_longjmp(*active_call);
}

void w2e_note_trap(uint32_t kind) {
  trap_kind = kind;
  trap_num_frames = 0;
}

void w2e_raise_trap(uint32_t kind) {
  trap_kind = kind;
  trap_num_frames = 0;
#if defined(_WIN32)
  /* Windows C frames keep RBP anywhere in the frame: find the wasm caller by unwinding. */
  uintptr_t pc, fp, sp;
  if (w2e_win32_wasm_caller(&pc, &fp, &sp)) {
    trap_frames[trap_num_frames++] = pc;
    walk_frames(fp, sp, true);
  }
#elif defined(__s390x__)
  /* C frames keep no back chain: no backtrace. */
#else
  uintptr_t fp = (uintptr_t)__builtin_frame_address(0);
  walk_frames(fp, fp, false);
#endif
  if (!active_call) print_and_exit(kind);
  w2e_longjmp(*active_call);
}

uint32_t w2e_call(const w2e_extern *func, w2e_value *args_and_results) {
  if (!func || func->kind != W2E_EXTERN_FUNC || !func->u.func || !func->functype ||
      !func->functype->trampoline) {
    static const char msg[] = "wasm2exe: internal error: w2e_call on a missing function\n";
    w2e_write_all(2, msg, sizeof msg - 1);
    abort();
  }
  w2e_jmp_buf buf;
  w2e_jmp_buf *prev = active_call;
  if (w2e_setjmp(buf) != 0) {
    active_call = prev;
    return trap_kind;
  }
  active_call = &buf;
  func->functype->trampoline(func->u.func->code, func->u.func->vmctx, args_and_results);
  active_call = prev;
  return W2E_TRAP_NONE;
}

/* ---- Messages ---- */

static const char *const trap_messages[W2E_TRAP_COUNT] = {
    [W2E_TRAP_NONE] = "no trap",
    [W2E_TRAP_UNREACHABLE] = "unreachable",
    [W2E_TRAP_INT_DIV_BY_ZERO] = "integer divide by zero",
    [W2E_TRAP_INT_OVERFLOW] = "integer overflow",
    [W2E_TRAP_BAD_CONVERSION] = "invalid conversion to integer",
    [W2E_TRAP_MEMORY_OUT_OF_BOUNDS] = "out of bounds memory access",
    [W2E_TRAP_TABLE_OUT_OF_BOUNDS] = "out of bounds table access",
    [W2E_TRAP_UNDEFINED_ELEMENT] = "undefined element",
    [W2E_TRAP_UNINITIALIZED_ELEMENT] = "uninitialized element",
    [W2E_TRAP_INDIRECT_CALL_TYPE] = "indirect call type mismatch",
    [W2E_TRAP_STACK_EXHAUSTED] = "call stack exhausted",
    [W2E_TRAP_UNALIGNED_ATOMIC] = "unaligned atomic",
    [W2E_TRAP_NULL_REFERENCE] = "null exception reference",
    [W2E_TRAP_UNCAUGHT_EXCEPTION] = "uncaught exception",
    [W2E_TRAP_STUB_IMPORT] = "call to a stubbed import",
};

const char *w2e_trap_message(uint32_t kind) {
  return kind < W2E_TRAP_COUNT ? trap_messages[kind] : "unknown trap";
}

#if !defined(_WIN32) /* Windows: signals_win32.c (WriteFile, no CRLF translation) */
void w2e_write_all(int fd, const char *buf, size_t len) {
  while (len > 0) {
    ssize_t n = write(fd, buf, len);
    if (n < 0) {
      if (errno == EINTR) continue;
      return;
    }
    buf += n;
    len -= (size_t)n;
  }
}
#endif

static void write_str(const char *s) { w2e_write_all(2, s, strlen(s)); }

static void write_uint(uint32_t v) {
  char buf[12];
  size_t i = sizeof buf;
  do {
    buf[--i] = (char)('0' + v % 10);
    v /= 10;
  } while (v);
  w2e_write_all(2, buf + i, sizeof buf - i);
}

/* Prints the frames innermost first. A run of frames of the same function (deep recursion:
 * a stack-exhaustion backtrace would otherwise be MAX_FRAMES identical lines) prints once,
 * with its count. */
void w2e_print_trap(uint32_t kind) {
  write_str("wasm trap: ");
  write_str(w2e_trap_message(kind));
  write_str("\n");
  for (uint32_t i = 0; i < trap_num_frames;) {
    const w2e_module *m;
    uint32_t f;
    if (!w2e_lookup_code(trap_frames[i++], &m, &f)) continue;
    uint32_t repeats = 1;
    for (const w2e_module *m2; i < trap_num_frames; i++, repeats++) {
      uint32_t f2;
      if (!w2e_lookup_code(trap_frames[i], &m2, &f2) || m2 != m || f2 != f) break;
    }
    write_str("  at ");
    if (m->funcs[f].name && m->funcs[f].name_len) {
      w2e_write_all(2, m->funcs[f].name, m->funcs[f].name_len);
    } else {
      write_str("<func ");
      write_uint(f);
      write_str(">");
    }
    if (repeats > 1) {
      write_str(" (");
      write_uint(repeats);
      write_str(" frames)");
    }
    write_str("\n");
  }
  if (trap_num_frames == MAX_FRAMES) write_str("  ... (older frames not shown)\n");
}
