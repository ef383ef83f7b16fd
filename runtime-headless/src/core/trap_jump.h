/*
 * trap_jump.h: the non-local exit out of wasm code (trap.c), per OS.
 *
 * POSIX: sigsetjmp/siglongjmp with the signal mask saved, since the jump may leave a signal
 * handler (the fault's signal is blocked there).
 *
 * Windows: no jump ever leaves an exception handler (signals_win32.c redirects the faulting
 * thread to w2e_trap_from_signal in normal context first), so no mask needs restoring. The
 * CRT's _setjmp is called with a NULL frame: its longjmp then restores the saved registers
 * (all callee-saved ones, XMM6-15 included) without unwinding, as mingw's own setjmp does in
 * non-SEH builds. A frame would make longjmp unwind with RtlUnwindEx, which needs unwind
 * tables the generated code does not have. Not __builtin_setjmp: on x86_64 Windows clang
 * saves llvm.frameaddress, which is not the RBP the function addresses its frame with (RBP
 * sits at an offset into the frame there; llvm-project issue 72908), so after the jump
 * w2e_call read its saved `prev` and the caller's XMM6-15 from the wrong slots: a stale
 * active_call and garbage vector registers in the caller (a heap block the caller then
 * "zeroed" with them held junk), seen after two traps in a row.
 */
#ifndef W2E_TRAP_JUMP_H
#define W2E_TRAP_JUMP_H

#include <setjmp.h>

#if defined(_WIN32)
typedef jmp_buf w2e_jmp_buf;
#define w2e_setjmp(buf) _setjmp((buf), NULL)
#define w2e_longjmp(buf) longjmp((buf), 1)
#else
typedef sigjmp_buf w2e_jmp_buf;
/* savemask=1: a handler runs with its signal blocked; the jump must unblock it. */
#define w2e_setjmp(buf) sigsetjmp(buf, 1)
#define w2e_longjmp(buf) siglongjmp(buf, 1)
#endif

#endif /* W2E_TRAP_JUMP_H */
