"""Command line: the edge where settings are read (once) and errors become exit statuses.

Exit statuses: 0 ok, 1 the run failed or is partial (its result is still written), 2 bad input or
usage. Heavy libraries are imported only by the command that needs them, so `--help` stays fast.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from contextlib import nullcontext
from pathlib import Path
from typing import TYPE_CHECKING

from autointel import __version__
from autointel.errors import AutointelError, InputError, SettingsError, first_line
from autointel.evaluation.records import KINDS as EVAL_KINDS
from autointel.run_options import add_run_options, keep_library_caches_in, run_settings
from autointel.settings import Settings, load_settings

if TYPE_CHECKING:
    from autointel.measurement.log_redaction import OutputGuard
    from autointel.model import RunResult
    from autointel.rendering.progress import LiveProgress

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(EXIT_USAGE, f"autointel: error: {message} (see --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="autointel", description="Turn a media file or URL into an intelligence briefing.")
    parser.add_argument("--version", action="version", version=f"autointel {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    run = commands.add_parser("run", help="process a media file or URL into a briefing")
    run.add_argument("source", help="media file path, file:// or http(s) URL")
    add_run_options(run)
    run.add_argument("--format", choices=("text", "json", "markdown"), default="text")
    run.add_argument("--output", type=Path, default=None, help="write the result here instead of stdout")
    run.add_argument("--metrics-file", type=Path, default=None,
                     help="write Prometheus metrics of this run here (node-exporter textfile format)")

    recall = commands.add_parser("recall", help="search the transcript memory of everything processed")
    recall.add_argument("query")
    recall.add_argument("--limit", type=int, default=5)
    recall.add_argument("--data-dir", type=Path, default=None)
    recall.add_argument("--format", choices=("text", "json"), default="text")

    evaluate = commands.add_parser("eval", help="score the analysers on a labelled JSONL file")
    evaluate.add_argument("kind", choices=EVAL_KINDS, help="what the file labels")
    evaluate.add_argument("file", type=Path, help="one JSON object per line (see README: Bring your own data)")
    evaluate.add_argument("--format", choices=("text", "json"), default="text")

    from autointel.batch_cli import add_batch_parser
    from autointel.llm_cli import add_llm_parser
    from autointel.report_cli import add_metrics_parser, add_report_parser

    add_batch_parser(commands)
    add_report_parser(commands)
    add_llm_parser(commands)
    add_metrics_parser(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from autointel.measurement.log_redaction import guarded_output

    # For this command, every printed line is masked and library log floods are hidden (log_redaction).
    with guarded_output(os.environ) as output:
        return _dispatch(args, output)


def _dispatch(args: argparse.Namespace, output: OutputGuard) -> int:
    try:
        if args.command == "run":
            return _run(args, output)
        if args.command == "recall":
            return _recall(args)
        if args.command == "eval":
            return _evaluate(args)
        if args.command == "batch":
            from autointel.batch_cli import run_batch_command

            return run_batch_command(args, output)
        if args.command == "llm":
            from autointel.llm_cli import run_llm

            return run_llm(args)
        from autointel.report_cli import run_metrics, run_report

        return run_report(args) if args.command == "report" else run_metrics(args)
    except (InputError, SettingsError) as exc:
        _error_line(exc)
        return EXIT_USAGE
    except AutointelError as exc:
        _error_line(exc)
        return exc.exit_code
    except KeyboardInterrupt:
        import signal

        signal.signal(signal.SIGINT, signal.SIG_IGN)  # already stopping: a further Ctrl-C must not cut the exit
        print("autointel: interrupted; stores were closed", file=sys.stderr)
        return EXIT_INTERRUPTED


def _error_line(exc: BaseException) -> None:
    from autointel.measurement.redact import redact_text

    message = first_line(exc)
    print(redact_text(f"autointel: error: {message}"), file=sys.stderr)


def _run(args: argparse.Namespace, output: OutputGuard) -> int:
    from autointel.engines import run_engine
    from autointel.measurement.redact import redact_text, redacted_json
    from autointel.model import Status

    settings = run_settings(args)
    _check_writable(args.output, "--output")
    keep_library_caches_in(settings.data_dir)
    _check_writable(args.metrics_file, "--metrics-file")
    display = _live_display() if sys.stderr.isatty() else None  # a pipe or a log file gets no progress
    # Library prints (CrewAI's console) stay off the result's stdout.
    with output.quiet_stdout(), display if display is not None else nullcontext():
        result = run_engine(args.source, settings, progress=display)
    input_errors = [e for e in result.errors if e.type == "InputError"]
    if input_errors:
        raise InputError(input_errors[0].message)
    if args.format == "json":
        text = redacted_json(result)
    elif args.format == "markdown":
        text = redact_text(result.briefing or _text_summary(result))
    else:
        text = redact_text(_text_summary(result))
    written = _emit_result(text, args.output)
    if args.metrics_file is not None:
        written = _write_metrics(result, args.metrics_file) and written
    for line in dict.fromkeys(f"autointel: {e.phase} failed: {e.type}: {e.message}" for e in result.errors):
        print(redact_text(line), file=sys.stderr)  # a failure repeated by many steps is printed once
    if output.summary():
        print(output.summary(), file=sys.stderr)
    return EXIT_OK if result.status is Status.OK and written else EXIT_FAILED


def _check_writable(path: Path | None, option: str) -> None:
    """Refuse an output path that cannot be written before any work is done (exit 2, nothing run)."""
    if path is None:
        return
    if path.is_dir():
        raise InputError(f"{option} {path} is a directory")
    parent = path.parent
    if not parent.is_dir():
        raise InputError(f"{option} {path}: its folder {parent} does not exist or is not a directory")
    if not os.access(parent, os.W_OK):
        raise InputError(f"{option} {path}: its folder {parent} is not writable")


def _emit_result(text: str, output: Path | None) -> bool:
    """Write the result; if the file cannot be written (disk full, ...) say so in one line and print the
    result to stdout instead, so the run's work is never lost."""
    try:
        _emit(text, output)
    except OSError as exc:
        _error_line(OSError(f"cannot write --output {output} ({exc.strerror or type(exc).__name__}); "
                            "the result follows on stdout"))
        print(text)
        return False
    if output is not None:
        print(f"autointel: wrote result to {output}", file=sys.stderr)
    return True


