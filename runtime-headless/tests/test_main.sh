#!/bin/sh
# Runs the test_main executable (tests/test_main.c linked with the whole runtime, main.c
# included) and checks its output and exit codes: sh test_main.sh ./test_main [bad_import] [no_start]
BIN=$1
fails=0
expect() { # name, want-status, want-stdout, got-status, got-stdout
  if [ "$2" != "$4" ] || [ "$3" != "$5" ]; then
    echo "FAIL $1: status $4 (want $2), stdout '$5' (want '$3')"
    fails=$((fails + 1))
  fi
}
out=$("$BIN" a "b c"); expect args 0 "[$BIN][a][b c]" $? "$out"
out=$("$BIN" exit 7); expect exit 7 "[$BIN][exit][7]" $? "$out"
out=$("$BIN" trap 2>/tmp/w2e_err$$); st=$?
expect trap 134 "[$BIN][trap]" $st "$out"
expect trap-msg x "wasm trap: unreachable
  at _start" x "$(cat /tmp/w2e_err$$)"
out=$("$BIN" oob 2>/tmp/w2e_err$$); expect oob 134 "[$BIN][oob]" $? "$out"
expect oob-msg x "wasm trap: out of bounds memory access" x "$(head -1 /tmp/w2e_err$$)"
out=$("$BIN" fault); expect fault 0 "[$BIN][fault]
21 21 8 21" $? "$out"
out=$("$BIN" env); expect env 0 "[$BIN][env]
000" $? "$out"
out=$("$BIN" clock); expect clock 0 "[$BIN][clock]
0 ok 28 8" $? "$out"
# A closed pipe: fd_write returns errno pipe (64) and the program goes on to exit 0.
("$BIN" pipe 2>/tmp/w2e_err$$; echo $? >/tmp/w2e_st$$) | head -c 1 >/dev/null
expect pipe 0 "64" "$(cat /tmp/w2e_st$$)" "$(cat /tmp/w2e_err$$)"
out=$("$BIN" random); expect random 0 "[$BIN][random]
0 ok21" $? "$out"
if [ -n "$2" ]; then
  "$2" 2>/tmp/w2e_err$$; expect bad-import 70 "" $? ""
  expect bad-import-msg x 'wasm2exe: cannot start: import "wasi_snapshot_preview1"."random_gett" is not provided by the runtime' x "$(cat /tmp/w2e_err$$)"
fi
if [ -n "$3" ]; then
  "$3" 2>/tmp/w2e_err$$; expect no-start 70 "" $? ""
  expect no-start-msg x 'wasm2exe: cannot start: the module has no "_start" function to run' x "$(cat /tmp/w2e_err$$)"
fi
rm -f /tmp/w2e_err$$ /tmp/w2e_st$$
[ $fails = 0 ] && echo "all main/WASI tests passed"
exit $fails
