"""This project's performance goals G1-G8, judged at the end of every `pytest benchmarks` session.

They are not part of the harness: `benchmarks/conftest.py` implements the plugin's `pytest_autointel_goals` hook
with `goal_rows_of`, so a pipeline benchmarked elsewhere gets only the goals its own project provides. The
measurement names below are the channel between `test_harness_overhead.py` and the G8 goals.
"""

from benchmarks.goals.goal_specs import ACCOUNTED, CLI_HELP, RECORDED, SPEC, SPECS, UNRECORDED
from benchmarks.goals.goals import evaluate_goals, goal_rows_of

__all__ = ["ACCOUNTED", "CLI_HELP", "RECORDED", "SPEC", "SPECS", "UNRECORDED", "evaluate_goals", "goal_rows_of"]
