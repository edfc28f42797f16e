"""The verdict's words, shared by every output so the HTML cards, summary.md and the terminal say the same thing."""

from __future__ import annotations

from collections.abc import Sequence

from autointel.model.bench_results import Banner, Check


def verdict_rule(verdict: str, triggered: Sequence[str], fail_on: Sequence[str]) -> str:
    """Why the verdict is what it is, in one sentence."""
    checked = ", ".join(fail_on) or "none"
    if verdict == "fail":
        return f"fail: {', '.join(triggered)} held (fail-on conditions: {checked})"
    if verdict == "inconclusive":
        return (f"inconclusive: no fail-on condition held, but at least one could not be decided with these runs "
                f"(fail-on conditions: {checked})")
    return f"pass: no fail-on condition held, and each was decided or had nothing to check (fail-on conditions: " \
           f"{checked})"


def check_line(check: Check) -> str:
    """`title: state: what was checked`, marked when the check is shown but does not decide the verdict."""
    shown = "" if check.gates else " (shown, not a fail-on condition)"
    return f"{check.title}{shown}: {check.state}: {check.detail}"


def banner_lines(banner: Banner) -> list[str]:
    """The rule sentence, then one line per check (nothing for results written before checks were recorded)."""
    return [verdict_rule(banner.verdict, banner.triggered, banner.fail_on), *map(check_line, banner.checks)]
