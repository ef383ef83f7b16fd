/*
 * test_trap_registers.c (x86_64 Windows, run under wine by test_windows.sh): a trap must leave
 * w2e_call's caller exactly as a normal return would. The Microsoft x64 convention makes RBX,
 * RBP, RSI, RDI, R12-R15 and XMM6-15 callee-saved; a caller may keep anything there across
 * w2e_call (the spectest driver keeps the zero it stores with in XMM6). With clang's
 * __builtin_setjmp the jump back restored XMM6-15 and w2e_call's saved `prev` from the wrong
 * stack slots (see trap_jump.h), so this checks every such register after traps of both
 * kinds, several in a row, and then that no stale w2e_call is left: a trap outside any call
 * must still end the process with exit code 134.
 *
 * The "wasm" functions and the register-checking caller are assembly: C cannot pin values to
 * callee-saved registers around a call, nor clobber them all before a fault.
 */
#include "w2e_runtime.h"
#include "core/w2e_internal.h"

#include <stdio.h>
#include <string.h>

#if !defined(_WIN32) || !defined(__x86_64__)
#error "test_trap_registers.c is for x86_64 Windows"
#endif

/* Every callee-saved register but RBP (the frame walk of a trap follows it) gets junk, then:
 * test_wasm_div divides by zero (a hardware exception, seen by the vectored handler) and
 * test_wasm_raise calls w2e_raise_trap (the software path). Neither returns. */
#define CLOBBER                                                                                   \
  "  movq $-1, %rbx\n  movq $-1, %rsi\n  movq $-1, %rdi\n  movq $-1, %r12\n"                      \
  "  movq $-1, %r13\n  movq $-1, %r14\n  movq $-1, %r15\n"                                        \
  "  pcmpeqd %xmm6, %xmm6\n  pcmpeqd %xmm7, %xmm7\n  pcmpeqd %xmm8, %xmm8\n"                      \
  "  pcmpeqd %xmm9, %xmm9\n  pcmpeqd %xmm10, %xmm10\n  pcmpeqd %xmm11, %xmm11\n"                  \
  "  pcmpeqd %xmm12, %xmm12\n  pcmpeqd %xmm13, %xmm13\n  pcmpeqd %xmm14, %xmm14\n"                \
  "  pcmpeqd %xmm15, %xmm15\n"

__asm__(".text\n"
        ".globl test_wasm_div\n"
        "test_wasm_div:\n" CLOBBER "  xorl %ecx, %ecx\n"
        "  movl $1, %eax\n"
        "  cltd\n"
        "  idivl %ecx\n"
        "  ret\n"
        ".globl test_wasm_raise\n"
        "test_wasm_raise:\n" CLOBBER "  subq $40, %rsp\n"
        "  movl $1, %edi\n" /* W2E_TRAP_UNREACHABLE; builtins take System V arguments */
        "  call w2e_raise_trap\n"
        ".globl test_wasm_end\n"
        "test_wasm_end:\n"
        "  int3\n");
extern const char test_wasm_div[], test_wasm_raise[], test_wasm_end[];

/* uint32_t call_with_canaries(const w2e_extern *f, w2e_value *args, uint32_t *trap):
 * loads a distinct canary into each callee-saved register but RBP, calls w2e_call(f, args),
 * stores its result in *trap and returns a mask of the registers that changed (bit 0-6:
 * RBX RSI RDI R12-R15, bit 7-16: XMM6-15). Frame: 7 pushes after RBP, then 216 bytes =
 * shadow space [0,32), *trap [32,40), the caller's XMM6-15 [48,208). */
#define CANARY(n) "0x5a5a5a5a000000" #n
#define SET_GPR(reg, n) "  movabsq $" CANARY(n) ", %" #reg "\n"
#define SET_XMM(reg, n)                                                                           \
  "  movabsq $" CANARY(n) ", %rax\n  movq %rax, %" #reg "\n  punpcklqdq %" #reg ", %" #reg "\n"
#define CHECK_GPR(reg, n, bit)                                                                    \
  "  movabsq $" CANARY(n) ", %r10\n  cmpq %r10, %" #reg "\n  je 1f\n  orl $" #bit ", %eax\n1:\n"
#define CHECK_XMM(reg, n, bit)                                                                    \
  "  movabsq $" CANARY(n) ", %r10\n  movq %r10, %xmm0\n  punpcklqdq %xmm0, %xmm0\n"              \
  "  pcmpeqb %" #reg ", %xmm0\n  pmovmskb %xmm0, %r11d\n  cmpl $0xffff, %r11d\n  je 1f\n"         \
  "  orl $" #bit ", %eax\n1:\n"
#define SAVE_XMM(reg, slot) "  movdqa %" #reg ", " #slot "(%rsp)\n"
#define LOAD_XMM(reg, slot) "  movdqa " #slot "(%rsp), %" #reg "\n"

