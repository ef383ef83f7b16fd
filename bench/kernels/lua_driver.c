/* lua_driver: runs the Lua script read from standard input with the base, table, string and
 * math libraries (no io/os/package: they need a C library's process and file functions that
 * WASI lacks or that would only add I/O to the measurement). Built with lua_nojmp.h, so a Lua
 * error aborts instead of unwinding (wasm32-wasi has no setjmp/longjmp without the exception
 * proposal); the benchmark script raises none. */
#include <stdio.h>
#include <stdlib.h>

#include "lauxlib.h"
#include "lua.h"
#include "lualib.h"

int main(void) {
  size_t cap = 1 << 16, len = 0, n;
  char *script = malloc(cap);
  while ((n = fread(script + len, 1, cap - len, stdin)) > 0) {
    len += n;
    if (len == cap)
      script = realloc(script, cap *= 2);
  }
  lua_State *L = luaL_newstate();
  luaL_requiref(L, LUA_GNAME, luaopen_base, 1);
  luaL_requiref(L, LUA_TABLIBNAME, luaopen_table, 1);
  luaL_requiref(L, LUA_STRLIBNAME, luaopen_string, 1);
  luaL_requiref(L, LUA_MATHLIBNAME, luaopen_math, 1);
  lua_settop(L, 0);
  if (luaL_loadbuffer(L, script, len, "=bench.lua") != LUA_OK) {
    fprintf(stderr, "lua_driver: %s\n", lua_tostring(L, -1));
    return 1;
  }
  lua_call(L, 0, 0);
  lua_close(L);
  return 0;
}
