"""`autointel report` and `autointel metrics serve`: the functions cli.py wires in as subcommands.

    autointel report RESULTS.json|DIR [--compare OTHER.json] [--html OUT] [--md OUT] [--trace OUT]
    autointel metrics serve [--port N] [--results RESULTS.json]

`report` prints the terminal table when no output is asked for. A DIR (or a raw_samples.jsonl)
without results.json is a session that was killed: its finished runs are re-analysed with
`autointel.bench.analysis.analyze.analyze` and judged by the session's own banner rule, so it still renders.
`--compare` statistics come from `autointel.stats` here, never from the renderers. Bad input raises
`InputError` (one line, exit status 2 in cli.py). `python -m autointel.report_cli` runs both alone.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from autointel.atomic import atomic_write_text
from autointel.errors import InputError

if TYPE_CHECKING:
    # The results model builds its pydantic adapters on import; the parsers below are built for every
    # `autointel --help`, so the model is imported only by the commands that read results.
    from autointel.model.bench_results import SessionComparison, SessionResults
    from autointel.model.combo import FlagSpace
    from autointel.model.run_sample import RunSample

DEFAULT_PORT = 9464
RESULTS_KEYS = ("session", "cells", "banner")


def add_report_parser(subparsers: Any) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "report", help="render a benchmark results.json, a killed session's report dir, or every bench of a root")
    parser.add_argument("results", type=Path,
                        help="results.json, a report dir, a raw_samples.jsonl, or a session/bench root (each bench "
                             "below it is rendered and linked from ROOT/index.html)")
    parser.add_argument("--compare", type=Path, default=None, help="another results.json: compare cell medians")
    parser.add_argument("--html", type=Path, default=None, help="write the self-contained HTML report here")
    parser.add_argument("--md", type=Path, default=None, help="write the Markdown summary here")
    parser.add_argument("--trace", type=Path, default=None, help="write the median runs as Chrome trace JSON here")
    parser.add_argument("--goals", action="store_true",
                        help="RESULTS is a bench root (nox -s bench): merge the goals of every session under it "
                             "into ROOT/goals.md and goals.json")
    return parser


def add_metrics_parser(subparsers: Any) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = subparsers.add_parser("metrics", help="Prometheus metrics")
    commands = parser.add_subparsers(dest="metrics_command", required=True)
    serve = commands.add_parser("serve", help="serve /metrics on 127.0.0.1")
    serve.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"default {DEFAULT_PORT}; 0 = any free port")
    serve.add_argument("--results", type=Path, default=None, help="results.json whose runs become the metrics")
    return parser


def _read_json(path: Path) -> SessionResults:
    from autointel.model.bench_results import ResultsFormatError, SessionResults

    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read: {exc}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}: invalid JSON: {exc.msg} (line {exc.lineno})") from None
    if not isinstance(data, dict) or any(k not in data for k in RESULTS_KEYS):
        raise InputError(f"{path}: not an autointel results file (needs {', '.join(RESULTS_KEYS)})")
    try:
        return SessionResults.from_dict(data)
    except ResultsFormatError as exc:
        raise InputError(f"{path}: not a readable results file: {exc}") from None


def load_results(path: Path) -> SessionResults:
    """results.json, or a report dir / raw_samples.jsonl re-analysed when results.json is missing."""
    if path.is_dir():
        if (path / "results.json").is_file():
            return _read_json(path / "results.json")
        if (path / "raw_samples.jsonl").is_file():
            return results_from_raw(path / "raw_samples.jsonl")
        raise InputError(f"{path}: no results.json or raw_samples.jsonl in this directory or any below it")
    if path.name.endswith(".jsonl"):
        if not path.is_file():
            raise InputError(f"{path}: no such file")
        return results_from_raw(path)
    return _read_json(path)


def results_from_raw(raw: Path) -> SessionResults:
    """Rebuild results through the session's own constructor, from the samples a killed session kept."""
    from autointel.bench.analysis.results import NOTES, build_results
    from autointel.bench.options import BenchOptions
    from autointel.bench.samples import load_samples
    from autointel.model.bench_results import SessionInfo

    samples = load_samples(raw)
    if not samples:
        raise InputError(f"{raw}: no readable samples")
    engines = tuple(dict.fromkeys(s.engine for s in samples))
    space = _space_of(samples, engines)
    known = [f.name for f in space.matrix()]
    seen = {s.combo for s in samples}
    names = ("baseline", *[c for c in known[1:] if c in seen], *sorted(seen - set(known)))
    combos = tuple(space.parse(name) for name in names)  # the samples name them: read once, here
    per_cell: dict[tuple[str, str], list[bool]] = {}
    for s in samples:
        per_cell.setdefault(s.cell, []).append(s.warmup)
    options = BenchOptions(combos=combos, engines=engines, seed=0,
                           iterations=max(1, *(w.count(False) for w in per_cell.values())),
                           warmup=max(w.count(True) for w in per_cell.values()))
    note = (f"Recovered from {raw.name} of a session that did not finish ({len(samples)} runs kept): "
            "re-analysed with default options (seed 0, target 360 s, memory budget +10%, threshold 5%); "
            "no history check; environment not recorded.")
    info = SessionInfo(run_id=samples[0].run_id, name=raw.parent.name, depth=samples[0].depth,
                       options=options.record(), report_dir=str(raw.parent), recovered=note)
    return build_results(samples, options, info, notes=(*NOTES, note))


