// The personality routine that matches C++ catch clauses; see cpp_eh_exception.cpp.
#define _LIBCXXABI_BUILDING_LIBRARY
#define LIBCXXABI_USE_LLVM_UNWINDER
#define _LIBCPP_BUILDING_LIBRARY
#define _LIBCXXABI_HAS_NO_THREADS
#include "cxa_personality.cpp"
