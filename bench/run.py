"""`make bench` (full) and `make bench-quick` (small, < 2 minutes, run by CI so the benchmark cannot rot):
every figure printed beside its goal, all of them written to bench/results/latest.json (or --out).

    python -m bench.run [--quick] [--out PATH] [--only throughput,returns,inbox,tree,events,direction]
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

from bench import direction, returns, scale, throughput

ROOT = Path(__file__).resolve().parents[1]
SECTIONS = ("throughput", "returns", "inbox", "tree", "events", "direction")
FULL = {"clients": 16, "seconds": 60, "returns": 1000, "window": 50, "tasks": 1_000_000, "units": 67_900,
        "accounts": 50_000, "copies": 100, "samples": 500, "events": 5000, "paced": 500, "chains": 10_000,
        "creations": 50}
QUICK = {"clients": 4, "seconds": 8, "returns": 100, "window": 10, "tasks": 20_000, "units": 3_395,
         "accounts": 2_500, "copies": 3, "samples": 100, "events": 300, "paced": 100, "chains": 500,
         "creations": 10}


def machine() -> dict:
    return {"cpus": os.cpu_count(), "python": platform.python_version(), "system": platform.platform(),
            "processor": platform.processor() or platform.machine()}


def run(sections: list[str], size: dict) -> tuple[list[dict], dict]:
    rows, raw = [], {}

    def row(section, figure, value, unit, goal, met):
        rows.append({"key": SECTIONS[int(section.split(".")[0]) - 1], "section": section, "figure": figure,
                     "value": value, "unit": unit, "goal": goal, "met": met})

    if "throughput" in sections:
        found = throughput.throughput_figures(size["clients"], size["seconds"])
        raw["throughput"] = found
        section = f"1. field reports, {found['clients']} clients"
        row(section, "instances/s", found["instances_per_second"], "/s", "≥ 100", found["instances_per_second"] >= 100)
        row(section, "API calls/s", found["calls_per_second"], "/s", "", None)
        row(section, "bare engine instances/s", found["baseline_instances_per_second"], "/s", "", None)
        row(section, "ratio to bare engine", found["ratio"], "×", "≥ 0.5", found["ratio"] >= 0.5)
        row(section, "errors", found["errors"], "", "0", found["errors"] == 0)
        for kind, lat in found["latency"].items():
            row(section, f"{kind} p50/p95/p99", f"{lat['p50']}/{lat['p95']}/{lat['p99']}", "ms", "", None)
    if "returns" in sections:
        points = sorted({0, min(100, size["returns"]), size["returns"]})
        with scale.fresh_database("egov_bench_returns") as url:
            service = returns.service_steps(size["returns"], size["window"], points, url)
        raw["returns"] = {str(k): round(v, 3) for k, v in service.items()}
        growth = service[max(service)] / service[0]
        for point, value in service.items():
            row("2. return loops (PostgreSQL)", f"ms per step at {point} returns", round(value, 2), "ms", "", None)
        row("2. return loops (PostgreSQL)", f"growth 0 → {max(service)}", round(growth, 2), "×", "≤ 1.2",
            growth <= 1.2)
    if "inbox" in sections:
        found = scale.inbox_figures(size["tasks"], size["units"], size["accounts"], size["samples"])
        raw["inbox"] = {k: (scale.summary(v) if isinstance(v, list) else v) for k, v in found.items()}
        section = f"3. inbox, {found['tasks']:,} open tasks"
        for kind, label in (("mine", "my inbox"), ("bucket", "one deadline bucket"), ("unit", "a unit's tasks")):
            p99 = scale.percentile(found[kind], 99)
            row(section, f"{label} p99", round(p99, 2), "ms", "≤ 20", p99 <= 20)
    if "tree" in sections:
        found = scale.tree_figures(size["copies"], size["samples"])
        raw["tree"] = {k: (scale.summary(v) if isinstance(v, list) else v) for k, v in found.items()}
        section = f"4. unit tree, {found['units']:,} units"
        for kind in ("subtree", "ancestors", "search"):
            p99 = scale.percentile(found[kind], 99)
            row(section, f"{kind} p99", round(p99, 2), "ms", "≤ 5", p99 <= 5)
    if "events" in sections:
        found = scale.event_figures(size["events"], paced=size["paced"])
        raw["events"] = {k: (scale.summary(v) if isinstance(v, list) else v) for k, v in found.items()}
        section = f"5. events, {found['count']:,} with confirms"
        row(section, "events/s, all at once", found["events_per_second"], "/s", "", None)
        rate = f"at {found['paced_rate']:g}/s"
        row(section, f"outbox → consumer p50 {rate}", round(scale.percentile(found["latency"], 50), 1), "ms", "",
            None)
        row(section, f"outbox → consumer p99 {rate}", round(scale.percentile(found["latency"], 99), 1), "ms", "",
            None)
        row(section, "lost", found["count"] - found["received"], "", "0", found["count"] == found["received"])
    if "direction" in sections:
        found = direction.direction_figures(size["chains"], size["units"], size["accounts"], size["samples"],
                                            size["creations"])
        raw["direction"] = {k: (scale.summary(v) if isinstance(v, list) else v) for k, v in found.items()}
        section = f"6. tasks (direction), {found['tasks']:,}"
        for kind, label in (("mine", "a person's list"), ("bucket", "one deadline bucket"),
                            ("report", "a unit's report"), ("took_part", "took part in")):
            p99 = scale.percentile(found[kind], 99)
            row(section, f"{label} p99", round(p99, 2), "ms", "≤ 20", p99 <= 20)
        shallow, deep = (scale.percentile(found[k], 50) for k in ("create_depth_1", "create_depth_10"))
        row(section, "sub-task at depth 1 / 10, p50", f"{shallow:.1f}/{deep:.1f}", "ms", "", None)
        growth = direction.ratio(found)
        row(section, "depth 10 ÷ depth 1", round(growth, 2), "×", "≤ 1.2", growth <= 1.2)
    return rows, raw


def render(rows: list[dict]) -> str:
    lines = [f"| {'section':<34} | {'figure':<30} | {'value':>16} | {'goal':>7} | result |",
             f"|{'-' * 36}|{'-' * 32}|{'-' * 18}|{'-' * 9}|--------|"]
    for r in rows:
        value = f"{r['value']}{' ' + r['unit'] if r['unit'] else ''}"
        verdict = {True: "met", False: "MISSED", None: ""}[r["met"]]
        lines.append(f"| {r['section']:<34} | {r['figure']:<30} | {value:>16} | {r['goal']:>7} | {verdict:<6} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--only", default=",".join(SECTIONS))
    parser.add_argument("--merge", action="store_true", help="replace only these sections in the existing results")
    args = parser.parse_args(argv)
    sections = [s for s in args.only.split(",") if s]
    unknown = set(sections) - set(SECTIONS)
    if unknown:
        parser.error(f"unknown sections: {', '.join(sorted(unknown))}")
    size = QUICK if args.quick else FULL
    started = time.perf_counter()
    rows, raw = run(sections, size)
    out = args.out or ROOT / "bench" / "results" / ("quick.json" if args.quick else "latest.json")
    if args.merge and out.exists():
        kept = json.loads(out.read_text())
        old = [r for r in kept["rows"] if r.get("key", SECTIONS[int(r["section"].split(".")[0]) - 1])
               not in sections]
        rows = sorted(old + rows, key=lambda r: int(r["section"].split(".")[0]))
        raw = {**{k: v for k, v in kept["raw"].items() if k not in sections}, **raw}
    table = render(rows)
    took = time.perf_counter() - started
    print(f"\n{'bench-quick' if args.quick else 'bench'} on {machine()['cpus']} CPUs, {platform.platform()} "
          f"({took:.0f} s)\n\n{table}\n")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"mode": "quick" if args.quick else "full", "machine": machine(),
                               "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "seconds": round(took),
                               "size": size, "rows": rows, "raw": raw}, indent=2, ensure_ascii=False) + "\n")
    print(f"written to {out.relative_to(ROOT) if out.is_relative_to(ROOT) else out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
