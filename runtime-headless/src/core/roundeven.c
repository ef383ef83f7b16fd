/*
 * roundeven.c: `roundeven` and `roundevenf` (wasm's f32/f64.nearest) for C libraries without
 * them. LLVM lowers `llvm.roundeven` to these calls on CPUs without a rounding instruction
 * (i686's SSE2 baseline has none; SSE4.1's roundsd does), and zig's musl does not define them.
 * Weak, so a libc that has them wins. rint rounds to nearest, ties to even, in the default
 * rounding mode, which wasm code never changes; it keeps NaNs and signed zeros.
 */
#include <math.h>

__attribute__((weak)) double roundeven(double x) { return rint(x); }
__attribute__((weak)) float roundevenf(float x) { return rintf(x); }
