"""The goal verdicts every provider speaks, and the merge of several sessions' goals (`autointel report ROOT --goals`).

One bench run (`nox -s bench`) is several pytest sessions, each measuring some goals. Their merge must not know
what any goal means, since goals come from the project (`pytest_autointel_goals`), so it orders rows by verdict and,
between equal verdicts, by the direction each row declares (`GoalRow.higher_is_worse`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

PASS, FAIL, INCONCLUSIVE, MEASURED, NOT_MEASURED = "pass", "fail", "inconclusive", "measured", "not_measured"
VERDICTS = (PASS, FAIL, INCONCLUSIVE, MEASURED, NOT_MEASURED)
# Worst first: of two figures of one goal, the lower rank stands (not_measured is never chosen over data).
RANK = {FAIL: 0, INCONCLUSIVE: 1, PASS: 2, MEASURED: 3}


def merge_goals(lists: Sequence[Sequence[Mapping[str, Any]]], origins: Sequence[str]) -> list[dict[str, Any]]:
    """One entry per goal id across sessions, tagged with its `session` (origin): the measured entries' worst
    verdict wins (fail before inconclusive before pass before measured), between equal verdicts the worse value in
    the row's `higher_is_worse` direction, between two `measured` the first; a goal no session measured stays
    not_measured. Ids keep the order they were first seen in."""
    order: list[str] = []
    chosen: dict[str, dict[str, Any]] = {}
    for goals, origin in zip(lists, origins, strict=True):
        for goal in goals:
            gid = str(goal.get("id"))
            if gid not in chosen:
                order.append(gid)
            entry = {**goal, "session": origin}
            current = chosen.get(gid)
            if current is None or replaces(entry, current):
                chosen[gid] = entry
    return [chosen[g] for g in order]


def replaces(new: Mapping[str, Any], old: Mapping[str, Any]) -> bool:
    """Whether `new` is the worse figure of the same goal than `old` (and so the one to report)."""
    if new.get("verdict") == NOT_MEASURED:
        return False
    if old.get("verdict") == NOT_MEASURED:
        return True
    new_rank, old_rank = RANK.get(str(new.get("verdict")), 9), RANK.get(str(old.get("verdict")), 9)
    if new_rank != old_rank or new.get("verdict") == MEASURED:
        return new_rank < old_rank
    # the same verdict: the worse value stands (the larger peak-RSS ratio of two passing sessions, say)
    new_value, old_value = _number(new.get("value")), _number(old.get("value"))
    if new_value is None or old_value is None:
        return False
    higher_is_worse = new.get("higher_is_worse", True) is not False  # rows written before the field: higher
    return new_value > old_value if higher_is_worse else new_value < old_value


def _number(value: object) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None
