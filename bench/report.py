"""The benchmark's figures: each a value with its unit, the floor it is compared with, the
goal the issue set for it and whether it was met; written to bench/results.json and printed
as a table (the same Markdown table the README shows)."""

import datetime as dt
import json
import os
import platform
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from bench.env import RESULTS, ROOT

README = ROOT / "README.md"
START, END = "<!-- bench:table -->", "<!-- /bench:table -->"


@dataclass
class Figure:
    name: str
    value: float | None
    unit: str
    floor: float | None = None  # what it is compared with, in the same unit
    goal: str = ""
    ratio_max: float | None = None  # goal: value / floor at most this
    ratio_min: float | None = None  # goal: value / floor at least this (a throughput)
    value_max: float | None = None  # goal: value below this
    p95: float | None = None
    queries: int | None = None
    kb: float | None = None
    note: str = ""

    @property
    def ratio(self) -> float | None:
        if self.value is None or not self.floor:
            return None
        return self.value / self.floor

    @property
    def met(self) -> bool | None:
        checks = []
        if self.ratio_max is not None:
            checks.append(self.ratio is not None and self.ratio <= self.ratio_max)
        if self.ratio_min is not None:
            checks.append(self.ratio is not None and self.ratio >= self.ratio_min)
        if self.value_max is not None:
            checks.append(self.value is not None and self.value < self.value_max)
        return all(checks) if checks else None

    def as_json(self) -> dict:
        return {"name": self.name, "value": _round(self.value), "unit": self.unit,
                "floor": _round(self.floor), "ratio": _round(self.ratio), "goal": self.goal,
                "met": self.met, "p95": _round(self.p95), "queries": self.queries,
                "kB": _round(self.kb), "note": self.note}


def step(what: str) -> None:
    """What the benchmark is measuring now, with the time of day."""
    print(f"{dt.datetime.now():%H:%M:%S} {what} …", flush=True)


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def _number(value: float | None, unit: str = "") -> str:
    if value is None:
        return ""
    digits = 0 if abs(value) >= 100 or unit in {"MB", "failures"} else 1
    if unit == "× floor" or (unit == "ms" and abs(value) < 10):
        digits = 2
    return f"{value:,.{digits}f}"


def _met(figure: dict) -> str:
    return {True: "yes", False: "**no**", None: ""}[figure["met"]]


def table(figures: list[dict]) -> str:
    lines = ["| figure | value | unit | p95 | queries | kB | floor | ratio | goal | met |",
             "|---|---:|---|---:|---:|---:|---:|---:|---|---|"]
    for f in figures:
        name = f["name"] + (f" ({f['note']})" if f.get("note") else "")
        ratio = f"{f['ratio']:.2f}×" if f["ratio"] is not None else ""
        lines.append(
            f"| {name} | {_number(f['value'], f['unit'])} | {f['unit']} | "
            f"{_number(f.get('p95'), f['unit'])} | {f.get('queries') or ''} | "
            f"{_number(f.get('kB'))} | {_number(f['floor'], f['unit'])} | {ratio} | "
            f"{f['goal']} | {_met(f)} |")
    return "\n".join(lines)


def machine(postgres_version: str) -> dict:
    cpu = ""
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    memory = next((int(line.split()[1]) for line in Path("/proc/meminfo").read_text()
                   .splitlines() if line.startswith("MemTotal:")), 0)
    import django

    return {"cores": os.cpu_count(), "cpu": cpu, "ram_gb": round(memory / 1024 / 1024, 1),
            "os": platform.platform(terse=True), "python": platform.python_version(),
            "django": django.get_version(), "postgresql": postgres_version}


def commit() -> str:
    """The commit measured, with a mark when the app's tracked files had changes on top."""
    def git(*argv: str) -> str:
        return subprocess.run(["git", *argv], cwd=ROOT, check=True, capture_output=True,
                              text=True).stdout.strip()

    try:
        head = git("rev-parse", "--short", "HEAD")
        changed = git("status", "--porcelain", "--untracked-files=no", "--", ".",
                      ":!bench", ":!README.md", ":!Makefile")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return f"{head} + uncommitted changes" if changed else head


def load() -> dict:
    return json.loads(RESULTS.read_text()) if RESULTS.exists() else {}


def save(results: dict) -> None:
    RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")


def stamp(results: dict, prefix: str = "") -> dict:
    results[prefix + "taken_at"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    results[prefix + "commit"] = commit()
    return results


def caption(results: dict) -> str:
    m = results.get("machine", {})
    data = results.get("data", {})
    growth = results.get("growth_data", {})
    text = (f"Taken at commit `{results.get('commit', '?')}` on {results.get('taken_at', '?')[:10]}"
            f": {m.get('cores')} cores ({m.get('cpu')}), {m.get('ram_gb')} GB RAM, "
            f"{m.get('postgresql')}, Python {m.get('python')}, Django {m.get('django')}, "
            f"shared with other work. Data: {data.get('summary', '?')}.")
    if growth:
        text += (f" Growth run (commit `{results.get('growth_commit', '?')}`): "
                 f"{growth.get('summary', '?')}.")
    return text


def readme_update(results: dict) -> bool:
    """Put the table between the README's markers (in its Benchmark section)."""
    text = README.read_text()
    if START not in text or END not in text:
        return False
    block = f"{START}\n{caption(results)}\n\n{table(results['figures'])}\n{END}"
    README.write_text(re.sub(re.escape(START) + ".*?" + re.escape(END), lambda _: block, text,
                             flags=re.S))
    return True
