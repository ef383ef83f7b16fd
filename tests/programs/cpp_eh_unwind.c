/* libunwind's wasm part (_Unwind_RaiseException, _Unwind_CallPersonality), from the sources
 * zig ships (lib/libunwind/src); see cpp_eh_exception.cpp. */
#define _LIBUNWIND_HIDE_SYMBOLS
#include "Unwind-wasm.c"