def _space_of(samples: Sequence[RunSample], engines: tuple[str, ...]) -> FlagSpace:
    """The flags the samples were run with: autointel's when they are its flags (by either spelling), else a
    space whose every flag is a factor (samples do not say which flags were extras)."""
    from autointel.model.combo import FlagSpace
    from autointel.settings import ALL_FLAG_ENV, AUTOINTEL_FLAGS

    names = tuple(dict.fromkeys(n for s in samples for n in s.flags_requested))
    if set(names) <= {*AUTOINTEL_FLAGS.names, *ALL_FLAG_ENV} and set(engines) <= set(AUTOINTEL_FLAGS.engines):
        return AUTOINTEL_FLAGS
    return FlagSpace(factors=names, engines=engines)


def _counted_e2e(results: SessionResults) -> dict[tuple[str, str], list[float]]:
    out: dict[tuple[str, str], list[float]] = {}
    for sample in results.samples:
        if sample.counts:
            out.setdefault(sample.cell[::-1], []).append(sample.e2e_s)
    return out


def compare_sessions(results: SessionResults, other: SessionResults, other_path: Path) -> SessionComparison:
    """Each cell's counted e2e runs against the same cell of `other` (ratio > 1: this one is slower);
    Holm-adjusted across the cells, verdicts by `autointel.stats.decide`."""
    from autointel import stats
    from autointel.model.bench_results import CellDelta, OtherSession, SessionComparison

    options = results.session.options
    threshold, alpha = float(options.get("threshold", 0.05)), float(options.get("alpha", 0.05))
    mine, theirs = _counted_e2e(results), _counted_e2e(other)
    shared = [k for k in mine if k in theirs]
    ready = [k for k in shared if len(mine[k]) >= 2 and len(theirs[k]) >= 2]
    found = dict(zip(ready, stats.adjust_family([
        stats.compare(f"{k[0]} {k[1]}", theirs[k], mine[k], threshold, seed=stats.derive_seed(0, "compare", *k),
                      alpha=alpha)
        for k in ready], threshold, alpha), strict=True))
    rows: list[CellDelta] = []
    for key in shared:
        engine, combo, n, n_other = key[0], key[1], len(mine[key]), len(theirs[key])
        c = found.get(key)
        if c is None:
            rows.append(CellDelta(engine=engine, combo=combo, n=n, n_other=n_other, verdict="insufficient"))
            continue
        rows.append(CellDelta(engine=engine, combo=combo, n=n, n_other=n_other, median=c.median,
                              other_median=c.baseline_median, ratio=c.ratio, ratio_ci_low=c.ratio_ci_low,
                              ratio_ci_high=c.ratio_ci_high, p_adjusted=c.p_adjusted, unstable=c.unstable,
                              verdict=c.verdict))
    session = other.session
    return SessionComparison(OtherSession(session.run_id, session.name, str(other_path)), tuple(rows))


def run_goals(root: Path) -> int:
    """One goals table for a bench root: each goal from the session(s) that measured it, the worst if several."""
    from autointel.bench.analysis.goal_merge import merge_goals
    from autointel.model.bench_results import ResultsFormatError, goal_rows
    from autointel.rendering.goals import markdown_lines, terminal_lines

    if not root.is_dir():
        raise InputError(f"{root}: not a directory of benchmark sessions")
    indexes = sorted(root.rglob("index.json"))
    lists = [_read_index_goals(path) for path in indexes]
    if not any(lists):
        raise InputError(f"{root}: no index.json with goals below this directory")
    merged = merge_goals(lists, [str(p.parent.relative_to(root)) for p in indexes])
    try:
        rows = goal_rows(merged)
    except ResultsFormatError as exc:
        raise InputError(f"{root}: an index.json holds a goal this version cannot read: {exc}") from None
    sources = ", ".join(str(p.relative_to(root)) for p in indexes)
    text = "\n".join([f"# Performance goals: {root.name}", "", f"Merged from {sources}.", "",
                       *markdown_lines(rows)[2:]])
    atomic_write_text(root / "goals.md", text + "\n")
    atomic_write_text(root / "goals.json", json.dumps(merged, indent=1, sort_keys=True) + "\n")
    print("\n".join(terminal_lines(rows)))
    print(f"wrote {root / 'goals.md'} and {root / 'goals.json'}")
    return 0


