#!/usr/bin/env python3
"""upcheck's benchmark: one command, every goal a ratio of two things measured
side by side in the same run (interleaved rounds, medians), so that a loaded
machine slows both sides of each ratio alike.

    python3 bench/run.py [--only fleet,archive,digest,parse,md5] [--rounds 3]
                         [--nodes 2000,20000] [--template FLEET_DIR]

- fleet: synthetic fleets of each size, from the built-in mix
  (bench/gen_fleet.py, ~40 KB a node, 20% faulty) and, with --template, from
  that fleet folder copied over and over. Per round, one after the other:
  the I/O floor (bench/io_floor.rs: walk the tree and read every file in
  parallel), `upcheck check FLEET --format json` (the whole default
  catalog, phase pre), the same with --format table, junit, sarif,
  markdown and html, and JSON with -j1 and -j2; and the floor on one
  and on two threads. Reports JSON / floor, each format / JSON, -j1 / -j2
  beside the floor's own one thread / two threads (what reading the files
  alone gains from a second thread), and the peak RSS of each run
  (ru_maxrss of the child; the highest of the rounds, with the lowest
  beside it when they differ), and the phase times upcheck reports with
  UPCHECK_TIMINGS=1 (what runs on one thread).
- archive: the smallest fleet packed as one .tar.xz; per round, the check
  of the folder and of the archive. Reports archive / folder.
- digest: a fleet of 8 nodes, each with a 64 MiB staged ISO of random
  bytes listed in md5sum.out; per round, `check --select 20008 --cache DIR`
  with the cache emptied (every image hashed) and with the cache of the
  previous run (none hashed). Reports cold / warm.
- parse: parsing alone, per file, of every real ntpq and df sample in
  ../shared/real-world: upcheck's parsers (bench/parse_cost.rs) against
  insights-core's NtpqPn and DiskFree parsers (installed into
  target/bench/venv from PyPI when missing); medians per file over the
  rounds, then over the files.
- md5: bench/md5.py (GNU md5sum against upcheck on 1 GiB; 4 x 512 MiB on 1
  and 2 threads).

Results go to stdout as Markdown and to target/bench/results.json.
"""

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tarfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "target" / "bench"
REAL = ROOT.parent / "shared" / "real-world"
RELEASE = ROOT / "target" / "release"
UPCHECK = RELEASE / "upcheck"
ENV = dict(os.environ, SOURCE_DATE_EPOCH="1795219200")
FORMATS = ["table", "junit", "sarif", "markdown", "html"]


def build():
    subprocess.run(
        ["cargo", "build", "--release", "--quiet", "--bin", "upcheck",
         "--example", "io_floor", "--example", "parse_cost", "--example", "md5_throughput"],
        cwd=ROOT, check=True)


