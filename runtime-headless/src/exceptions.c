/*
 * exceptions.c: wasm exceptions. Generated code makes an exception with w2e_exception_new and,
 * when no `try` of its own function handles it, calls w2e_throw_ref, which unwinds.
 *
 * Unwinding walks the frame-pointer chain from here. For each return address inside wasm code
 * it looks up the module's call-site table; the first call site found has a handler (its
 * function's dispatch block, which matches tags itself and rethrows what it does not catch).
 * Resuming there sets SP and FP to what that frame had at the call and puts the exception in
 * the first exception-payload register; no other register is restored, because Cranelift
 * treats all registers as clobbered on a try_call's exceptional edge. Frames that are skipped
 * need no cleanup: wasm frames own no resources. Reaching C code (the trampoline that entered
 * wasm) means nobody caught it: that ends the call with the "uncaught exception" trap.
 *
 * s390x has no frame pointer: Cranelift's preserve_frame_pointers writes the stack back chain
 * instead ([SP] of a wasm frame holds its caller's SP, which is also the call-site table's
 * "FP") and always saves r14 in the caller's register save area (caller SP + 112). C code
 * keeps no back chain, so an asm entry captures the wasm caller's SP and return address and
 * the walk only ever reads wasm frames.
 */
#include "w2e_internal.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
  exn->_pad = 0;
  if (n) memcpy(exn->values, values, (size_t)n * sizeof(w2e_value));
  return exn;
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
  (void)fp; /* SP is the whole frame state */
  register uintptr_t r_pc __asm__("r1") = pc;
  register uintptr_t r_sp __asm__("r7") = sp;
  register w2e_exception *r_exn __asm__("r6") = exn;
  __asm__ volatile("lgr %%r15, %%r7\n\tbr %%r1"
                   :
                   : "r"(r_pc), "r"(r_sp), "r"(r_exn)
                   : "memory");
#else
  (void)pc, (void)sp, (void)fp, (void)exn;
  static const char msg[] = "wasm2exe: exceptions are not supported on this architecture\n";
  w2e_write_all(2, msg, sizeof msg - 1);
  _exit(W2E_EXIT_RUNTIME_ERROR);
#endif
  __builtin_unreachable();
}

#if defined(__s390x__)
/* The s390x ELF ABI's register save area: r14 (return address) is at this offset from the SP
 * that the callee received. */
#define S390X_R14_SAVE 112

void w2e_throw_s390x(w2e_vmctx *vmctx, w2e_exception *exn, uintptr_t sp, uintptr_t ret)
    __attribute__((noreturn, used));

/* w2e_throw_ref(vmctx, exn): tail-calls w2e_throw_s390x with the wasm caller's SP (r15 at
 * entry: builtins are called without stack arguments) and return address (r14). */
__asm__(".section .text.w2e_throw_ref,\"ax\",@progbits\n"
        ".globl w2e_throw_ref\n"
        ".type w2e_throw_ref,@function\n"
        "w2e_throw_ref:\n"
        "\tlgr %r4, %r15\n"
        "\tlgr %r5, %r14\n"
        "\tjg w2e_throw_s390x\n"
        ".size w2e_throw_ref, .-w2e_throw_ref\n"
        ".text\n");

void w2e_throw_s390x(w2e_vmctx *vmctx, w2e_exception *exn, uintptr_t sp, uintptr_t ret) {
  (void)vmctx;
  if (!exn) w2e_raise_trap(W2E_TRAP_NULL_REFERENCE);
  /* sp: the body SP of the wasm frame that `ret` returns into. */
  for (int steps = 0; steps < 1000000; steps++) {
    const w2e_module *m;
    uint32_t func;
    if (!ret || (sp & 7) || !w2e_lookup_code(ret - 1, &m, &func)) break;
    uintptr_t chain;
    memcpy(&chain, (const void *)sp, sizeof chain);
    if (chain <= sp) break;
    uintptr_t code = (uintptr_t)m->funcs[func].code;
    const w2e_call_site *site = find_call_site(m, func, (uint32_t)(ret - code));
    if (site) resume(code + site->handler_offset, chain - site->frame_offset, chain, exn);
    memcpy(&ret, (const void *)(chain + S390X_R14_SAVE), sizeof ret);
    sp = chain;
  }
  w2e_raise_trap(W2E_TRAP_UNCAUGHT_EXCEPTION);
}
#else
void w2e_throw_ref(w2e_vmctx *vmctx, w2e_exception *exn) {
  (void)vmctx;
  if (!exn) w2e_raise_trap(W2E_TRAP_NULL_REFERENCE);
  uintptr_t fp = (uintptr_t)__builtin_frame_address(0);
  bool wasm_owner = false, seen_wasm = false;
  for (int steps = 0; steps < 1000000; steps++) {
    uintptr_t ret, caller_fp;
    if (!w2e_frame_step(fp, wasm_owner, &ret, &caller_fp)) break;
    const w2e_module *m;
    uint32_t func;
    /* ret - 1: the call may be the last instruction of its function. */
    if (ret && w2e_lookup_code(ret - 1, &m, &func)) {
      seen_wasm = true;
      uintptr_t code = (uintptr_t)m->funcs[func].code;
      const w2e_call_site *site = find_call_site(m, func, (uint32_t)(ret - code));
      if (site)
        resume(code + site->handler_offset, caller_fp - site->frame_offset, caller_fp, exn);
      wasm_owner = true;
    } else if (seen_wasm || steps > 4) {
      break; /* left wasm code (or never found it): nobody handles the exception */
    } else {
      wasm_owner = false;
    }
    fp = caller_fp;
  }
  w2e_raise_trap(W2E_TRAP_UNCAUGHT_EXCEPTION);
}
#endif