def _read_index_goals(path: Path) -> list[dict[str, Any]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"{path}: cannot read: {exc}") from None
    goals = data.get("goals") if isinstance(data, dict) else None
    return [g for g in goals if isinstance(g, dict)] if isinstance(goals, list) else []


def bench_dirs(root: Path) -> list[Path]:
    """The bench report dirs below `root`: each holds results.json, or the raw samples of a killed session."""
    found = {p.parent for name in ("results.json", "raw_samples.jsonl") for p in root.rglob(name)}
    return sorted(d for d in found if d != root)


def is_bench_root(path: Path) -> bool:
    """A folder that is not itself a bench but holds benches: a session root (`index:` of a run) or a bench root."""
    own = (path / "results.json").is_file() or (path / "raw_samples.jsonl").is_file()
    return path.is_dir() and not own and bool(bench_dirs(path))


def run_bench_root(root: Path) -> int:
    """Render every bench below `root` (report.html, summary.md) and link them from root/index.html."""
    from autointel.bench.report import write_renderings
    from autointel.rendering.session_index import BenchLink, session_index_html

    links: list[BenchLink] = []
    for folder in bench_dirs(root):
        results = load_results(folder)
        write_renderings(results, folder)
        name = str(folder.relative_to(root))
        links.append(BenchLink(name, f"{name}/report.html", results.banner.verdict, results.banner.headline))
        print(f"wrote {folder / 'report.html'} and {folder / 'summary.md'}")
    atomic_write_text(root / "index.html", session_index_html(f"autointel benchmarks: {root.name}", links))
    print(f"wrote {root / 'index.html'}")
    return 0


def run_report(args: argparse.Namespace) -> int:
    if getattr(args, "goals", False):
        return run_goals(Path(args.results))
    root = Path(args.results)
    if is_bench_root(root):
        return run_bench_root(root)
    results = load_results(root)
    if getattr(args, "compare", None) is not None:
        results = dataclasses.replace(results, compare=compare_sessions(results, load_results(args.compare),
                                                                        args.compare))
    wrote: list[Path] = []
    if getattr(args, "html", None) is not None:
        from autointel.rendering.html import write_html_report

        write_html_report(results, args.html)
        wrote.append(args.html)
    if getattr(args, "md", None) is not None:
        from autointel.rendering.markdown import render_markdown

        atomic_write_text(args.md, render_markdown(results))
        wrote.append(args.md)
    if getattr(args, "trace", None) is not None:
        from autointel.rendering.trace import chrome_trace

        atomic_write_text(args.trace, json.dumps(chrome_trace(results), separators=(",", ":")) + "\n")
        wrote.append(args.trace)
    if wrote:
        print("\n".join(f"wrote {p}" for p in wrote))
    else:
        from autointel.rendering.terminal import render_terminal

        print(render_terminal(results), end="")
    return 0


def registry_factory(results: SessionResults | None) -> Callable[[], Any]:
    """A fresh registry per scrape: the results' measured runs, or nothing but the metric families."""
    from prometheus_client import CollectorRegistry

    from autointel.monitoring import metrics_from_samples

    def build() -> CollectorRegistry:
        registry = CollectorRegistry()
        metrics_from_samples(results.samples if results else (), registry)
        return registry

    return build


def run_metrics(args: argparse.Namespace) -> int:
    from autointel.monitoring import serve

    results = load_results(args.results) if getattr(args, "results", None) is not None else None
    if not 0 <= int(args.port) <= 65535:
        raise InputError(f"--port {args.port} is not a TCP port")
    try:
        server = serve(int(args.port), registry_factory(results))
    except OSError as exc:
        raise InputError(f"cannot listen on 127.0.0.1:{args.port}: {exc.strerror or exc}") from None
    host, port = server.server_address[:2]
    print(f"serving metrics on http://{host!s}:{port}/metrics (Ctrl-C stops)", file=sys.stderr, flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        return 0
    finally:
        server.shutdown()
        server.server_close()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="autointel")
    commands = parser.add_subparsers(dest="command", required=True)
    add_report_parser(commands)
    add_metrics_parser(commands)
    args = parser.parse_args(argv)
    try:
        return run_report(args) if args.command == "report" else run_metrics(args)
    except InputError as exc:
        print(f"autointel: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