def timed(cmd, env=ENV):
    """Wall seconds, peak RSS (MiB) and stderr of one run of cmd."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    err = proc.stderr.read().decode(errors="replace")
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1, 3):
        sys.exit(f"{' '.join(map(str, cmd))} exited {code}: {err[-2000:]}")
    return seconds, usage.ru_maxrss / 1024, err


def generate(path, n, template=None):
    meta = path / "generated.json"
    if meta.exists() and json.loads(meta.read_text())["nodes"] == n:
        return json.loads(meta.read_text())
    cmd = [sys.executable, str(ROOT / "bench" / "gen_fleet.py"), "--nodes", str(n), "--out", str(path)]
    if template:
        cmd += ["--template", str(template)]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    meta.write_text(out)
    return json.loads(out)


def phase_times(stderr):
    """The `upcheck: timing: PHASE SECONDS s` lines of UPCHECK_TIMINGS=1."""
    times = {}
    for line in stderr.splitlines():
        if line.startswith("upcheck: timing: "):
            name, seconds, _ = line[len("upcheck: timing: "):].rsplit(" ", 2)
            times[name] = float(seconds)
    return times


def summary_of(report):
    """The summary of a JSON report, read in a child process: a 20,000-node
    report loaded here would grow this process to gigabytes, and Linux
    reports the peak RSS of every child started afterwards as at least
    that (the forked copy's high-water mark survives exec)."""
    code = "import json, sys; print(json.dumps(json.load(open(sys.argv[1]))['summary']))"
    out = subprocess.run([sys.executable, "-c", code, str(report)], check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out)


def fleet_point(path, info, rounds):
    """Every measurement of one fleet, interleaved round after round."""
    floor = [str(RELEASE / "examples" / "io_floor"), str(path)]
    report = OUT / "report.out"

    def check(fmt, *extra, out=report):
        return [str(UPCHECK), "check", str(path), "--format", fmt, "--output", str(out), *extra]

    runs = {"floor": floor, "json": check("json", out=OUT / "report.json"),
            "j1": check("json", "-j1"), "j2": check("json", "-j2"),
            "floor_j1": floor, "floor_j2": floor}
    runs.update({f: check(f) for f in FORMATS})
    envs = {"json": dict(ENV, UPCHECK_TIMINGS="1"),
            "floor_j1": dict(ENV, RAYON_NUM_THREADS="1"),
            "floor_j2": dict(ENV, RAYON_NUM_THREADS="2")}
    timed(floor)  # warm the page cache
    seconds = {k: [] for k in runs}
    rss = {k: [] for k in runs}
    phases = []
    for r in range(rounds):
        for name, cmd in runs.items():
            s, m, err = timed(cmd, envs.get(name, ENV))
            seconds[name].append(s)
            rss[name].append(m)
            if name == "json":
                phases.append(phase_times(err))
        print(f"  {path.name}, round {r + 1}: " + ", ".join(
            f"{k} {v[-1]:.2f} s" for k, v in seconds.items()), file=sys.stderr)
    summary = summary_of(OUT / "report.json")
    med = {k: statistics.median(v) for k, v in seconds.items()}
    return {
        "nodes": info["nodes"], "bytes_per_node": info["bytes_per_node"],
        "template": info.get("template"), "evaluations": summary["evaluations"],
        "seconds": med, "peak_rss_mib": {k: max(v) for k, v in rss.items()},
        "least_peak_rss_mib": {k: min(v) for k, v in rss.items()},
        "json_over_floor": med["json"] / med["floor"],
        "format_over_json": {f: med[f] / med["json"] for f in FORMATS},
        "j1_over_j2": med["j1"] / med["j2"],
        "floor_j1_over_j2": med["floor_j1"] / med["floor_j2"],
        "phases": {k: statistics.median(p.get(k, 0) for p in phases) for k in phases[0]} if phases else {},
    }


def fleet(sizes, rounds, template):
    results = []
    kinds = [("mix", None)] + ([(Path(template).name, Path(template))] if template else [])
    for kind, model in kinds:
        for n in sizes:
            path = OUT / f"fleet-{kind}-{n}"
            info = generate(path, n, model)
            results.append(dict(fleet_point(path, info, rounds), fleet=kind))
    return results


def archive(n, rounds):
    """The mix fleet of n nodes as a folder and as one .tar.xz."""
    folder = OUT / f"fleet-mix-{n}"
    generate(folder, n)
    packed = OUT / f"fleet-mix-{n}.tar.xz"
    if not packed.exists() or packed.stat().st_mtime < (folder / "generated.json").stat().st_mtime:
        with tarfile.open(packed, "w:xz", preset=1) as tar:
            tar.add(folder, arcname=folder.name)
    report = str(OUT / "report.out")
    cmds = {p: [str(UPCHECK), "check", str(p), "--format", "json", "--output", report]
            for p in (folder, packed)}
    times = {p: [] for p in cmds}
    for _ in range(rounds):
        for p, cmd in cmds.items():
            times[p].append(timed(cmd)[0])
    f, a = statistics.median(times[folder]), statistics.median(times[packed])
    return {"nodes": n, "archive_bytes": packed.stat().st_size, "folder_s": f, "archive_s": a,
            "ratio": a / f}


def digest(rounds, nodes=8, mib=64):
    """Cold and warm digest cache over `nodes` staged images of `mib` MiB."""
    fleet = OUT / "fleet-iso"
    iso = "cmp-12.1.2.0.0_22.1.0-x86_64.iso"
    lines = {}
    for i in range(nodes):
        node = fleet / f"cmp{i}"
        image = node / "var/TKLC/upgrade" / iso
        if not image.exists() or image.stat().st_size != mib << 20:
            image.parent.mkdir(parents=True, exist_ok=True)
            with open(image, "wb") as out:
                out.write(os.urandom(mib << 20))
        (node / "node.json").write_text(json.dumps(
            {"hostname": f"cmp{i}", "role": "cmp", "platform": "tpd"}))
        listing = node / "var/camiant/tmp/md5sum.out"
        listing.parent.mkdir(parents=True, exist_ok=True)
        if not listing.exists():
            md5 = subprocess.run(["md5sum", str(image)], check=True, capture_output=True,
                                 text=True).stdout.split()[0]
            listing.write_text(f"{md5}  {iso}\n")
        lines[i] = listing
    cache = OUT / "digest-cache"
    cmd = [str(UPCHECK), "check", str(fleet), "--select", "20008", "--format", "json",
           "--output", str(OUT / "report-iso.json"), "--cache", str(cache)]
    timed(cmd)  # warm the page cache
    cold, warm = [], []
    for _ in range(rounds):
        shutil.rmtree(cache, ignore_errors=True)
        cold.append(timed(cmd)[0])
        computed = len(json.loads((OUT / "report-iso.json").read_text())["digests"]["computed"])
        warm.append(timed(cmd)[0])
        cached = len(json.loads((OUT / "report-iso.json").read_text())["digests"]["cached"])
    c, w = statistics.median(cold), statistics.median(warm)
    return {"images": nodes, "mib_each": mib, "cold_s": c, "warm_s": w, "ratio": c / w,
            "computed_cold": computed, "cached_warm": cached}


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


def rss_range(least, most):
    """The highest peak RSS of the rounds in MB, and the lowest when the
    rounds differ by more than 1 MB: one round's spike shows as such."""
    least, most = least * 1.048576, most * 1.048576
    return f"{most:.0f} MB" if most - least < 1 else f"{most:.0f} MB (rounds {least:.0f}–{most:.0f})"


def print_fleet(points):
    print("| fleet | nodes | KB/node | evaluations | floor | JSON | JSON / floor (goal ≤ 3×) "
          "| -j1 / -j2 (goal ≥ 1.8×) | floor, 1 / 2 threads | peak RSS JSON, table (goal ≤ 300 MB) |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for r in points:
        s, m, least = r["seconds"], r["peak_rss_mib"], r["least_peak_rss_mib"]
        print(f"| {r['fleet']} | {r['nodes']} | {r['bytes_per_node'] / 1000:.0f} | {r['evaluations']} | "
              f"{s['floor']:.2f} s | {s['json']:.2f} s | {r['json_over_floor']:.2f}× | "
              f"{r['j1_over_j2']:.2f}× | {r['floor_j1_over_j2']:.2f}× | "
              f"{rss_range(least['json'], m['json'])}, {rss_range(least['table'], m['table'])} |")
    print("\n| fleet | nodes | " + " | ".join(f"{f} / JSON" for f in FORMATS) + " | (goal ≤ 1.5×) |")
    print("|---|---|" + "---|" * (len(FORMATS) + 1))
    for r in points:
        print(f"| {r['fleet']} | {r['nodes']} | " + " | ".join(
            f"{r['format_over_json'][f]:.2f}× ({r['seconds'][f]:.2f} s)" for f in FORMATS) + " | |")
    print("\n| fleet | nodes | " + " | ".join(points[0]["phases"]) + " |")
    print("|---|---|" + "---|" * len(points[0]["phases"]))
    for r in points:
        print(f"| {r['fleet']} | {r['nodes']} | " + " | ".join(
            f"{v:.2f} s" for v in r["phases"].values()) + " |")
    print()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", default="fleet,archive,digest,parse,md5")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--nodes", default="2000,20000")
    ap.add_argument("--archive-nodes", type=int, default=2000)
    ap.add_argument("--template", help="a fleet folder the generator copies (e.g. fixtures/oracle-pm/healthy-pre)")
    args = ap.parse_args()
    parts = set(args.only.split(","))
    OUT.mkdir(parents=True, exist_ok=True)
    build()
    load = os.getloadavg()
    results = {"machine": {"cpus": os.cpu_count(), "platform": platform.platform(),
                           "load_at_start": load},
               "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
               "command": " ".join(["python3", "bench/run.py", *sys.argv[1:]])}
    print(f"# upcheck benchmark, {results['date']}, {os.cpu_count()} CPUs, {platform.platform()}, "
          f"load average {load[0]:.1f} at the start\n")
    print(f"`{results['command']}`\n")
    if "fleet" in parts:
        sizes = [int(n) for n in args.nodes.split(",")]
        results["fleet"] = fleet(sizes, args.rounds, args.template)
        print_fleet(results["fleet"])
    if "archive" in parts:
        a = results["archive"] = archive(args.archive_nodes, args.rounds)
        print(f"| one .tar.xz of {a['nodes']} nodes ({a['archive_bytes'] / 1e6:.0f} MB) | folder | archive "
              f"| archive / folder (goal ≤ 2×) |\n|---|---|---|---|\n"
              f"| | {a['folder_s']:.2f} s | {a['archive_s']:.2f} s | {a['ratio']:.2f}× |\n")
    if "digest" in parts:
        d = results["digest"] = digest(args.rounds)
        print(f"| digest cache, {d['images']} × {d['mib_each']} MiB images | cold (hashed {d['computed_cold']}) "
              f"| warm (cached {d['cached_warm']}) | cold / warm |\n|---|---|---|---|\n"
              f"| `--select 20008 --cache DIR` | {d['cold_s']:.2f} s | {d['warm_s']:.2f} s | {d['ratio']:.1f}× |\n")
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
