#!/bin/sh
# Checks capability records and run-time grants: sh test_config.sh ./test_config
BIN=$1
fails=0
check() { # name, want, got
  if [ "$2" != "$3" ]; then
    echo "FAIL $1: got '$3', want '$2'"
    fails=$((fails + 1))
  fi
}
D=$(mktemp -d)
mkdir "$D/a" "$D/b"
cd "$D" || exit 1
check none "env 0:" "$(env -i X=1 "$BIN")"
check env "env 2: [A=1] [B=2]" "$(env -i X=1 "$BIN" env A=1 env B=2)"
check inherit "env 3: [X=9] [Y=2] [A=1]" "$(env -i X=1 Y=2 "$BIN" env X=9 inherit-env env A=1)"
check dirs "env 0:
preopen 3 /data
preopen 4 b" "$(env -i "$BIN" dir a /data dir "$D/b" b)"
out=$(env -i "$BIN" dir missing /m 2>&1); st=$?
check missing-status 70 $st
check missing-msg "wasm2exe: cannot start: cannot open directory missing granted as /m: No such file or directory" "$out"
check no-grants "env 0:" "$(env -i WASM2EXE_DIRS=a WASM2EXE_ENV=K=V "$BIN")"
check grants "env 2: [K=V] [L=x=y]
preopen 3 /data
preopen 4 a
preopen 5 /bb" "$(env -i WASM2EXE_DIRS="a
b::/bb" WASM2EXE_ENV="K=V
L=x=y" "$BIN" dir a /data runtime-grants)"
out=$(env -i WASM2EXE_ENV=novalue "$BIN" runtime-grants 2>&1); st=$?
check bad-env "70 wasm2exe: cannot start: WASM2EXE_ENV entry \"novalue\" is not KEY=VALUE" "$st $out"
out=$(env -i "$BIN" bundle /lib 0 2>&1); st=$? # test_config links no w2e_main_bundle
check no-bundle-data "70 wasm2exe: cannot start: cannot serve bundle 0 as /lib: the executable holds no bundle data" "$st $out"
cd / && rm -rf "$D"
[ $fails = 0 ] && echo "all config tests passed"
exit $fails
