#!/usr/bin/env python3
"""Compares two wasm2exe builds on the benchmark programs, by CPU time: one optimization step.

    python3 bench/ab.py OLD_WASM2EXE NEW_WASM2EXE [PROGRAM ...] [--reps N]

Uses the .wasm files a previous `bench/run.py` left in bench/.cache/wasm, builds each with
both compilers, runs the two executables alternately (after one untimed round) and prints
the median CPU time (user + system, from wait4) of each and their ratio NEW/OLD. CPU time is
what this shared machine disturbs least; the outputs of both must be identical.
"""

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run  # noqa: E402  (the harness: program list, cache paths)


def cpu_run(exe, prog):
    with open(prog.stdin or os.devnull, "rb") as stdin:
        p = subprocess.Popen([str(exe), *prog.args], stdin=stdin, stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL)
        out = p.stdout.read()
        _, status, usage = os.wait4(p.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"{exe} failed with {status}")
    return usage.ru_utime + usage.ru_stime, out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("old")
    ap.add_argument("new")
    ap.add_argument("programs", nargs="*")
    ap.add_argument("--reps", type=int, default=5)
    a = ap.parse_args()
    progs = [p for p in run.program_list() if not a.programs or p.name in a.programs]
    ratios = []
    with tempfile.TemporaryDirectory() as tmp:
        for prog in progs:
            found = sorted((run.CACHE / "wasm").glob(f"{prog.name}-*.wasm"),
                           key=lambda p: p.stat().st_mtime)
            if not found:
                sys.exit(f"no {prog.name} wasm in {run.CACHE / 'wasm'}: run bench/run.py first")
            exes = []
            for tag, compiler in (("old", a.old), ("new", a.new)):
                exe = Path(tmp) / f"{prog.name}-{tag}"
                subprocess.run([compiler, str(found[-1]), "-o", str(exe), *prog.w2e_flags],
                               check=True)
                exes.append(exe)
            times = ([], [])
            outputs = set()
            for rep in range(a.reps + 1):
                for i in (0, 1) if rep % 2 else (1, 0):
                    t, out = cpu_run(exes[i], prog)
                    outputs.add(out)
                    if rep:
                        times[i].append(t)
            old, new = run.median(times[0]), run.median(times[1])
            ratios.append(new / old)
            same = "" if len(outputs) == 1 else "  OUTPUTS DIFFER"
            print(f"{prog.name:12} old {old:7.3f}s  new {new:7.3f}s  new/old {new / old:.3f}{same}",
                  flush=True)
    print(f"{'geomean':12} new/old {run.geomean(ratios):.3f}")


if __name__ == "__main__":
    main()
