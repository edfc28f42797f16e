"""Acquisition: turn a source (path, file:// or http(s) URL) into a verified local media file.

Local files never go through yt-dlp (it rejects paths); URLs do, with every request yt-dlp makes
connected through the network policy and charged to one byte budget and deadline. Duration comes
from the decoder, because yt-dlp reports none for direct media links.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlparse

from autointel.errors import InputError, first_line
from autointel.model import Media
from autointel.phases.audio import decoded_duration
from autointel.phases.netguard import IPAddress, NetworkPolicy, is_forbidden_ip
from autointel.phases.transfer import Transfer
from autointel.urls import public_url

# Shorter media cannot hold a talk; such files are nearly always truncated or mislabelled.
MIN_DURATION_S = 1.0


@dataclass(frozen=True)
class AcquisitionLimits:
    """Limits of one acquisition; `forbidden` says which addresses are internal (tests narrow it)."""

    max_bytes: int
    max_duration_s: float
    allow_private_network: bool = False
    deadline_s: float = 600.0  # the whole download, however slowly the server drips
    read_timeout_s: float = 30.0  # one wait for data
    forbidden: Callable[[IPAddress], bool] = is_forbidden_ip


@dataclass(frozen=True)
class Probe:
    duration_s: float
    has_audio: bool


def acquire(source: str, limits: AcquisitionLimits, download_dir: Path) -> Media:
    source = source.strip()
    if not source:
        raise InputError("empty source: give a media file path or an http(s) URL")
    try:
        parsed = urlparse(source)
    except ValueError as exc:
        raise InputError(f"malformed source URL: {exc}") from None
    scheme = parsed.scheme.lower()
    if scheme in ("http", "https"):
        return _acquire_url(source, limits, download_dir)
    elif scheme == "file":
        path = Path(unquote(parsed.path))
        title, platform = path.stem, "local"
    elif scheme and len(scheme) > 1:  # one letter: a Windows drive, not a scheme
        raise InputError(f"unsupported source scheme {scheme!r}: use a file path, file:// or http(s)://")
    else:
        path = Path(source).expanduser()
        title, platform = path.stem, "local"
    return describe_local(source, path, title, platform, limits)


def describe_local(source: str, path: Path, title: str, platform: str, limits: AcquisitionLimits) -> Media:
    if not path.exists():
        raise InputError(f"no such file: {path}")
    if not path.is_file():
        raise InputError(f"not a regular file: {path}")
    size = path.stat().st_size
    if size == 0:
        raise InputError(f"empty file (0 bytes): {path}")
    if size > limits.max_bytes:
        raise InputError(f"file is {size} bytes, over the --max-bytes limit of {limits.max_bytes}: {path}")
    probe = probe_media(path)
    if not probe.has_audio:
        raise InputError(f"no audio stream in {path}")
    if probe.duration_s <= 0:  # no duration in the header (as browsers record WebM): measure the audio
        probe = Probe(decoded_duration(str(path), limits.max_duration_s), True)
    if probe.duration_s < MIN_DURATION_S:
        raise InputError(f"media lasts {probe.duration_s:.2f} s: too short to hold speech (truncated?): {path}")
    if probe.duration_s > limits.max_duration_s:
        raise InputError(
            f"media lasts {probe.duration_s:.0f} s, over the --max-duration limit of {limits.max_duration_s:.0f} s"
        )
    return Media(
        source=public_url(source),
        title=title,
        platform=platform,
        duration_s=probe.duration_s,
        size_bytes=size,
        sha256=sha256_file(path),
        path=str(path.resolve()),
        has_audio=probe.has_audio,
    )


def probe_media(path: Path) -> Probe:
    """Open the container with PyAV (bundled by faster-whisper) and decode the first audio frame."""
    import av

    try:
        with av.open(str(path)) as container:
            audio = [s for s in container.streams if s.type == "audio"]
            duration = float(container.duration) / av.time_base if container.duration else 0.0
            if audio:
                stream = audio[0]
                if stream.duration is not None and stream.time_base is not None:
                    duration = max(duration, float(stream.duration * stream.time_base))
                next(iter(container.decode(stream)), None)  # corrupt data fails here
            return Probe(duration_s=duration, has_audio=bool(audio))
    except (av.FFmpegError, UnicodeDecodeError, ValueError, StopIteration) as exc:
        raise InputError(f"not a readable media file: {path} ({first_line(exc)})") from None


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _acquire_url(source: str, limits: AcquisitionLimits, download_dir: Path) -> Media:
    """Download, then vet; whatever this attempt left in the download folder goes if either fails."""
    download_dir.mkdir(parents=True, exist_ok=True)
    before = set(download_dir.iterdir())
    try:
        path, title, platform = _download(source, download_dir, limits)
        return describe_local(source, path, title, platform, limits)
    except BaseException:
        _remove_new_files(download_dir, before)
        raise


def _remove_new_files(download_dir: Path, before: set[Path]) -> None:
    """Partial (.part), rejected and over-limit files must not stay behind on a failed run."""
    for entry in set(download_dir.iterdir()) - before:
        if entry.is_file() or entry.is_symlink():
            entry.unlink(missing_ok=True)


def _download(url: str, download_dir: Path, limits: AcquisitionLimits) -> tuple[Path, str, str]:
    from autointel.phases.ytdlp_guard import download

    options = {
        "quiet": True,
        "noprogress": True,
        "no_warnings": True,
        "noplaylist": True,
        "outtmpl": str(download_dir / "%(id)s.%(ext)s"),
        "max_filesize": limits.max_bytes,
        "logger": _SilentLogger(),
    }
    policy = NetworkPolicy(allow_private=limits.allow_private_network, forbidden=limits.forbidden)
    transfer = Transfer(limits.max_bytes, limits.deadline_s, limits.read_timeout_s)
    info = download(url, options, policy, transfer)
    downloads = info.get("requested_downloads") or []
    filepath = downloads[0].get("filepath") if downloads else info.get("filepath")
    if not filepath or not Path(filepath).exists():
        raise InputError(f"download failed: no media file was saved for {url}")
    return Path(filepath), str(info.get("title") or Path(filepath).stem), str(info.get("extractor_key") or "generic")


class _SilentLogger:
    """yt-dlp prints errors itself unless given a logger; ours are raised as one line instead."""

    def debug(self, msg: str) -> None:
        pass

    def info(self, msg: str) -> None:
        pass

    def warning(self, msg: str) -> None:
        pass

    def error(self, msg: str) -> None:
        pass


