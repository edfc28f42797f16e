"""The exceptions that cross layers, each mapped to one exit status by the CLI."""

from __future__ import annotations


class AutointelError(Exception):
    """Base class: carries a one-line, user-facing message."""

    exit_code = 1


class InputError(AutointelError):
    """The source, a setting or an argument is unusable (exit status 2); nothing was written."""

    exit_code = 2


class PhaseError(AutointelError):
    """A phase failed while running; the run still produces a partial, marked result."""

    exit_code = 1


class SettingsError(ValueError):
    """A setting has a value we cannot interpret (exit status 2)."""


class StoreBusyError(AutointelError):
    """Another process holds the data dir (its lock or the embedded Qdrant folder)."""

    exit_code = 1


def first_line(exc: BaseException, default: str | None = None) -> str:
    """The first line of an exception's message, for one-line reports; `default` (else the exception's type name)
    when it has none."""
    text = str(exc).strip()
    if text:
        return text.splitlines()[0]
    return type(exc).__name__ if default is None else default
