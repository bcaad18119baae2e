#!/usr/bin/env python3
"""ISO hashing benchmark: upcheck's md5 against GNU md5sum, side by side.

Creates a 1 GiB file and four 512 MiB files of random bytes (in --dir, by
default a temporary folder under /var/tmp), reads them once so they sit in
the page cache, then runs ROUNDS interleaved rounds of:

  1. GNU `md5sum` on the 1 GiB file,
  2. upcheck on the 1 GiB file (single stream),
  3. upcheck on the four files, limited to 2 cores (taskset, RAYON_NUM_THREADS=2),
  4. upcheck on the four files on 1 core (the -j1 of 3.),
  5. the md5 core alone, hashing 256 MiB from memory (the ceiling of 2.).

It prints the median throughput of each and the two ratios the targets in
docs/performance.md are stated in. Interleaving keeps a noisy machine from
favouring one side.

    python3 bench/md5.py [--rounds 7] [--dir DIR] [--keep] [--json]

bench/run.py runs it with --json, which adds one JSON line of the medians.
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

GIB = 1 << 30
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def make_file(path, size):
    if os.path.exists(path) and os.path.getsize(path) == size:
        return
    with open("/dev/urandom", "rb") as src, open(path, "wb") as out:
        left = size
        while left:
            chunk = src.read(min(left, 16 << 20))
            out.write(chunk)
            left -= len(chunk)


def warm(paths):
    for p in paths:
        with open(p, "rb") as f:
            while f.read(16 << 20):
                pass


def gnu_md5sum(path):
    start = time.perf_counter()
    subprocess.run(["md5sum", path], check=True, stdout=subprocess.DEVNULL)
    seconds = time.perf_counter() - start
    return os.path.getsize(path) / 1e6 / seconds


def upcheck(binary, paths, cores=None):
    env = dict(os.environ)
    cmd = [binary, *paths]
    if cores:
        env["RAYON_NUM_THREADS"] = str(cores)
        if shutil.which("taskset"):
            cmd = ["taskset", "-c", ",".join(str(c) for c in range(cores)), *cmd]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True, env=env)
    return json.loads(out.stdout)["mb_per_s"]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--dir", help="where to put the test files (default: a temporary folder)")
    ap.add_argument("--keep", action="store_true", help="keep the test files")
    ap.add_argument("--json", action="store_true", help="end with one JSON line of the medians")
    args = ap.parse_args()

    subprocess.run(
        ["cargo", "build", "--release", "--quiet", "--example", "md5_throughput"],
        cwd=ROOT,
        check=True,
    )
    binary = os.path.join(ROOT, "target", "release", "examples", "md5_throughput")

    workdir = args.dir or tempfile.mkdtemp(prefix="upcheck-bench-", dir="/var/tmp")
    os.makedirs(workdir, exist_ok=True)
    try:
        big = os.path.join(workdir, "single-1GiB.iso")
        quarter = [os.path.join(workdir, f"part{i}-512MiB.iso") for i in range(4)]
        make_file(big, GIB)
        for p in quarter:
            make_file(p, GIB // 2)
        warm([big, *quarter])

        gnu, single, four, four_j1, core = [], [], [], [], []
        for r in range(args.rounds):
            gnu.append(gnu_md5sum(big))
            single.append(upcheck(binary, [big]))
            four.append(upcheck(binary, quarter, cores=2))
            four_j1.append(upcheck(binary, quarter, cores=1))
            core.append(upcheck(binary, ["--in-memory"]))
            print(
                f"round {r + 1}: md5sum {gnu[-1]:.0f} MB/s, upcheck {single[-1]:.0f} MB/s, "
                f"upcheck 4 files on 2 cores {four[-1]:.0f} MB/s",
                file=sys.stderr,
            )

        g, s, f, f1, c = (statistics.median(x) for x in (gnu, single, four, four_j1, core))
        print(f"median of {args.rounds} interleaved rounds, files in page cache")
        print(f"  GNU md5sum, 1 GiB file          {g:8.0f} MB/s")
        print(f"  upcheck, 1 GiB file             {s:8.0f} MB/s")
        print(f"  upcheck, 4 x 512 MiB, 2 cores   {f:8.0f} MB/s")
        print(f"  md5 core, from memory           {c:8.0f} MB/s")
        print(f"  single stream / GNU md5sum      {s / g:8.3f}x  (target >= 1.05x)")
        print(f"  4 files on 2 cores / single     {f / s:8.3f}x  (target >= 1.9x)")
        print(f"  md5 core / GNU md5sum           {c / g:8.3f}x  (the best a single stream can do)")
        print(f"  4 files, 2 threads / 1 thread   {f / f1:8.3f}x  (target >= 1.9x)")
        if args.json:
            print(json.dumps({
                "gnu_md5sum_mb_s": g, "upcheck_single_mb_s": s, "upcheck_4_files_j2_mb_s": f,
                "upcheck_4_files_j1_mb_s": f1, "md5_core_mb_s": c,
                "single_over_gnu": s / g, "j2_over_j1": f / f1,
            }))
    finally:
        if not args.keep and not args.dir:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
