#!/usr/bin/env python3
"""Two (or more) upcheck binaries on one fleet, side by side: the runs
alternate (A B, then B A, ...) so that a noisy machine slows each alike,
and the medians of each binary's wall times are printed.

    python3 bench/compare.py OLD_BINARY,NEW_BINARY FLEET_DIR [--runs 8] [-- CHECK_ARGS...]

Each run is `BINARY check FLEET --format json --output FILE` plus
CHECK_ARGS, with SOURCE_DATE_EPOCH set as bench/run.py sets it. Build the
old binary from a worktree of the older commit (`git worktree add`).
"""

import argparse
import os
import statistics
import subprocess
import tempfile
import time

ENV = dict(os.environ, SOURCE_DATE_EPOCH="1795219200")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("binaries", help="comma-separated upcheck binaries")
    ap.add_argument("fleet")
    ap.add_argument("--runs", type=int, default=8)
    ap.add_argument("check_args", nargs="*")
    args = ap.parse_args()
    binaries = args.binaries.split(",")
    times = [[] for _ in binaries]
    with tempfile.TemporaryDirectory() as out:
        report = os.path.join(out, "report.json")
        for i in range(args.runs):
            order = range(len(binaries)) if i % 2 == 0 else reversed(range(len(binaries)))
            for at in order:
                binary = binaries[at]
                cmd = [binary, "check", args.fleet, "--format", "json", "--output", report]
                start = time.perf_counter()
                code = subprocess.run(cmd + args.check_args, stdout=subprocess.DEVNULL,
                                      stderr=subprocess.DEVNULL, env=ENV).returncode
                times[at].append(time.perf_counter() - start)
                if code not in (0, 1, 3):
                    raise SystemExit(f"{' '.join(cmd)} exited {code}")
    first = statistics.median(times[0])
    for binary, runs in zip(binaries, times):
        runs = sorted(runs)
        median = statistics.median(runs)
        print(f"{binary}: median {median:.3f} s (min {runs[0]:.3f}, max {runs[-1]:.3f}), "
              f"{median / first:.2f}x the first")


if __name__ == "__main__":
    main()
