"""Checks made once at the edge before any work starts: the ones that look outside the Settings value (the
provider's key and package, the profile file, the evidence folder's size)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from autointel.errors import SettingsError
from autointel.settings import Settings


def check_for_run(settings: Settings, env: Mapping[str, str]) -> None:
    """The checks that look outside the value (keys, files), made once at the edge before any work starts.

    Each failure is one line and exit status 2, instead of a screenful of CrewAI logs mid-run.
    """
    from autointel.llm.backend import check_backend
    from autointel.llm.prices import load_prices
    from autointel.llm.profiles import load_profile

    check_backend(settings.llm, settings.llm_base_url, env)
    load_profile(settings.llm_profile)
    load_prices(settings.llm_prices)
    if settings.evidence_dir is not None:
        check_evidence_sizes(settings.evidence_dir, settings.max_evidence_file_bytes, settings.max_evidence_bytes)


def check_evidence_sizes(directory: Path, max_file_bytes: int, max_total_bytes: int) -> None:
    """Refuse an evidence folder too big to index in memory, naming the file that breaks the cap."""
    from autointel.memory.chunking import DOCUMENT_SUFFIXES

    if not directory.is_dir():
        return  # reported by the caller that needs the folder
    total = 0
    for path in sorted(p for p in directory.rglob("*") if p.suffix.lower() in DOCUMENT_SUFFIXES and p.is_file()):
        size = path.stat().st_size
        total += size
        if size > max_file_bytes:
            raise SettingsError(f"evidence file {path} is {size} bytes, over the per-file cap of {max_file_bytes} "
                                "(AUTOINTEL_MAX_EVIDENCE_FILE_BYTES)")
        if total > max_total_bytes:
            raise SettingsError(f"evidence folder {directory} passes the total cap of {max_total_bytes} bytes at "
                                f"{path} (AUTOINTEL_MAX_EVIDENCE_BYTES)")
