"""The growth run: agency 1's pages and refresh on the 10-agency database against the same on
the single-agency one, measured in alternating rounds of the same run (single, growth, single,
growth, …), each round a fresh process on its own database and its own empty Redis database.

Every figure is taken as a multiple of its own round's floor (the trivial view; the refresh's
raw SQL), and the rounds' medians are compared. Two runs minutes apart on a shared machine
moved the floors themselves 1.15–1.70×, and a page's multiple by up to 1.25×, with nothing
changed between them; rounds that alternate put the same drift on both sides.
"""

import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from bench import report
from bench.env import ROOT, database_url, growth_url, migrate, vacuum_analyze
from bench.report import Figure, step

GROWTH_RATIO = 1.2
GROWTH_PREFIX = "growth: "


def growth_run(args) -> dict:
    """Measure both databases `args.rounds` times, alternately, and put the comparison into
    bench/results.json's figures (replacing an earlier growth run's)."""
    results = report.load()
    if not results.get("figures"):
        sys.exit("Run the single-agency benchmark first: --growth adds to its results.")
    urls = {"single": database_url(), "growth": growth_url(args.database_url)}
    for url in urls.values():
        migrate(url)
        vacuum_analyze(url)
    runs: dict[str, list[dict]] = {label: [] for label in urls}
    for round_number in range(1, args.rounds + 1):
        for label, url in urls.items():
            step(f"round {round_number} of {args.rounds}: the pages and the refresh, {label}")
            runs[label].append(_measured(url, args.repeat))
        if runs["growth"][0]["data"]["agencies"] < 2:
            sys.exit("The growth database has one agency: bench/generate --growth first.")
    results["growth_data"] = runs["growth"][-1]["data"]
    results["figures"] = [f for f in results["figures"]
                          if not f["name"].startswith(GROWTH_PREFIX)]
    results["figures"] += compared(runs["single"], runs["growth"])
    return results


def _measured(url: str, repeat: int) -> dict:
    """One round on one database, in its own process (bench/run.py --figures-to)."""
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "figures.json"
        subprocess.run([sys.executable, str(ROOT / "bench" / "run.py"), "--database-url", url,
                        "--repeat", str(repeat), "--figures-to", str(out)],
                       cwd=ROOT, check=True)
        return json.loads(out.read_text())


def compared(single_runs: list[dict], growth_runs: list[dict]) -> list[dict]:
    """Each timed figure of the growth rounds against the single-agency rounds: the median of
    its multiples of the floor on each side (the floors themselves in milliseconds)."""
    single = _by_name(single_runs)
    figures = []
    for name, growth in _by_name(growth_runs).items():
        first = growth[0]
        if first["unit"] != "ms" or name not in single:
            continue
        one = single[name]
        if first["floor"] is None:  # a floor itself, in milliseconds; no goal
            note = ("how much busier the machine was" if name.startswith("trivial")
                    else "the floor's own growth")
            figures.append(Figure(GROWTH_PREFIX + name, _median(growth, "value"), "ms",
                                  floor=_median(one, "value"), note=note).as_json())
            continue
        figures.append(Figure(
            GROWTH_PREFIX + name, _median(growth, "ratio"), "× floor",
            floor=_median(one, "ratio"), goal=f"≤ {GROWTH_RATIO:g}× one agency",
            ratio_max=GROWTH_RATIO, queries=growth[-1]["queries"],
            note=_ms(_median(growth, "value"), _median(one, "value"), len(growth))).as_json())
    return figures


def _by_name(runs: list[dict]) -> dict[str, list[dict]]:
    named: dict[str, list[dict]] = {}
    for run in runs:
        for figure in run["figures"]:
            named.setdefault(figure["name"], []).append(figure)
    return named


def _median(figures: list[dict], key: str) -> float | None:
    """The rounds' median; none when a round failed to measure it (reported, not hidden)."""
    values = [f[key] for f in figures]
    return None if any(v is None for v in values) else statistics.median(values)


def _ms(growth_ms: float | None, single_ms: float | None, rounds: int) -> str:
    if growth_ms is None or single_ms is None:
        return "failed in one of the rounds"
    return f"{growth_ms:.1f} ms against {single_ms:.1f} ms, medians of {rounds} rounds"
