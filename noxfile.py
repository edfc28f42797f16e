"""nox sessions: tests, lint, bench. They reuse the current interpreter's packages (offline-friendly)."""

from __future__ import annotations

import nox

nox.options.default_venv_backend = "none"
nox.options.sessions = ["lint", "tests"]


@nox.session
def tests(session: nox.Session) -> None:
    session.run("python", "-m", "pytest", *session.posargs)


@nox.session
def lint(session: nox.Session) -> None:
    session.run("ruff", "check", "src", "tests", "benchmarks", "fixtures", "noxfile.py", "conftest.py")
    session.run("mypy", "src")
