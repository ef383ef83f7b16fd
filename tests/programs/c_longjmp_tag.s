# The exception tag wasm setjmp/longjmp throws. wasi-libc's longjmp refers to it, but
# nothing in zig's wasi-libc defines it, so programs using setjmp (Lua) link this file.
	.tagtype __c_longjmp i32
	.globl __c_longjmp
__c_longjmp:
