"""Publish a bench run's goals into docs/benchmarks.md, so the figures there are the ones a run wrote.

`nox -s publish -- reports/bench-STAMP` (a root that `nox -s bench` wrote, with its merged goals.json) keeps that
file as docs/measured/bench.json, with the commit the sessions ran and the command, and rewrites the table between
the markers in docs/benchmarks.md from it; a root of `nox -s bench -- --full` (its name ends in `-full`) goes to
docs/measured/bench-full.json and its own markers. tests/test_docs.py renders each kept file again and checks the
page.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from autointel.atomic import atomic_write_text
from autointel.model.bench_results import goal_rows
from autointel.rendering.goals import missing_line, rows, split
from autointel.rendering.tables import md_table

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "docs" / "benchmarks.md"
PROFILES = {"default": "nox -s bench", "full": "nox -s bench -- --full"}


def record_path(profile: str) -> Path:
    return ROOT / "docs" / "measured" / ("bench.json" if profile == "default" else f"bench-{profile}.json")


def markers(profile: str) -> tuple[str, str]:
    name = "bench-goals" if profile == "default" else f"bench-goals-{profile}"
    return f"<!-- {name}:begin (nox -s publish) -->", f"<!-- {name}:end -->"


RECORD = record_path("default")
BEGIN, END = markers("default")


def record_of(root: Path) -> dict[str, Any]:
    """The merged goals of a bench root, with the commit(s) its sessions ran and the command that wrote it."""
    goals = json.loads((root / "goals.json").read_text(encoding="utf-8"))
    commits, finished, commands = set(), [], {}
    for path in sorted(root.rglob("results.json")):
        session = json.loads(path.read_text(encoding="utf-8")).get("session", {})
        commits.add(str(session.get("machine", {}).get("git_commit") or "unknown"))
        finished.append(str(session.get("finished_at") or ""))
        folder = path.parent.relative_to(root).parts[0]
        commands.setdefault(folder, " ".join(session.get("command_line") or []))
    profile = "full" if root.name.endswith("-full") else "default"
    return {"command": PROFILES[profile], "profile": profile, "root": root.name, "commits": sorted(commits),
            "finished_at": max(finished, default=""), "sessions": commands, "goals": goals}


def table(record: dict[str, Any]) -> str:
    """The page's block: where the figures come from, the goals measured, and those that were not."""
    shown, missing = split(goal_rows(record["goals"]))
    commits = ", ".join(f"`{c[:7]}`" for c in record["commits"])
    profile = record.get("profile", "default")
    begin, end = markers(profile)
    lines = [begin, f"Written by `{record['command']}` ({record['root']}, commit {commits}, finished "
             f"{record['finished_at'][:16]} UTC), kept in `{record_path(profile).relative_to(ROOT)}`:", "",
             *md_table(["goal", "what", "measured [95% CI]", "target", "verdict", "session"], rows(shown)), ""]
    if missing:
        lines += [missing_line(missing), ""]
    sessions = record.get("sessions", {})
    if sessions:
        rerun = f"{PROFILES[profile]} --only=NAME" if profile == "full" else "nox -s bench -- --only=NAME"
        lines += [f"Each session of that run, as `{rerun}` reruns it:", "",
                  *[f"- {name}: `{command}`" for name, command in sessions.items()], ""]
    return "\n".join([*lines, end])


def rewrite(page: str, block: str, profile: str = "default") -> str:
    """`page` with the profile's block replaced (or, the first time, added at the end)."""
    begin, end = markers(profile)
    if begin not in page:
        return page.rstrip("\n") + "\n\n" + block + "\n"
    start, stop = page.index(begin), page.index(end) + len(end)
    return page[:start] + block + page[stop:]


def main(argv: Sequence[str]) -> int:
    if len(argv) != 1 or not (Path(argv[0]) / "goals.json").is_file():
        print("usage: python benchmarks/publish.py REPORT_ROOT (a nox -s bench root with goals.json)", file=sys.stderr)
        return 2
    record = record_of(Path(argv[0]))
    path = record_path(record["profile"])
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(path, json.dumps(record, indent=1, sort_keys=True) + "\n")
    atomic_write_text(PAGE, rewrite(PAGE.read_text(encoding="utf-8"), table(record), record["profile"]))
    print(f"wrote {path.relative_to(ROOT)} and the table in {PAGE.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
