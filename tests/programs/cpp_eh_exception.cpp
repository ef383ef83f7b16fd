// zig builds libc++abi for wasm32-wasi without exceptions, so a C++ program built with
// -fwasm-exceptions lacks __cxa_throw and friends. These wrappers compile the missing parts
// from the libc++abi sources zig ships (its lib/libcxxabi/src), with exceptions on.
#define _LIBCXXABI_BUILDING_LIBRARY
#define LIBCXXABI_USE_LLVM_UNWINDER
#define _LIBCPP_BUILDING_LIBRARY
#define _LIBCXXABI_HAS_NO_THREADS
#include "cxa_exception.cpp"
