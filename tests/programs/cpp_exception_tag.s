# The exception tag C++ throws on wasm (compiler-rt defines it for other toolchains).
	.tagtype __cpp_exception i32
	.globl __cpp_exception
__cpp_exception:
