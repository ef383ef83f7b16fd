#!/bin/sh
# Builds the runtime's Windows-only C test (test_trap_registers.c) for x86_64-windows-gnu with
# zig and runs it under wine: sh tests/test_windows.sh. WINEPREFIX names the wine prefix
# (the first run creates one, ~700 MB). Needs zig (pip install ziglang) and wine.
set -e
cd "$(dirname "$0")/.."
OUT=${TMPDIR:-/tmp}/w2e-runtime-tests-windows
mkdir -p "$OUT"
command -v wine >/dev/null || { echo "FAIL: wine not found (apt-get install wine)" >&2; exit 1; }
python3 -c "import ziglang" 2>/dev/null || { echo "FAIL: zig not found (pip install ziglang)" >&2; exit 1; }
# The Windows runtime, as targets/src/runtime.rs builds it: the portable folders and the
# win32 platform (src/layout.rs), -Os.
LIB=$(ls src/core/*.c src/wasi/*.c src/entry/*.c src/platform/win32/*.c | grep -v '/main\.c$')
python3 -m ziglang cc -target x86_64-windows-gnu -std=c11 -Os -fno-omit-frame-pointer -D_GNU_SOURCE -Wall -Wextra \
  -Wno-unused-parameter -Iinclude -Isrc $LIB tests/test_trap_registers.c \
  -o "$OUT/test_trap_registers.exe"
# Exit 134 with the trap's message: the last trap, outside any w2e_call, ended the process.
set +e
WINEDEBUG=-all wine "$OUT/test_trap_registers.exe" >"$OUT/stdout" 2>"$OUT/stderr"
status=$?
set -e
cat "$OUT/stdout"
if [ "$status" != 134 ] || ! grep -q '^6 passed, 0 failed' "$OUT/stdout" ||
  ! grep -q '^wasm trap: unreachable' "$OUT/stderr"; then
  echo "FAIL test_trap_registers.exe: exit $status (want 134)" >&2
  cat "$OUT/stderr" >&2
  exit 1
fi
echo "test_windows.sh: 1 passed, 0 failed"
