/* Forced into every Lua source file (-include), in all three builds alike. Errors abort
 * instead of longjmp (wasm32-wasi has no setjmp without the exception-handling proposal). */
#include <stdio.h>
#include <stdlib.h>
#define LUAI_THROW(L, c) (fputs("lua error: aborting (benchmark build has no longjmp)\n", stderr), abort())
#define LUAI_TRY(L, c, a) { a }
#define luai_jmpbuf int
/* lstate.h would include <signal.h> for sig_atomic_t, which wasi-libc only emulates. */
#define l_signalT int
