/*
 * exceptions.c: wasm exceptions. Generated code makes an exception with w2e_exception_new and,
 * when no `try` of its own function handles it, calls w2e_throw_ref, which unwinds.
 *
 * Unwinding walks the wasm frames' frame-pointer chain. For each return address inside wasm
 * code it looks up the module's call-site table; the first call site found has a handler (its
 * function's dispatch block, which matches tags itself and rethrows what it does not catch).
 * Resuming there sets SP and FP to what that frame had at the call and puts the exception in
 * the first exception-payload register; no other register is restored, because Cranelift
 * treats all registers as clobbered on a try_call's exceptional edge. Frames that are skipped
 * need no cleanup: wasm frames own no resources. Reaching C code (the trampoline that entered
 * wasm) means nobody caught it: that ends the call with the "uncaught exception" trap.
 *
 * The walk starts from the frame of the wasm function that called w2e_throw_ref, never from a
 * C frame: C frame records differ by OS (Windows x64 points RBP into the middle of a frame;
 * s390x C code keeps no back chain). So w2e_throw_ref is a few instructions of asm per CPU
 * that pass its caller's frame pointer and return address, still in registers at entry, on to
 * the C walker.
 *
 * s390x has no frame pointer: Cranelift's preserve_frame_pointers writes the stack back chain
 * instead. [SP] of a wasm frame holds its caller's SP, which is what the call-site table's
 * frame offsets count from (its "FP"), and r14 is always saved in the caller's register save
 * area at that SP + 112.
 */
#include "core/w2e_internal.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Code that propagates exceptions by returning (the LLVM backend: it cannot resume at a call
 * site the way the unwinder below does) stores a thrown exception here and returns; each
 * caller tests it after a call that may throw, and the trampoline that entered wasm raises the
 * "uncaught exception" trap when it is still set. One slot for the process, so exceptions cross
 * instances: a call into another instance's code sets the same slot. */
w2e_exception *w2e_pending_exception;

w2e_exception *w2e_exception_new(w2e_vmctx *vmctx, uint32_t tag_index, const w2e_value *values) {
  const w2e_module *m = vmctx->instance->module;
  uint32_t n = m->types[m->tags[tag_index].type_index].num_params;
  size_t size = sizeof(w2e_exception) + (size_t)n * sizeof(w2e_value);
#if defined(_WIN32) /* no aligned_alloc in the Windows CRT */
  w2e_exception *exn = _aligned_malloc((size + 15) & ~(size_t)15, 16);
#else
  w2e_exception *exn = aligned_alloc(16, (size + 15) & ~(size_t)15);
#endif
  if (!exn) {
    static const char msg[] = "wasm2exe: out of memory while throwing an exception\n";
    w2e_write_all(2, msg, sizeof msg - 1);
    _exit(W2E_EXIT_RUNTIME_ERROR);
  }
  exn->tag = w2e_vm_tags(vmctx)[tag_index];
  exn->num_values = n;
  exn->escaped = 0;
  if (n) memcpy(exn->values, values, (size_t)n * sizeof(w2e_value));
  return exn;
}

void w2e_exception_free(w2e_vmctx *vmctx, w2e_exception *exn) {
  (void)vmctx;
  if (!exn || exn->escaped) return;
#if defined(_WIN32)
  _aligned_free(exn);
#else
  free(exn);
#endif
}

/* The call site of `m`'s function `func` whose return address is at `offset`, if any. */
static const w2e_call_site *find_call_site(const w2e_module *m, uint32_t func, uint32_t offset) {
  uint32_t lo = 0, hi = m->num_call_sites;
  while (lo < hi) {
    uint32_t mid = lo + (hi - lo) / 2;
    const w2e_call_site *s = &m->call_sites[mid];
    if (s->func_index < func || (s->func_index == func && s->ret_offset < offset)) lo = mid + 1;
    else hi = mid;
  }
  if (lo < m->num_call_sites && m->call_sites[lo].func_index == func &&
      m->call_sites[lo].ret_offset == offset)
    return &m->call_sites[lo];
  return NULL;
}

/* Continues at `pc` with the given stack and frame pointers and the exception in the first
 * payload register. */
static void resume(uintptr_t pc, uintptr_t sp, uintptr_t fp, w2e_exception *exn)
    __attribute__((noreturn));
static void resume(uintptr_t pc, uintptr_t sp, uintptr_t fp, w2e_exception *exn) {
#if defined(__x86_64__)
  register uintptr_t r_pc __asm__("r11") = pc;
  register uintptr_t r_sp __asm__("r10") = sp;
  register uintptr_t r_fp __asm__("r9") = fp;
  register w2e_exception *r_exn __asm__("rax") = exn;
  __asm__ volatile("mov %%r10, %%rsp\n\tmov %%r9, %%rbp\n\tjmp *%%r11"
                   :
                   : "r"(r_pc), "r"(r_sp), "r"(r_fp), "r"(r_exn)
                   : "memory");
#elif defined(__aarch64__)
  register uintptr_t r_pc __asm__("x17") = pc;
  register uintptr_t r_sp __asm__("x16") = sp;
  register uintptr_t r_fp __asm__("x15") = fp;
  register w2e_exception *r_exn __asm__("x0") = exn;
  __asm__ volatile("mov sp, x16\n\tmov x29, x15\n\tbr x17"
                   :
                   : "r"(r_pc), "r"(r_sp), "r"(r_fp), "r"(r_exn)
                   : "memory");
#elif defined(__riscv) && __riscv_xlen == 64
  register uintptr_t r_pc __asm__("t2") = pc;
  register uintptr_t r_sp __asm__("t1") = sp;
  register uintptr_t r_fp __asm__("t0") = fp;
  register w2e_exception *r_exn __asm__("a0") = exn;
  __asm__ volatile("mv sp, t1\n\tmv s0, t0\n\tjr t2"
                   :
                   : "r"(r_pc), "r"(r_sp), "r"(r_fp), "r"(r_exn)
                   : "memory");
#elif defined(__s390x__)
  (void)fp; /* the back chain at [sp] is intact */
  register uintptr_t r_pc __asm__("r1") = pc;
  register uintptr_t r_sp __asm__("r7") = sp;
  register w2e_exception *r_exn __asm__("r6") = exn;
  __asm__ volatile("lgr %%r15, %%r7\n\tbr %%r1" : : "r"(r_pc), "r"(r_sp), "r"(r_exn) : "memory");
#else
  (void)pc, (void)sp, (void)fp, (void)exn;
  static const char msg[] = "wasm2exe: exceptions are not supported on this architecture\n";
  w2e_write_all(2, msg, sizeof msg - 1);
  _exit(W2E_EXIT_RUNTIME_ERROR);
#endif
  __builtin_unreachable();
}

