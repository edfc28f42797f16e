"""`autointel batch`: many sources at once on Ray, with the same depth, engine and flags as `run`.

    autointel batch SOURCE... | --from FILE  [--workers N] [--ray-address HOST:PORT] [--out DIR] [run options]

Exit statuses: 0 every source ok, 1 some source failed or is partial (the batch still finished the rest), 2 bad
input to the batch itself, 130 interrupted (every finished source kept; a re-run resumes).
"""

from __future__ import annotations

import argparse
import sys
from contextlib import nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Any

from autointel.errors import InputError
from autointel.run_options import add_run_options, keep_library_caches_in, run_settings

if TYPE_CHECKING:
    from autointel.measurement.log_redaction import OutputGuard

MAX_WORKERS = 64


def add_batch_parser(subparsers: Any) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "batch", help="process many media files or URLs on Ray workers (resumable, one result per source)")
    parser.add_argument("sources", nargs="*", metavar="SOURCE", help="media file paths, file:// or http(s) URLs")
    parser.add_argument("--from", dest="from_file", type=Path, default=None, metavar="FILE",
                        help="a file of sources, one per line (# comments)")
    parser.add_argument("--workers", type=int, default=1, metavar="N",
                        help="workers, each with its own models (default 1)")
    parser.add_argument("--ray-address", default=None, metavar="HOST:PORT",
                        help="a running Ray cluster (ray start --head); default: a local Ray on this machine")
    parser.add_argument("--out", type=Path, default=None, metavar="DIR",
                        help="results, index.json and the batch briefing (default: DATA_DIR/batch)")
    add_run_options(parser)
    return parser


def run_batch_command(args: argparse.Namespace, output: OutputGuard) -> int:
    from autointel.batch.driver import BatchOptions, run_batch
    from autointel.batch.sources import batch_sources, read_source_list
    from autointel.model.batch import SourceStatus
    from autointel.rendering.batch import batch_summary, briefing_markdown

    if not 1 <= args.workers <= MAX_WORKERS:
        raise InputError(f"--workers must be between 1 and {MAX_WORKERS}")
    listed = read_source_list(args.from_file) if args.from_file is not None else ()
    sources = batch_sources(args.sources, listed)
    settings = run_settings(args)
    keep_library_caches_in(settings.data_dir)
    out = args.out if args.out is not None else settings.data_dir / "batch"
    options = BatchOptions(sources, out, args.workers, args.ray_address)
    bar = _bar() if sys.stderr.isatty() else None
    with output.quiet_stdout(), bar if bar is not None else nullcontext():
        run = run_batch(options, settings, progress=bar, render_briefing=briefing_markdown)
    print(batch_summary(run.index, run.skipped, run.totals))
    for warning in run.warnings:
        print(f"autointel: warning: {warning}", file=sys.stderr)
    print(f"autointel: index and briefing in {out}", file=sys.stderr)
    return 0 if all(r.status is SourceStatus.OK for r in run.index.sources) and not run.warnings else 1


def _bar() -> Any:
    from rich.console import Console

    from autointel.rendering.batch import BatchBar

    return BatchBar(Console(file=sys.stderr))
