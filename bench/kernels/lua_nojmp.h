/* Forced into every Lua source file (-include): errors abort instead of longjmp. */
#include <stdio.h>
#include <stdlib.h>
#define LUAI_THROW(L, c) (fputs("lua error: aborting (benchmark build has no longjmp)\n", stderr), abort())
#define LUAI_TRY(L, c, a) { a }
#define luai_jmpbuf int
