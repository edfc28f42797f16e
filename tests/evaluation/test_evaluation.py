"""`autointel eval`: the JSONL reader, the metric definitions and the command's contract."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from autointel.cli import main
from autointel.evaluation.metrics import calibration, checkworthy_metrics, claim_metrics, fallacy_metrics
from autointel.evaluation.records import ClaimRecord, FallacyRecord, read_records

TYPES = ("ad_hominem", "bandwagon")


def write_lines(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_reader_skips_bad_lines_with_a_reason_each(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "f.jsonl", [
        json.dumps({"text": "He is a liar.", "label": "Ad_Hominem"}),
        "{broken",
        json.dumps(["a list"]),
        json.dumps({"text": "", "label": "none"}),
        "",
        json.dumps({"text": "Fine.", "label": "astrology"}),
        json.dumps({"text": "Fine.", "label": "none"}),
    ])
    parsed = read_records("fallacies", path, TYPES)
    assert parsed.records == (FallacyRecord("He is a liar.", "ad_hominem"), FallacyRecord("Fine.", "none"))
    assert parsed.lines == (1, 7)
    assert [e.line for e in parsed.errors] == [2, 3, 4, 6]
    assert "not JSON" in parsed.errors[0].reason
    assert "allowed: ad_hominem, bandwagon, none" in parsed.errors[3].reason


def test_claim_lines_need_a_list_of_evidence(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "c.jsonl", [
        json.dumps({"claim": "A is 3.", "evidence": "A is 3.", "label": "supported"}),
        json.dumps({"claim": "A is 3.", "evidence": ["A  is\n3."], "label": "SUPPORTED"}),
    ])
    parsed = read_records("claims", path, TYPES)
    assert parsed.records == (ClaimRecord("A is 3.", ("A is 3.",), "supported"),)
    assert "list of strings" in parsed.errors[0].reason


def test_fallacy_metrics_by_hand() -> None:
    gold = ["ad_hominem", "ad_hominem", "bandwagon", "none", "none"]
    pred = ["ad_hominem", "bandwagon", "none", "ad_hominem", "none"]
    m = fallacy_metrics(gold, pred)
    assert m.detection_rate == pytest.approx(2 / 3)
    assert m.false_positive_rate == pytest.approx(1 / 2)
    hominem = m.per_type["ad_hominem"]
    assert (hominem.precision, hominem.recall) == (pytest.approx(0.5), pytest.approx(0.5))
    assert m.per_type["bandwagon"].f1 == 0.0
    assert m.macro_f1 == pytest.approx(0.25)
    assert m.confusion["ad_hominem"] == {"ad_hominem": 1, "bandwagon": 1}


def test_claim_metrics_by_hand() -> None:
    gold = ["supported", "contradicted", "unverifiable", "unverifiable"]
    pred = ["supported", "supported", "unverifiable", "contradicted"]
    m = claim_metrics(gold, pred, [0.9, 0.8, 0.6, 0.55])
    assert m.accuracy == pytest.approx(0.5)
    assert (m.majority_label, m.majority_baseline) == ("unverifiable", pytest.approx(0.5))
    assert m.decisive == 3
    assert m.decisive_precision == pytest.approx(1 / 3)
    assert m.per_class["supported"].precision == pytest.approx(0.5)
    assert m.per_class["contradicted"].precision == 0.0


def test_calibration_table_and_brier() -> None:
    table = calibration([0.95, 0.95, 0.55, 1.0], [True, False, True, True])
    assert [(b.low, b.n) for b in table.bins] == [(0.5, 1), (0.9, 3)]
    assert table.bins[1].accuracy == pytest.approx(2 / 3)
    assert table.brier == pytest.approx((0.05**2 + 0.95**2 + 0.45**2 + 0.0) / 4)
    assert calibration([], []).brier is None


def test_checkworthy_metrics_by_hand() -> None:
    m = checkworthy_metrics([True, True, False, False], [True, False, True, False])
    assert (m.precision, m.recall, m.f1) == (0.5, 0.5, 0.5)
    assert checkworthy_metrics([False], [False]).precision is None


def test_eval_json_has_exactly_the_documented_keys(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_lines(tmp_path / "f.jsonl", [
        json.dumps({"text": "Everyone is buying this phone, so it must be the best phone.", "label": "bandwagon"}),
        json.dumps({"text": "The library opens at nine on weekdays.", "label": "none"}),
        json.dumps({"text": "Oops.", "label": "no_such_type"}),
    ])
    assert main(["eval", "fallacies", str(path), "--format", "json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert set(document) == {"n", "metrics", "errors"}
    assert document["n"] == 2
    assert document["errors"][0]["line"] == 3
    assert {"detection_rate", "false_positive_rate", "macro_f1", "per_type"} <= set(document["metrics"])


def test_eval_claims_indexes_all_evidence_as_one_corpus(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_lines(tmp_path / "c.jsonl", [
        json.dumps({"claim": "The Halden bridge opened in 1952.",
                    "evidence": ["The Halden bridge opened to traffic in 1952."], "label": "supported"}),
        json.dumps({"claim": "Lake Orvin is the deepest lake in the province.",
                    "evidence": ["The province's census counted 40,000 farms."], "label": "unverifiable"}),
    ])
    assert main(["eval", "claims", str(path), "--format", "json"]) == 0
    metrics = json.loads(capsys.readouterr().out)["metrics"]
    assert {"accuracy", "majority_baseline", "per_class", "decisive_precision", "calibration"} <= set(metrics)
    assert metrics["majority_baseline"] == 0.5
    assert metrics["per_class"]["unverifiable"]["recall"] == 1.0  # nothing relevant in the corpus


@pytest.mark.parametrize("lines", [[], ["{not json"]])
def test_nothing_scorable_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], lines: list[str]
) -> None:
    path = write_lines(tmp_path / "x.jsonl", lines)
    assert main(["eval", "checkworthy", str(path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "no line could be scored" in err[0]


def test_missing_file_and_unknown_kind_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["eval", "claims", str(tmp_path / "absent.jsonl")]) == 2
    assert "no such file" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_info:
        main(["eval", "horoscopes", str(tmp_path / "absent.jsonl")])
    assert exit_info.value.code == 2


def test_goal_verdicts_need_the_whole_ci() -> None:
    from autointel.evaluation.goals import GOALS, judge
    from autointel.evaluation.report import Scored

    recall = next(g for g in GOALS if g.name == "check-worthy claim recall")
    sure = Scored("checkworthy", ("true",) * 200, ("true",) * 200, (1.0,) * 200, ())
    assert judge(recall, "x", sure).verdict == "pass"
    never = Scored("checkworthy", ("true",) * 200, ("false",) * 200, (1.0,) * 200, ())
    assert judge(recall, "x", never).verdict == "fail"
    # 8 of 10 found: the point meets 0.80, but ten lines cannot show it
    edge = Scored("checkworthy", ("true",) * 10, ("true",) * 8 + ("false",) * 2, (1.0,) * 10, ())
    result = judge(recall, "x", edge)
    assert result.value == pytest.approx(0.8)
    assert result.low is not None and result.low < 0.8 and result.verdict == "inconclusive"


def test_lower_is_better_goal_fails_above_its_threshold() -> None:
    from autointel.evaluation.goals import GOALS, judge
    from autointel.evaluation.report import Scored

    neutral = next(g for g in GOALS if g.role == "neutral")
    noisy = Scored("fallacies", ("none",) * 300, ("ad_hominem",) * 30 + ("none",) * 270, (1.0,) * 300, ())
    assert judge(neutral, "x", noisy).verdict == "fail"
    quiet = Scored("fallacies", ("none",) * 300, ("none",) * 300, (1.0,) * 300, ())
    assert judge(neutral, "x", quiet).verdict == "pass"


def test_every_bundled_data_set_parses_cleanly_and_names_its_source_and_licence() -> None:
    from autointel.evaluation.quality import bundled_sets
    from autointel.phases.analysis.fallacies import FALLACY_TYPES

    sets = bundled_sets()
    assert {s.kind for s in sets} == {"fallacies", "claims", "checkworthy"}
    assert any(s.role == "neutral" for s in sets)
    for bundled in sets:
        parsed = read_records(bundled.kind, bundled.test, FALLACY_TYPES)
        assert parsed.errors == () and len(parsed.records) >= 100, bundled.name
        folder = bundled.test.parent
        readme = (folder / "README.md").read_text(encoding="utf-8").lower()
        assert "licen" in readme and "split" in readme, bundled.name
        assert any(p.name.upper().startswith(("LICENSE", "COPYING")) or p.name == "licenses"
                   for p in folder.iterdir()), bundled.name
