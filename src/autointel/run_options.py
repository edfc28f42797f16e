"""The options of a run, shared by `autointel run` and `autointel batch`: defined once, read once at the edge."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from autointel.errors import InputError
from autointel.settings import DEFAULT_ENGINE, ENGINES, Depth, Settings, load_settings, parse_setting


def add_run_options(parser: argparse.ArgumentParser) -> None:
    """What a run is asked to do, the same for `run` and `batch`; read by `run_settings`."""
    parser.add_argument("--depth", choices=[d.value for d in Depth], default=None, help="default: comprehensive")
    parser.add_argument("--engine", choices=ENGINES, default=None, help=f"default: {DEFAULT_ENGINE}")
    parser.add_argument("--data-dir", type=Path, default=None, help="default: $AUTOINTEL_DATA_DIR or XDG data dir")
    parser.add_argument("--evidence", type=Path, default=None, help="folder of .txt/.md evidence to index")
    parser.add_argument("--max-duration", default=None, help="seconds (default 4 h)")  # parsed by settings' rules
    parser.add_argument("--max-bytes", default=None, help="bytes (default 2 GiB)")
    parser.add_argument("--allow-private-network", action="store_true", default=None)


def run_settings(args: argparse.Namespace) -> Settings:
    """The settings of a run from the environment and `add_run_options`, checked at the edge (preflight); also
    points the library caches into the data dir."""
    if args.evidence is not None and not args.evidence.is_dir():
        raise InputError(f"--evidence {args.evidence} is not a directory")
    settings = load_settings(
        os.environ,
        depth=Depth(args.depth) if args.depth else None,
        engine=args.engine,
        data_dir=args.data_dir,
        evidence_dir=args.evidence,
        max_duration_s=parse_setting("max_duration_s", "--max-duration", args.max_duration),
        max_bytes=parse_setting("max_bytes", "--max-bytes", args.max_bytes),
        allow_private_network=args.allow_private_network,
    )
    from autointel.preflight import check_for_run

    check_for_run(settings, os.environ)
    return settings


def keep_library_caches_in(data_dir: Path) -> None:
    """onnxruntime writes a device database under $XDG_CACHE_HOME (else ~/.cache) when a session first loads:
    this process points it into the data dir, so a run writes nothing outside it (set once, at the edge)."""
    os.environ["XDG_CACHE_HOME"] = str(data_dir / "cache")
