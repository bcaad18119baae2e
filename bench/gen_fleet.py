#!/usr/bin/env python3
"""Writes a synthetic fleet for the benchmark: N node snapshots made from the
fixture fleets' nodes (TPD servers with ISO digests, NTP, df, shadow, PAM,
alarms; Huawei NEs; OpenScape 4000 systems; DMS-100 offices; cluster patch
installer nodes), renamed and regrouped into sites and two-node clusters,
with a chosen share of them copied from a node that has planted faults.

    python3 bench/gen_fleet.py --nodes 1000 --faults 0.2 --out /tmp/fleet-1k

Every file is a real fixture file, so every parser and rule does its real
work; only node.json (hostname, site, cluster) differs per node. Servers
(nodes with commands/ or etc/) also get a var/log/messages of about 31 KB,
its lines taken from the real syslog samples with rolling times, so that a
node weighs about 40 KB as a collected server does.
"""

import argparse
import json
import random
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"

# (weight, healthy templates, faulty templates), paths under fixtures/.
MIX = [
    (
        70,
        [
            "demo/site-east/mpe-east-a",
            "demo/site-east/cmp-east-a",
            "demo/site-west/mra-west-b",
            "oracle-pm/healthy-pre/site-1/mpe-s1-a",
            "oracle-pm/healthy-pre/site-1/mra-s1-b",
        ],
        [
            "demo/site-east/mpe-east-b",
            "demo/site-west/cmp-west-b",
            "demo/site-east/mra-east-b",
            "demo/site-west/mpe-west-a",
            "oracle-pm/pre-with-problems/site-1/mra-s1-a",
            "oracle-pm/pre-with-problems/site-2/mpe-s2-b",
        ],
    ),
    (
        10,
        ["huawei-osn6800-load-failure/site-a/ne-osn6800-02"],
        ["huawei-osn6800-load-failure/site-a/ne-osn6800-01", "demo/site-east/ne-osn6800-01"],
    ),
    (
        8,
        ["openscape4000/site-munich/os4k-muc-a"],
        ["openscape4000/site-munich/os4k-muc-b", "openscape4000/site-berlin/os4k-ber-a"],
    ),
    (4, ["dms-prsm/pre/office-west/dms-west-cm"], ["dms-prsm/pre/office-east/dms-east-cm"]),
    (
        8,
        ["cluster-patch/east/east-a", "cluster-patch/east/east-b"],
        ["cluster-patch/west/west-a", "cluster-patch/west/west-b", "cluster-patch/north/north-b"],
    ),
]

NODES_PER_SITE = 50
MESSAGES_BYTES = 31_000
SYSLOG_SAMPLES = ROOT.parent / "shared/real-world/messages"


def syslog_lines() -> list:
    """The message parts (after host) of the real syslog samples."""
    lines = []
    for sample in sorted(SYSLOG_SAMPLES.glob("messages-*.txt")):
        for line in sample.read_text().splitlines():
            parts = line.split(" ", 4)
            if len(parts) == 5:
                lines.append(parts[4])
    return lines


def messages(host: str, lines: list, rng: random.Random) -> str:
    out, size, t = [], 0, 8 * 3600
    while size < MESSAGES_BYTES:
        t += rng.randint(1, 90)
        stamp = f"Nov 21 {t // 3600 % 24:02d}:{t // 60 % 60:02d}:{t % 60:02d}"
        line = f"{stamp} {host} {rng.choice(lines)}\n"
        out.append(line)
        size += len(line)
    return "".join(out)


def plan_text() -> str:
    """The demo plan, plus the OpenScape keys, so every family has its plan."""
    demo = (FIXTURES / "demo/plan.toml").read_text()
    top, _, tables = demo.partition("\n[")
    return (
        top
        + '\namo_patch_dest = "HD&RAM"\n\n['
        + tables
        + '\n[[amo_required_patches]]\npatno = "PA10001"\ndest = "HD&RAM"\n'
    )


def write_node(template: Path, target: Path, hostname: str, site: str, cluster: str, log: str) -> None:
    shutil.copytree(template, target, symlinks=True)
    meta = json.loads((template / "node.json").read_text())
    meta.update({"hostname": hostname, "site": site, "cluster": cluster})
    (target / "node.json").write_text(json.dumps(meta, indent=2) + "\n")
    is_server = (template / "commands").is_dir() or (template / "etc").is_dir()
    if is_server and not (target / "var/log/messages").exists():
        (target / "var/log").mkdir(parents=True, exist_ok=True)
        (target / "var/log/messages").write_text(log)


def generate(nodes: int, faults: float, out: Path, seed: int) -> dict:
    rng = random.Random(seed)
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    (out / "plan.toml").write_text(plan_text())
    weights = [w for w, _, _ in MIX]
    lines = syslog_lines()
    faulty = 0
    i = 0
    while i < nodes:
        _, healthy, broken = rng.choices(MIX, weights)[0]
        site = f"site-{i // NODES_PER_SITE:04d}"
        cluster = f"cl-{i // 2:05d}"
        # Both members of a two-node cluster come from the same family.
        for _ in range(min(2, nodes - i)):
            bad = rng.random() < faults
            faulty += bad
            template = FIXTURES / rng.choice(broken if bad else healthy)
            host = f"n{i:05d}"
            write_node(template, out / site / host, host, site, cluster, messages(host, lines, rng))
            i += 1
    size = sum(f.stat().st_size for f in out.rglob("*") if f.is_file())
    return {"nodes": nodes, "faulty": faulty, "bytes": size, "bytes_per_node": size // max(nodes, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--nodes", type=int, required=True)
    parser.add_argument("--faults", type=float, default=0.2, help="share of nodes copied from a faulty node")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    print(json.dumps(generate(args.nodes, args.faults, args.out, args.seed)))


if __name__ == "__main__":
    main()
