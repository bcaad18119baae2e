#!/usr/bin/env python3
"""Writes a synthetic fleet for the benchmark: N node snapshots made from the
fixture fleets' nodes (TPD servers with ISO digests, NTP, df, shadow, PAM,
alarms; Huawei NEs; OpenScape 4000 systems; DMS-100 offices; cluster patch
installer nodes), renamed and regrouped into sites and two-node clusters,
with a chosen share of them copied from a node that has planted faults.

    python3 bench/gen_fleet.py --nodes 1000 --faults 0.2 --out /tmp/fleet-1k
    python3 bench/gen_fleet.py --nodes 2000 --template FLEET_DIR --out /tmp/fleet-t

With --template, any fleet folder is the model instead: its node folders
(those holding node.json or sos_commands/) are copied as they are, the
whole fleet over and over, each copy's hostnames, sites and clusters
suffixed with the copy's number (-k0001), so that its clusters and sites
keep their members, until N nodes are written; the files at the template's
top (plan.toml, backup-repository.csv) are copied to the top once.

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


def template_nodes(template: Path) -> list:
    """The node folders of a fleet folder, sorted, not descending into one."""
    found = []

    def walk(folder: Path) -> None:
        if (folder / "node.json").is_file() or (folder / "sos_commands").is_dir():
            found.append(folder)
            return
        for child in sorted(folder.iterdir()):
            if child.is_dir() and not child.is_symlink():
                walk(child)

    walk(template)
    return found


def from_template(template: Path, nodes: int, out: Path) -> dict:
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    for top in template.iterdir():
        if top.is_file():
            shutil.copy2(top, out / top.name)
    models = template_nodes(template)
    if not models:
        raise SystemExit(f"{template}: no node folder (node.json or sos_commands/) in it")
    written = 0
    copy = 0
    while written < nodes:
        suffix = f"-k{copy:04d}"
        for model in models:
            if written == nodes:
                break
            target = out / f"k{copy:04d}" / model.relative_to(template)
            shutil.copytree(model, target, symlinks=True)
            marker = model / "node.json"
            meta = json.loads(marker.read_text()) if marker.is_file() else {}
            meta["hostname"] = meta.get("hostname", model.name) + suffix
            for field in ("site", "cluster"):
                if meta.get(field):
                    meta[field] += suffix
            (target / "node.json").write_text(json.dumps(meta, indent=2) + "\n")
            written += 1
        copy += 1
    size = sum(f.stat().st_size for f in out.rglob("*") if f.is_file())
    return {"nodes": nodes, "template": str(template), "template_nodes": len(models),
            "faulty": None, "bytes": size, "bytes_per_node": size // max(nodes, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--nodes", type=int, required=True)
    parser.add_argument("--faults", type=float, default=0.2, help="share of nodes copied from a faulty node")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--template", type=Path, help="a fleet folder to copy instead of the built-in mix")
    args = parser.parse_args()
    if args.template:
        print(json.dumps(from_template(args.template, args.nodes, args.out)))
    else:
        print(json.dumps(generate(args.nodes, args.faults, args.out, args.seed)))


if __name__ == "__main__":
    main()
