"""Write what a session found: results.json (atomic), summary.md, and the rows the terminal shows."""

from __future__ import annotations

import json
import math
import os
import platform
import sys
from importlib import metadata
from pathlib import Path
from typing import Any

import psutil

PACKAGES = ("autointel", "pytest", "pytest-benchmark", "numpy", "scipy", "psutil", "crewai", "faster-whisper",
            "qdrant-client", "memray", "pyinstrument", "ctranslate2", "onnxruntime")


def clean(value: Any) -> Any:
    """JSON-safe: non-finite floats become null (e.g. a p95 upper bound that n cannot support)."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {str(k): clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [clean(v) for v in value]
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, (set, frozenset)):
        return sorted(clean(v) for v in value)
    return value


def write_json_atomic(path: Path, data: Any) -> None:
    """tmp + fsync + rename: a reader sees the old file or the new one, never half of one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    with tmp.open("w", encoding="utf-8") as fh:
        json.dump(clean(data), fh, indent=2, allow_nan=False, sort_keys=False)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def git_commit(start: Path) -> str | None:
    """Read the commit from .git files (no git subprocess): HEAD -> ref -> loose or packed ref."""
    for folder in (start, *start.parents):
        git = folder / ".git"
        if git.is_file():
            text = git.read_text(encoding="utf-8").strip()
            git = (folder / text.removeprefix("gitdir:").strip()) if text.startswith("gitdir:") else git
        if not git.is_dir():
            continue
        try:
            head = (git / "HEAD").read_text(encoding="utf-8").strip()
            if not head.startswith("ref:"):
                return head
            ref = head.removeprefix("ref:").strip()
            common = git / "commondir"
            base = (git / common.read_text().strip()).resolve() if common.exists() else git
            for root in (git, base):
                if (root / ref).exists():
                    return (root / ref).read_text(encoding="utf-8").strip()
            for line in (base / "packed-refs").read_text(encoding="utf-8").splitlines():
                if line.endswith(" " + ref):
                    return line.split()[0]
        except OSError:
            return None
        return None
    return None


def environment(root: Path) -> dict[str, Any]:
    versions: dict[str, str | None] = {}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return {
        "python": sys.version.split()[0],
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "machine": platform.machine(),
        "node": platform.node(),
        "cpu_count": os.cpu_count(),
        "cpu_count_physical": psutil.cpu_count(logical=False),
        "memory_total_bytes": psutil.virtual_memory().total,
        "packages": versions,
        "git_commit": git_commit(root),
    }


def _num(value: Any, fmt: str = "{:.3f}") -> str:
    return fmt.format(value) if isinstance(value, (int, float)) and math.isfinite(value) else "-"


def _ci(row: dict[str, Any] | None, point: str, low: str, high: str, fmt: str = "{:.3f}") -> str:
    if not row or row.get(point) is None:
        return "-"
    return f"{_num(row[point], fmt)} [{_num(row.get(low), fmt)}, {_num(row.get(high), fmt)}]"


HEADERS = ["engine", "combination", "ok", "failed", "invalid", "median e2e s [95% CI]",
           "ratio vs baseline [95% CI]", "verdict", "CV", "peak RSS MiB"]


def table_rows(results: dict[str, Any]) -> list[list[str]]:
    """One row per cell: the numbers a reader needs to trust or distrust the verdict."""
    e2e = {(c["engine"], c["name"]): c for c in results.get("comparisons", []) if c.get("metric") == "e2e"}
    rows = []
    for cell in results.get("cells", []):
        comp = e2e.get((cell["engine"], cell["combo"]))
        counts = cell["counts"]
        rss = (cell.get("peak_rss") or {}).get("median")
        verdict = "baseline" if cell["combo"] == "baseline" else (comp or {}).get("verdict", "-")
        if comp and comp.get("unstable"):
            verdict += " (unstable)"
        cv = (comp or {}).get("cv", (cell.get("e2e") or {}).get("cv"))
        rows.append([
            cell["engine"], cell["combo"], str(counts["ok"]), str(counts["failed"]), str(counts["invalid"]),
            _ci(cell.get("e2e"), "median", "ci_low", "ci_high"),
            _ci(comp, "ratio", "ratio_ci_low", "ratio_ci_high") if cell["combo"] != "baseline" else "1",
            verdict, _num(cv, "{:.1%}"), _num(rss / 2**20 if rss else None, "{:.0f}"),
        ])
    return rows


