"""The README is checked against the one definition of each fact it states (settings, options, commands, types)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.helpers import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_the_readme_is_a_guide_not_a_notebook() -> None:
    assert len(README.encode()) <= 15_000


def test_every_environment_variable_the_settings_read_is_documented() -> None:
    source = (ROOT / "src" / "autointel" / "settings.py").read_text(encoding="utf-8")
    names = set(re.findall(r'"((?:AUTOINTEL|ENABLE)_[A-Z_]+)"', source)) | {"AUTOINTEL_DEBUG"}
    assert len(names) > 20
    assert sorted(n for n in names if f"`{n}`" not in README) == []


def test_every_benchmark_option_is_documented() -> None:
    from autointel.bench.plugin import _OPTIONS, _SWITCHES

    names = [name for name, *_ in _OPTIONS] + [name for name, _ in _SWITCHES]
    assert sorted(n for n in names if f"--autointel-{n}" not in README) == []


def test_every_command_and_eval_kind_is_documented() -> None:
    from autointel.cli import build_parser
    from autointel.evaluation.records import KINDS

    commands = build_parser()._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    assert sorted(c for c in commands if f"autointel {c}" not in README) == []
    assert all(f"`{kind}`" in README for kind in KINDS)


def test_every_batch_option_is_in_the_batch_docs() -> None:
    from autointel.cli import build_parser

    batch = build_parser()._subparsers._group_actions[0].choices["batch"]  # type: ignore[union-attr]
    options = [o for action in batch._actions for o in action.option_strings if o.startswith("--") and o != "--help"]
    scale = (ROOT / "docs" / "scale.md").read_text(encoding="utf-8")
    assert options and sorted(o for o in options if o not in scale) == []


def test_every_fallacy_type_is_named_in_the_readme() -> None:
    from autointel.phases.analysis.fallacies import FALLACY_TYPES

    section = README[README.index("**Fallacies**"):README.index("**Scores**")]
    named = re.findall(r"`([a-z_]+)`", section)
    assert sorted(named) == sorted(FALLACY_TYPES)


@pytest.mark.parametrize("doc", ["architecture.md", "benchmarks.md", "crewai.md", "reliability.md", "scale.md"])
def test_linked_docs_exist(doc: str) -> None:
    assert f"docs/{doc}" in README and (ROOT / "docs" / doc).is_file()


def test_every_nox_session_says_what_it_does() -> None:
    """`nox -l` shows each session's docstring: a session without one is listed bare."""
    import ast

    tree = ast.parse((ROOT / "noxfile.py").read_text(encoding="utf-8"))
    sessions = [f for f in tree.body if isinstance(f, ast.FunctionDef)
                and any("nox.session" in ast.unparse(d) for d in f.decorator_list)]
    assert {f.name for f in sessions} >= {"tests", "lint", "quality", "reliability", "bench"}
    assert [f.name for f in sessions if not ast.get_docstring(f)] == []


def test_the_results_schema_page_is_the_model() -> None:
    """docs/results-schema.md is generated from the results model: a field added in code leaves the page stale."""
    from autointel.rendering.schema_doc import schema_markdown

    page = (ROOT / "docs" / "results-schema.md").read_text(encoding="utf-8")
    assert page == schema_markdown(), "regenerate: python -m autointel.rendering.schema_doc > docs/results-schema.md"


def test_every_experiment_the_docs_cite_exists_and_says_what_it_measures() -> None:
    """A figure's command `nox -s experiment -- NAME` names a file of benchmarks/experiments with a docstring."""
    import ast

    experiments = ROOT / "benchmarks" / "experiments"
    texts = [p.read_text(encoding="utf-8") for p in [ROOT / "README.md", *(ROOT / "docs").glob("*.md"),
                                                      *(ROOT / "src").rglob("*.py")]]
    cited = {m for text in texts for m in re.findall(r"nox -s experiment -- (\w+)", text)}
    assert cited and sorted(n for n in cited if not (experiments / f"{n}.py").is_file()) == []
    assert not (ROOT / "scripts").exists()  # experiments live beside the benchmarks, run through nox
    for path in experiments.glob("*.py"):
        assert ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))), path.name


def test_the_measured_goals_on_the_benchmarks_page_are_the_ones_a_bench_wrote() -> None:
    """docs/benchmarks.md's default-profile table is rendered from docs/measured/bench.json, the goals file a
    `nox -s bench` run wrote (kept by `nox -s publish -- ROOT`): a figure edited by hand leaves the page stale."""
    import json

    from benchmarks.publish import PROFILES, markers, record_path, table

    page = (ROOT / "docs" / "benchmarks.md").read_text(encoding="utf-8")
    assert record_path("default").is_file()  # the default profile is always published; the full one once it ran
    for profile in (p for p in PROFILES if record_path(p).is_file()):
        record = json.loads(record_path(profile).read_text(encoding="utf-8"))
        assert record["command"] == PROFILES[profile] and record["commits"] and record["goals"]
        begin, end = markers(profile)
        assert page[page.index(begin):page.index(end) + len(end)] == table(record), "regenerate: nox -s publish"


def test_publishing_a_bench_root_keeps_its_goals_and_commit(tmp_path: Path) -> None:
    """`nox -s publish -- ROOT` reads ROOT/goals.json and the sessions' results.json, and the block it writes names
    the commit they ran; a goal not measured is folded into one line, as in every report."""
    import json

    from benchmarks.publish import BEGIN, END, record_of, rewrite, table

    goal = {"id": "G9", "goal": "G9", "text": "a goal", "value": 1.5, "ci_low": 1.0, "ci_high": 2.0, "unit": "x",
            "target": "<= 2x", "verdict": "inconclusive", "where": "w", "session": "s"}
    missing = {"id": "G10", "goal": "G10", "text": "other", "target": "-", "verdict": "not_measured",
               "measured_by": "its bench"}
    (tmp_path / "goals.json").write_text(json.dumps([goal, missing]))
    (tmp_path / "s").mkdir()
    (tmp_path / "s" / "results.json").write_text(json.dumps(
        {"session": {"machine": {"git_commit": "abcdef1234"}, "finished_at": "2026-12-07T12:00:00+00:00"}}))
    block = table(record_of(tmp_path))
    assert "commit `abcdef1`" in block and "| G9 | a goal | 1.500 [1.000, 2.000] x |" in block
    assert "G10 need its bench" in block
    assert rewrite(f"a\n{BEGIN}\nold\n{END}\nb", block) == f"a\n{block}\nb"
    (tmp_path.parent / f"{tmp_path.name}-full").mkdir()
    full_root = tmp_path.parent / f"{tmp_path.name}-full"
    (full_root / "goals.json").write_text(json.dumps([goal]))
    full = table(record_of(full_root))
    assert "nox -s bench -- --full" in full and "bench-goals-full:begin" in full
    assert "kept in `docs/measured/bench-full.json`" in full and "kept in `docs/measured/bench.json`" in block
    assert rewrite("page\n", full, "full") == f"page\n\n{full}\n"  # the first full block is added at the end
