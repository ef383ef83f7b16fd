/* For the wasm32-wasi build of Lua only: ldo.c includes <setjmp.h>, which wasi-libc refuses
 * without the exception-handling proposal. lua_nojmp.h makes Lua use neither setjmp nor
 * longjmp, so an empty header is enough. */
