"""`autointel eval` output: the typed EvalReport as text for a person or as JSON with fixed top-level keys."""

from __future__ import annotations

import json
from typing import Any

from autointel.evaluation.metrics import CheckworthyMetrics, ClaimMetrics, ClassScores, FallacyMetrics
from autointel.evaluation.report import EvalReport
from autointel.model import to_jsonable
from autointel.rendering.fmt import num

MAX_ERRORS_SHOWN = 20


def eval_json(report: EvalReport) -> str:
    """Exactly the keys `n`, `metrics` and `errors`."""
    document: dict[str, Any] = {
        "n": report.n,
        "metrics": to_jsonable(report.metrics),
        "errors": [{"line": e.line, "reason": e.reason} for e in report.errors],
    }
    return json.dumps(document, indent=2, ensure_ascii=False)


def eval_text(report: EvalReport) -> str:
    lines = [f"{report.kind}: {report.n} lines scored, {len(report.errors)} skipped"]
    metrics = report.metrics
    if isinstance(metrics, FallacyMetrics):
        lines += _fallacy_lines(metrics)
    elif isinstance(metrics, ClaimMetrics):
        lines += claim_lines(metrics)
    else:
        lines += _checkworthy_lines(metrics)
    shown = report.errors[:MAX_ERRORS_SHOWN]
    lines += [f"line {e.line}: {e.reason}" for e in shown]
    if len(report.errors) > len(shown):
        lines.append(f"... and {len(report.errors) - len(shown)} more skipped lines (--format json lists all)")
    return "\n".join(lines)


def _fallacy_lines(m: FallacyMetrics) -> list[str]:
    lines = [
        f"detection rate (fallacious lines with a fallacy reported): {num(m.detection_rate)}",
        f"false-positive rate (`none` lines with a fallacy reported): {num(m.false_positive_rate)}",
        f"macro-F1 over the {len(m.per_type)} types present: {num(m.macro_f1)}",
    ]
    return lines + _class_table("type", m.per_type) + _confusion_lines(m.confusion)


def claim_lines(m: ClaimMetrics) -> list[str]:
    lines = [
        f"accuracy: {num(m.accuracy)} (majority-class baseline {num(m.majority_baseline)}, "
        f"always '{m.majority_label or '-'}')",
        f"decisive precision (right among {m.decisive} supported/contradicted verdicts): "
        f"{num(m.decisive_precision)}",
        f"calibration: Brier {num(m.calibration.brier)}, expected calibration error "
        f"{num(m.calibration.expected_calibration_error)}",
        "  confidence    n   mean conf  accuracy",
    ]
    lines += [f"  {b.low:.1f}-{b.high:.1f}  {b.n:5d}   {b.mean_confidence:.3f}     {b.accuracy:.3f}"
              for b in m.calibration.bins]
    return lines + _class_table("verdict", m.per_class) + _confusion_lines(m.confusion)


def _checkworthy_lines(m: CheckworthyMetrics) -> list[str]:
    return [
        f"precision {num(m.precision)}  recall {num(m.recall)}  F1 {num(m.f1)}",
        f"true positives {m.true_positives}, false positives {m.false_positives}, "
        f"false negatives {m.false_negatives}, true negatives {m.true_negatives}",
    ]


def _class_table(title: str, rows: dict[str, ClassScores]) -> list[str]:
    width = max([len(title), *map(len, rows)])
    out = [f"  {title:<{width}}  precision  recall  F1     support  predicted"]
    for name, s in rows.items():
        out.append(f"  {name:<{width}}  {num(s.precision):>9}  {num(s.recall):>6}  {num(s.f1):<5}  "
                   f"{s.support:7d}  {s.predicted:9d}")
    return out


def _confusion_lines(table: dict[str, dict[str, int]]) -> list[str]:
    out = ["confusion (gold -> predicted: lines):"]
    for gold, row in table.items():
        out.append(f"  {gold} -> " + ", ".join(f"{p}: {n}" for p, n in sorted(row.items(), key=lambda x: -x[1])))
    return out
