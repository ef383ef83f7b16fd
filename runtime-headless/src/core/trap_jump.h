/*
 * trap_jump.h: the non-local exit out of wasm code (trap.c), per OS.
 *
 * POSIX: sigsetjmp/siglongjmp with the signal mask saved, since the jump may leave a signal
 * handler (the fault's signal is blocked there).
 *
 * Windows: no jump ever leaves an exception handler (signals_win32.c redirects the faulting
 * thread to w2e_trap_from_signal in normal context first), so no mask needs restoring. The
 * CRT's longjmp is not used: mingw's setjmp passes a frame and its longjmp then unwinds with
 * RtlUnwindEx, which needs unwind tables the generated code does not have. The compiler's
 * builtins restore the frame and stack pointers only (callee-saved registers are treated as
 * clobbered at the setjmp point), without unwinding.
 */
#ifndef W2E_TRAP_JUMP_H
#define W2E_TRAP_JUMP_H

#if defined(_WIN32)
typedef void *w2e_jmp_buf[5];
#define w2e_setjmp(buf) __builtin_setjmp(buf)
#define w2e_longjmp(buf) __builtin_longjmp(buf, 1)
#else
#include <setjmp.h>
typedef sigjmp_buf w2e_jmp_buf;
/* savemask=1: a handler runs with its signal blocked; the jump must unblock it. */
#define w2e_setjmp(buf) sigsetjmp(buf, 1)
#define w2e_longjmp(buf) siglongjmp(buf, 1)
#endif

#endif /* W2E_TRAP_JUMP_H */
