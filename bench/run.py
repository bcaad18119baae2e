#!/usr/bin/env python3
"""upcheck's benchmark: one command, every ratio side by side in one run.

    python3 bench/run.py [--only fleet,parse,md5] [--rounds 3] [--nodes 1000,10000]

- fleet: synthetic fleets (bench/gen_fleet.py, ~40 KB a node, 20% faulty) of
  each size; per round, `upcheck check FLEET` (the whole default catalog,
  phase pre, JSON to a file) and the I/O floor (bench/io_floor.rs: walk the
  tree and read every file in parallel) run back to back on a warm cache.
  Reports the medians, upcheck / floor per size, the growth from the
  smallest to the largest fleet against the growth in nodes, and upcheck's
  peak RSS.
- parse: parsing alone, per file, of every real ntpq and df sample in
  ../shared/real-world: upcheck's parsers (bench/parse_cost.rs) against
  insights-core's NtpqPn and DiskFree parsers (installed into
  target/bench/venv from PyPI when missing), one after the other in each
  round; medians per file over the rounds, then over the files.
- md5: bench/md5.py (GNU md5sum against upcheck on 1 GiB; 4 x 512 MiB on 1
  and 2 threads).

Results go to stdout as Markdown and to target/bench/results.json.
"""

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "target" / "bench"
REAL = ROOT.parent / "shared" / "real-world"
RELEASE = ROOT / "target" / "release"


def build():
    subprocess.run(
        ["cargo", "build", "--release", "--quiet", "--bin", "upcheck",
         "--example", "io_floor", "--example", "parse_cost", "--example", "md5_throughput"],
        cwd=ROOT, check=True)


def timed(cmd, env=None):
    """Wall seconds and peak RSS (MiB) of one run of cmd."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1, 3):
        sys.exit(f"{' '.join(map(str, cmd))} exited {code}: {proc.stderr.read().decode()[-2000:]}")
    return seconds, usage.ru_maxrss / 1024


def fleet(sizes, rounds):
    results = {}
    for n in sizes:
        path = OUT / f"fleet-{n}"
        meta = path / "generated.json"
        if not meta.exists():
            out = subprocess.run([sys.executable, str(ROOT / "bench" / "gen_fleet.py"),
                                  "--nodes", str(n), "--out", str(path)],
                                 check=True, capture_output=True, text=True).stdout
            meta.write_text(out)
        info = json.loads(meta.read_text())
        report = OUT / f"report-{n}.json"
        env = dict(os.environ, SOURCE_DATE_EPOCH="1795219200")
        check = [str(RELEASE / "upcheck"), "check", str(path), "--format", "json", "--output", str(report)]
        floor = [str(RELEASE / "examples" / "io_floor"), str(path)]
        timed(floor)  # warm the page cache
        up, fl, rss = [], [], []
        for r in range(rounds):
            s, m = timed(check, env)
            up.append(s)
            rss.append(m)
            fl.append(timed(floor)[0])
            print(f"  {n} nodes, round {r + 1}: upcheck {s:.2f} s ({m:.0f} MiB), floor {fl[-1]:.2f} s",
                  file=sys.stderr)
        summary = json.loads(report.read_text())["summary"]
        results[n] = {
            "nodes": n, "bytes_per_node": info["bytes_per_node"], "faulty": info["faulty"],
            "evaluations": summary["evaluations"],
            "upcheck_s": statistics.median(up), "floor_s": statistics.median(fl),
            "ratio": statistics.median(up) / statistics.median(fl),
            "peak_rss_mib": max(rss),
        }
    return results


def venv_python():
    venv = OUT / "venv"
    python = venv / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    probe = subprocess.run([str(python), "-c", "import insights"], capture_output=True)
    if probe.returncode != 0:
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", "insights-core"], check=True)
    return python


def lines(cmd):
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def parse(rounds):
    """Per round, upcheck's parsers then insights-core's on every file; the
    median per file over the rounds, then the median over the files."""
    python = venv_python()
    results = {}
    for kind, folder in [("ntpq", "ntpq-pn"), ("df", "df")]:
        files = sorted(str(p) for p in (REAL / folder).glob("*.txt"))
        ours, theirs = [], []
        for _ in range(rounds):
            ours.append({r["file"]: r for r in lines([str(RELEASE / "examples" / "parse_cost"), kind, *files])})
            theirs.append({r["file"]: r for r in lines(
                [str(python), str(ROOT / "bench" / "insights_parse.py"), kind, *files])})
        both = [f for f in files if ours[0][f]["parsed"] and theirs[0][f]["parsed"]]
        u = statistics.median(statistics.median(r[f]["us"] for r in ours) for f in both)
        i = statistics.median(statistics.median(r[f]["us"] for r in theirs) for f in both)
        results[kind] = {"files": len(files), "compared": len(both), "upcheck_us": u,
                         "insights_us": i, "ratio": i / u}
    return results


def md5(rounds):
    out = subprocess.run([sys.executable, str(ROOT / "bench" / "md5.py"), "--rounds", str(rounds), "--json"],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out.splitlines()[-1])


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", default="fleet,parse,md5")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--nodes", default="1000,10000")
    args = ap.parse_args()
    parts = set(args.only.split(","))
    OUT.mkdir(parents=True, exist_ok=True)
    build()
    results = {"machine": {"cpus": os.cpu_count(), "platform": platform.platform()},
               "date": time.strftime("%Y-%m-%d")}
    print(f"# upcheck benchmark, {results['date']}, {os.cpu_count()} CPUs, {platform.platform()}\n")
    if "fleet" in parts:
        sizes = [int(n) for n in args.nodes.split(",")]
        f = results["fleet"] = fleet(sizes, args.rounds)
        print("| nodes | KB/node | evaluations | upcheck check | I/O floor | ratio (goal ≤ 3×) | peak RSS (goal ≤ 300 MB at 10k) |")
        print("|---|---|---|---|---|---|---|")
        for n in sizes:
            r = f[n]
            print(f"| {n} | {r['bytes_per_node'] / 1000:.0f} | {r['evaluations']} | {r['upcheck_s']:.2f} s | "
                  f"{r['floor_s']:.2f} s | {r['ratio']:.2f}× | {r['peak_rss_mib']:.0f} MiB |")
        if len(sizes) > 1:
            lo, hi = f[sizes[0]], f[sizes[-1]]
            growth = hi["upcheck_s"] / lo["upcheck_s"]
            print(f"\nwall time grows {growth:.1f}× from {sizes[0]} to {sizes[-1]} nodes "
                  f"({sizes[-1] / sizes[0]:.0f}× the nodes; linear is {sizes[-1] / sizes[0]:.0f}×)\n")
    if "parse" in parts:
        p = results["parse"] = parse(args.rounds)
        print("| parser | files compared | upcheck, µs/file | insights-core, µs/file | upcheck faster by (goal ≥ 10×) |")
        print("|---|---|---|---|---|")
        for kind, r in p.items():
            print(f"| {kind} | {r['compared']} of {r['files']} | {r['upcheck_us']:.2f} | {r['insights_us']:.1f} | {r['ratio']:.1f}× |")
        print()
    if "md5" in parts:
        m = results["md5"] = md5(args.rounds)
        print("| md5 | median |\n|---|---|")
        for k, v in m.items():
            print(f"| {k} | {v:.3f} |" if isinstance(v, float) else f"| {k} | {v} |")
    (OUT / "results.json").write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