def _md_table(headers: list[str], rows: list[list[str]]) -> list[str]:
    return ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers),
            *("| " + " | ".join(r) + " |" for r in rows)]


def render_summary_md(results: dict[str, Any]) -> str:
    meta, banner = results["session"], results["banner"]
    lines = [
        f"# autointel benchmark: {meta['name']}",
        "",
        f"**{banner['verdict'].upper()}**: {banner['headline']}",
        "",
        f"run `{meta['run_id']}`, seed {meta['seed']}, source `{meta['source']}`, depth {meta['depth']}, "
        f"{meta['options']['iterations']} runs + {meta['options']['warmup']} warmup per cell, "
        f"isolation {meta['options']['isolate']}, LLM profile {meta['options']['llm_profile']}, "
        f"commit {meta['machine'].get('git_commit') or 'unknown'}.",
        "",
    ]
    if banner["reasons"]:
        lines += ["Conditions found:", *(f"- {r}" for r in banner["reasons"]), ""]
    lines += ["## Combinations", "", *_md_table(HEADERS, table_rows(results)), ""]
    phases = [c for c in results["comparisons"] if c["metric"].startswith("phase:")]
    if phases:
        rows = [[c["engine"], c["metric"].removeprefix("phase:"), c["name"],
                 _ci(c, "ratio", "ratio_ci_low", "ratio_ci_high"), c["verdict"]] for c in phases]
        lines += ["## Phases vs baseline", "", *_md_table(["engine", "phase", "combination", "ratio [95% CI]",
                                                          "verdict"], rows), ""]
    if results["effects"]:
        rows = [[e["engine"], e["kind"], e["name"], _ci(e, "ratio", "ratio_ci_low", "ratio_ci_high"),
                 str(e["n_units"])] for e in results["effects"]]
        lines += ["## Flag effects (ratio on/off; interactions: factor)", "",
                  *_md_table(["engine", "kind", "effect", "ratio [95% CI]", "units"], rows), ""]
    lines += _budget_lines(results)
    lines += ["## Method", "", *(f"- {n}" for n in results["notes"]), ""]
    return "\n".join(lines)


def _budget_lines(results: dict[str, Any]) -> list[str]:
    lines = ["## Budgets", ""]
    for cell in results["cells"]:
        lines.append(f"- target {results['session']['options']['target_s']:.0f} s, {cell['engine']} "
                     f"{cell['combo']}: median {cell.get('target_median')}, p95 {cell.get('target_p95')}")
    for m in results["memory"]:
        lines.append(f"- memory budget +{m['budget']:.0%}, {m['engine']} {m['combo']}: {m['verdict']} "
                     f"(ratio {_ci(m, 'ratio', 'ci_low', 'ci_high')})")
    for h in results.get("history", []):
        lines.append(f"- history ({h['engine']}, last {h['n_sessions']} sessions): {h['verdict']}")
    for e in results["equivalence"]:
        if not e["matches"]:
            lines.append(f"- work differs from baseline: {e['engine']} {e['combo']} in {e['differs_in']}")
    return [*lines, ""]


def format_table(rows: list[list[str]], headers: list[str] = HEADERS) -> list[str]:
    widths = [max(len(str(x)) for x in col) for col in zip(headers, *rows, strict=False)]
    return ["  ".join(str(x).ljust(w) for x, w in zip(r, widths, strict=False)).rstrip()
            for r in [headers, *rows]]