/* Where a wasm frame record keeps its caller's frame pointer and the return address into it. */
#if defined(__s390x__)
#define RA_OFF 112 /* r14's slot in the register save area */
#else
#define RA_OFF 8
#endif

/* W2E_BUILTIN: w2e_throw_ref enters with the builtins' convention and keeps its registers. */
W2E_BUILTIN void w2e_throw_from(w2e_vmctx *vmctx, w2e_exception *exn, uintptr_t fp,
                                uintptr_t ret) __attribute__((noreturn, used));

/* `fp`: the frame pointer of the wasm frame that `ret` returns into. */
void w2e_throw_from(w2e_vmctx *vmctx, w2e_exception *exn, uintptr_t fp, uintptr_t ret) {
  if (!exn) w2e_raise_trap(W2E_TRAP_NULL_REFERENCE);
  for (int steps = 0; steps < 1000000; steps++) {
    const w2e_module *m;
    uint32_t func;
    /* ret - 1: the call may be the last instruction of its function. Reaching C code (the
     * trampoline that entered wasm) means nobody handles the exception. */
    if (!ret || !w2e_lookup_code(ret - 1, &m, &func)) break;
    uintptr_t code = (uintptr_t)m->funcs[func].code;
    const w2e_call_site *site = find_call_site(m, func, (uint32_t)(ret - code));
    if (site) resume(code + site->handler_offset, fp - site->frame_offset, fp, exn);
    if (fp == 0 || (fp & 7)) break;
    uintptr_t caller_fp;
    memcpy(&caller_fp, (const void *)fp, sizeof caller_fp);
    memcpy(&ret, (const void *)(fp + RA_OFF), sizeof ret);
    if (caller_fp <= fp) break;
    fp = caller_fp;
  }
  /* Nobody caught it: it is garbage unless wasm keeps an exnref to it. */
  w2e_exception_free(vmctx, exn);
  w2e_raise_trap(W2E_TRAP_UNCAUGHT_EXCEPTION);
}

/* w2e_throw_ref(vmctx, exn): tail-calls w2e_throw_from(vmctx, exn, caller's FP, return
 * address). Builtins are called with one convention per CPU (W2E_BUILTIN: System V on every
 * x86_64 OS, Windows included). */
#define STR2(x) #x
#define STR(x) STR2(x)
#define SYM(name) STR(__USER_LABEL_PREFIX__) #name
/* The section is restored afterwards: GCC keeps emitting into the one it thinks is current. */
#if defined(__ELF__)
#define FUNC_START(name) \
  ".pushsection .text." #name ",\"ax\",@progbits\n.globl " #name "\n.type " #name ",@function\n"
#define FUNC_END ".popsection\n"
#else /* Mach-O, COFF: clang names the section of everything it emits after this */
#define FUNC_START(name) ".text\n.globl " SYM(name) "\n"
#define FUNC_END ""
#endif

#if defined(__x86_64__)
__asm__(FUNC_START(w2e_throw_ref) ".p2align 4\n" SYM(w2e_throw_ref) ":\n"
        "\tmovq %rbp, %rdx\n"
        "\tmovq (%rsp), %rcx\n"
        "\tjmp " SYM(w2e_throw_from) "\n" FUNC_END);
#elif defined(__aarch64__)
__asm__(FUNC_START(w2e_throw_ref) ".p2align 2\n" SYM(w2e_throw_ref) ":\n"
        "\tmov x2, x29\n"
        "\tmov x3, x30\n"
        "\tb " SYM(w2e_throw_from) "\n" FUNC_END);
#elif defined(__riscv) && __riscv_xlen == 64
__asm__(FUNC_START(w2e_throw_ref) ".p2align 2\n" SYM(w2e_throw_ref) ":\n"
        "\tmv a2, s0\n"
        "\tmv a3, ra\n"
        "\ttail " SYM(w2e_throw_from) "\n" FUNC_END);
#elif defined(__s390x__)
/* At entry r15 is the caller's SP, whose [0] is the back chain: the caller's "FP". */
__asm__(FUNC_START(w2e_throw_ref) ".p2align 3\n" SYM(w2e_throw_ref) ":\n"
        "\tlg %r4, 0(%r15)\n"
        "\tlgr %r5, %r14\n"
        "\tjg " SYM(w2e_throw_from) "\n" FUNC_END);
#else
void w2e_throw_ref(w2e_vmctx *vmctx, w2e_exception *exn) { w2e_throw_from(vmctx, exn, 0, 0); }
#endif