__asm__(".text\n"
        ".globl call_with_canaries\n"
        "call_with_canaries:\n"
        "  pushq %rbp\n  movq %rsp, %rbp\n"
        "  pushq %rbx\n  pushq %rsi\n  pushq %rdi\n  pushq %r12\n"
        "  pushq %r13\n  pushq %r14\n  pushq %r15\n"
        "  subq $216, %rsp\n"
        "  movq %r8, 32(%rsp)\n" SAVE_XMM(xmm6, 48) SAVE_XMM(xmm7, 64) SAVE_XMM(xmm8, 80)
            SAVE_XMM(xmm9, 96) SAVE_XMM(xmm10, 112) SAVE_XMM(xmm11, 128) SAVE_XMM(xmm12, 144)
                SAVE_XMM(xmm13, 160) SAVE_XMM(xmm14, 176) SAVE_XMM(xmm15, 192)
        /* */ SET_GPR(rbx, 01) SET_GPR(rsi, 02) SET_GPR(rdi, 03) SET_GPR(r12, 04) SET_GPR(r13, 05)
            SET_GPR(r14, 06) SET_GPR(r15, 07) SET_XMM(xmm6, 08) SET_XMM(xmm7, 09)
                SET_XMM(xmm8, 10) SET_XMM(xmm9, 11) SET_XMM(xmm10, 12) SET_XMM(xmm11, 13)
                    SET_XMM(xmm12, 14) SET_XMM(xmm13, 15) SET_XMM(xmm14, 16) SET_XMM(xmm15, 17)
        /* */ "  call w2e_call\n"
        "  movq 32(%rsp), %r8\n  movl %eax, (%r8)\n"
        "  xorl %eax, %eax\n" CHECK_GPR(rbx, 01, 0x1) CHECK_GPR(rsi, 02, 0x2)
            CHECK_GPR(rdi, 03, 0x4) CHECK_GPR(r12, 04, 0x8) CHECK_GPR(r13, 05, 0x10)
                CHECK_GPR(r14, 06, 0x20) CHECK_GPR(r15, 07, 0x40) CHECK_XMM(xmm6, 08, 0x80)
                    CHECK_XMM(xmm7, 09, 0x100) CHECK_XMM(xmm8, 10, 0x200)
                        CHECK_XMM(xmm9, 11, 0x400) CHECK_XMM(xmm10, 12, 0x800)
                            CHECK_XMM(xmm11, 13, 0x1000) CHECK_XMM(xmm12, 14, 0x2000)
                                CHECK_XMM(xmm13, 15, 0x4000) CHECK_XMM(xmm14, 16, 0x8000)
                                    CHECK_XMM(xmm15, 17, 0x10000)
        /* */ LOAD_XMM(xmm6, 48) LOAD_XMM(xmm7, 64) LOAD_XMM(xmm8, 80) LOAD_XMM(xmm9, 96)
            LOAD_XMM(xmm10, 112) LOAD_XMM(xmm11, 128) LOAD_XMM(xmm12, 144)
                LOAD_XMM(xmm13, 160) LOAD_XMM(xmm14, 176) LOAD_XMM(xmm15, 192)
        /* */ "  addq $216, %rsp\n"
        "  popq %r15\n  popq %r14\n  popq %r13\n  popq %r12\n"
        "  popq %rdi\n  popq %rsi\n  popq %rbx\n  popq %rbp\n"
        "  ret\n");
uint32_t call_with_canaries(const w2e_extern *f, w2e_value *args, uint32_t *trap);

static void trampoline(const void *code, w2e_vmctx *vm, w2e_value *args) {
  (void)vm, (void)args;
  ((void (*)(void))code)();
}

static const uint8_t no_kinds[1] = {0};
static const w2e_functype type_v = {0x1111, 0, 0, no_kinds, trampoline};

int main(void) {
  w2e_runtime_init();
  /* A module of just the two functions: enough for the code registry (no trap table: the
   * divide is recognised by its exception code, as in generated code without an entry). */
  static w2e_func funcs[2];
  funcs[0].code = test_wasm_div;
  funcs[0].code_size = (uint32_t)((uintptr_t)test_wasm_raise - (uintptr_t)test_wasm_div);
  funcs[1].code = test_wasm_raise;
  funcs[1].code_size = (uint32_t)((uintptr_t)test_wasm_end - (uintptr_t)test_wasm_raise);
  static w2e_module module;
  module.num_funcs = 2;
  module.funcs = funcs;
  if (!w2e_register_module(&module)) {
    printf("0 passed, 1 failed: cannot register the test code\n");
    return 1;
  }
  int passed = 0, failed = 0;
  for (int round = 0; round < 3; round++) {
    for (uint32_t i = 0; i < 2; i++) {
      w2e_funcref ref = {funcs[i].code, type_v.type_id, NULL};
      w2e_extern f;
      memset(&f, 0, sizeof f);
      f.kind = W2E_EXTERN_FUNC;
      f.u.func = &ref;
      f.functype = &type_v;
      w2e_value args[1];
      memset(args, 0, sizeof args);
      uint32_t want = i == 0 ? W2E_TRAP_INT_DIV_BY_ZERO : W2E_TRAP_UNREACHABLE, trap = 0;
      uint32_t changed = call_with_canaries(&f, args, &trap);
      if (trap == want && changed == 0) {
        passed++;
      } else {
        failed++;
        fprintf(stderr, "FAIL round %d, %s: trap %u (want %u), changed registers mask 0x%x\n",
                round, i == 0 ? "divide by zero" : "w2e_raise_trap", trap, want, changed);
      }
    }
  }
  printf("%d passed, %d failed\n", passed, failed);
  fflush(stdout);
  if (failed) return 1;
  /* No w2e_call is active now: the trap must end the process (W2E_EXIT_TRAP), not jump. */
  w2e_raise_trap(W2E_TRAP_UNREACHABLE);
}