def _write_metrics(result: RunResult, path: Path) -> bool:
    from prometheus_client import CollectorRegistry

    from autointel.monitoring import metrics_from_result, write_textfile

    registry = CollectorRegistry()
    metrics_from_result(result, registry)
    try:
        write_textfile(registry, path)
        return True
    except OSError as exc:
        _error_line(OSError(f"cannot write --metrics-file {path} ({exc.strerror or type(exc).__name__})"))
        return False


def _recall(args: argparse.Namespace) -> int:
    if args.limit < 1:
        raise InputError("--limit must be at least 1")
    settings = load_settings(os.environ, data_dir=args.data_dir)
    if settings.qdrant_url is None and not (settings.data_dir / "qdrant").is_dir():
        raise InputError(f"no autointel memory in {settings.data_dir}: check --data-dir, or run "
                         "`autointel run SOURCE --depth comprehensive` with it first")
    keep_library_caches_in(settings.data_dir)
    hits = _recall_hits(settings, args.query, args.limit)
    if args.format == "json":
        print(json.dumps(hits, indent=2))
    else:
        for hit in hits:
            print(f"{hit['score']:.3f}  {hit['title']} [{hit['start_s']:.0f}-{hit['end_s']:.0f} s]  {hit['text']}")
        if not hits:
            print("no memories yet: run `autointel run SOURCE --depth comprehensive` first")
    return EXIT_OK


def _recall_hits(settings: Settings, query: str, limit: int) -> list[dict[str, object]]:
    """The memory search, with a damaged, unreadable or foreign store reported in one line."""
    import sqlite3

    from autointel.engines.resources import Resources
    from autointel.memory.store import recall

    try:
        with Resources(settings) as resources:
            return recall(resources.vectors(), resources.embedder(), query, limit)
    except AutointelError:
        raise
    except (OSError, sqlite3.Error, ValueError, RuntimeError) as exc:
        detail = first_line(exc, "")
        raise AutointelError(f"cannot read the memory in {settings.data_dir}: {type(exc).__name__} {detail}".strip()) \
            from None


