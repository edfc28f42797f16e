"""Merging the goals of the several sessions one `nox -s bench` writes: generic, by verdict and by the direction
each row declares, knowing nothing of any goal."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from autointel.bench.analysis.goal_merge import merge_goals
from autointel.cli import main


def goal(gid: str, verdict: str, value: float | None = None, **extra: object) -> dict[str, object]:
    return {"id": gid, "goal": gid.split(".")[0], "text": f"goal {gid}", "verdict": verdict, "value": value,
            "ci_low": value, "ci_high": value, "unit": "x", "target": "<= 1", "where": "somewhere",
            "measured_by": "a bench", **extra}


def test_the_measuring_session_wins_and_the_worst_verdict_stands() -> None:
    a = [goal("G1", "not_measured"), goal("G2", "pass", 1.0), goal("G3", "not_measured")]
    b = [goal("G1", "fail", 0.7), goal("G2", "fail", 1.2), goal("G3", "not_measured")]
    merged = merge_goals([a, b], ["hosted", "engines"])
    assert [g["id"] for g in merged] == ["G1", "G2", "G3"]
    assert merged[0]["verdict"] == "fail" and merged[0]["session"] == "engines"
    assert merged[1]["verdict"] == "fail" and merged[1]["value"] == 1.2
    assert merged[2]["verdict"] == "not_measured"
    assert merge_goals([b, a], ["engines", "hosted"])[1]["session"] == "engines"  # order does not matter


def test_between_equal_verdicts_the_worse_value_stands_in_the_rows_direction() -> None:
    # two passing peak-RSS sessions: the larger ratio; two passing speeds (lower is worse): the slower; a row
    # written before `higher_is_worse` existed counts as higher-is-worse
    first = [goal("G5", "pass", 1.039, higher_is_worse=True), goal("G7", "pass", 24.0, higher_is_worse=False),
             goal("X", "inconclusive", 0.90)]
    second = [goal("G5", "pass", 1.058, higher_is_worse=True), goal("G7", "pass", 20.8, higher_is_worse=False),
              goal("X", "inconclusive", 1.05)]
    for lists, origins in (([first, second], ["length", "matrix"]), ([second, first], ["matrix", "length"])):
        g5, g7, x = merge_goals(lists, origins)
        assert (g5["value"], g5["session"]) == (1.058, "matrix")
        assert (g7["value"], g7["session"]) == (20.8, "matrix")
        assert (x["value"], x["session"]) == (1.05, "matrix")


def test_two_measured_figures_keep_the_first_and_missing_values_never_replace() -> None:
    merged = merge_goals([[goal("M", "measured", 1.0), goal("P", "pass", 1.0)],
                          [goal("M", "measured", 2.0), goal("P", "pass", None)]], ["a", "b"])
    assert [(g["value"], g["session"]) for g in merged] == [(1.0, "a"), (1.0, "a")]


def test_report_goals_writes_one_table_for_a_bench_root(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for name, goals in {"hosted": [goal("G1", "pass", 0.5)], "length": [goal("G1", "not_measured")]}.items():
        (tmp_path / name).mkdir()
        (tmp_path / name / "index.json").write_text(json.dumps({"goals": goals}))
    assert main(["report", str(tmp_path), "--goals"]) == 0
    merged = json.loads((tmp_path / "goals.json").read_text())
    assert merged[0]["verdict"] == "pass" and merged[0]["session"] == "hosted"
    assert "G1" in (tmp_path / "goals.md").read_text() and "pass" in capsys.readouterr().out


def test_report_goals_refuses_a_goal_it_cannot_read_in_one_line(tmp_path: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    unreadable = {k: v for k, v in goal("G1", "pass", 0.5).items() if k != "verdict"}
    (tmp_path / "hosted").mkdir()
    (tmp_path / "hosted" / "index.json").write_text(json.dumps({"goals": [unreadable]}))
    assert main(["report", str(tmp_path), "--goals"]) == 2
    err = capsys.readouterr().err
    assert "cannot read" in err and "verdict" in err and "Traceback" not in err
    assert not (tmp_path / "goals.json").exists()


def test_report_goals_on_a_folder_without_sessions_is_a_clean_error(tmp_path: Path,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", str(tmp_path), "--goals"]) == 2
    err = capsys.readouterr().err
    assert "no index.json" in err and "Traceback" not in err
