#!/bin/sh
# Builds and runs the runtime's C tests (no compiler needed): ./run.sh [cc]
set -e
cd "$(dirname "$0")/.."
CC=${1:-cc}
OUT=${TMPDIR:-/tmp}/w2e-runtime-tests
mkdir -p "$OUT"
FLAGS="-std=c11 -D_GNU_SOURCE -O2 -fno-omit-frame-pointer -Wall -Wextra -Wno-unused-parameter -Iinclude -Isrc"
LIB=$(ls src/*.c | grep -v '/main\.c$')
$CC $FLAGS -fno-reorder-blocks-and-partition $LIB tests/test_runtime.c -o "$OUT/test_runtime"
"$OUT/test_runtime"
$CC $FLAGS src/*.c tests/test_main.c -o "$OUT/test_main"
$CC $FLAGS -DBAD_IMPORT src/*.c tests/test_main.c -o "$OUT/test_main_bad_import"
$CC $FLAGS -DNO_START src/*.c tests/test_main.c -o "$OUT/test_main_no_start"
sh tests/test_main.sh "$OUT/test_main" "$OUT/test_main_bad_import" "$OUT/test_main_no_start"