def _evaluate(args: argparse.Namespace) -> int:
    from autointel.evaluation.records import read_records
    from autointel.evaluation.report import report_of, score_parsed
    from autointel.memory.embeddings import CachingEmbedder, MiniLMEmbedder
    from autointel.phases.analysis.fallacies import FALLACY_TYPES
    from autointel.rendering.evaluation import eval_json, eval_text

    if not args.file.is_file():
        raise InputError(f"{args.file}: no such file")
    try:
        parsed = read_records(args.kind, args.file, FALLACY_TYPES)
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{args.file}: cannot be read ({type(exc).__name__})") from None
    if not parsed.records:
        first = f"; line {parsed.errors[0].line}: {parsed.errors[0].reason}" if parsed.errors else ""
        raise InputError(f"{args.file}: no line could be scored{first}")
    report = report_of(score_parsed(args.kind, parsed, CachingEmbedder(MiniLMEmbedder())))
    print(eval_json(report) if args.format == "json" else eval_text(report))
    return EXIT_OK


def _emit(text: str, output: Path | None) -> None:
    if output is None:
        print(text)
        return
    from autointel.atomic import atomic_write_text

    atomic_write_text(output, text + "\n")


def _live_display() -> LiveProgress:
    from rich.console import Console

    from autointel.rendering.progress import LiveProgress

    return LiveProgress(Console(file=sys.stderr))


def _text_summary(result: RunResult) -> str:
    from autointel.phases.explain import deception_line, plural, quality_line, trust_line, warning_lines

    lines = [f"status: {result.status.value}  depth: {result.depth}  engine: {result.engine}"]
    if result.media:
        lines.append(f"media: {result.media.title} ({result.media.duration_s:.1f} s, {result.media.platform})")
    if result.transcript:
        lines.append(f"transcript: {plural(len(result.transcript.segments), 'segment')}; "
                     f"{quality_line(result.transcript.quality)}")
        lines += [f"transcript warning: {line}" for line in warning_lines(result.transcript.warnings)]
    if result.analysis:
        a = result.analysis
        lines.append(f"summary: {a.summary}")
        lines.append(f"themes: {'; '.join(t.label for t in a.themes)}")
        lines.append(f"sentiment: {a.sentiment.label} ({a.sentiment.score:+.2f})")
        lines += [f"fallacy: {f.type} @ {f.start_s:.0f}s: {f.quote}" for f in a.fallacies]
        lines.append(f"perspectives missing: {', '.join(a.perspectives.missing) or 'none'}")
    if result.verification:
        lines += [f"claim: {c.verdict.value:<12} {c.text}" for c in result.verification.claims]
        lines.append(trust_line(result.verification.trust_score))
    if result.deception_score is not None:
        lines.append(deception_line(result.deception_score))
    if result.integration and result.integration.memory and result.integration.graph:
        m, g = result.integration.memory, result.integration.graph
        lines.append(f"memory: {plural(m.points_total, 'chunk')}; graph: {plural(g.nodes_total, 'node')}, "
                     f"{plural(g.edges_total, 'edge')}")
    if result.writing is not None:
        w = result.writing
        lines.append(f"llm: {w.model}: {plural(w.usage.calls, 'call')}, {w.usage.prompt_tokens} prompt and "
                     f"{w.usage.completion_tokens} completion tokens; "
                     + ", ".join(f"{p.name} {p.status}" for p in w.parts))
        if w.summary is not None:
            lines.append(f"llm summary: {w.summary}")
    lines += [f"warning: {w}" for w in result.warnings]
    lines.append("phases (span, own CPU; spans overlap when steps run concurrently): "
                 + ", ".join(f"{p.name} {p.wall_s:.2f}s, {p.cpu_s:.2f}s CPU" for p in result.phases))
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
