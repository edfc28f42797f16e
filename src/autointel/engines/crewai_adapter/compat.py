"""The one guard over the two executor patches (`listener_index`, `inline_methods`).

Both stand on private CrewAI Flow internals, so both apply only to the CrewAI releases they were written and
tested against and only while those internals exist; on any other CrewAI, CrewAI's own code runs unchanged.
"""

from __future__ import annotations

from importlib.metadata import version

from crewai.flow.flow import Flow

TESTED_RELEASES = ((1, 15), (2, 0))  # from 1.15 up to, not including, 2.0
FLOW_INTERNALS = ("_find_triggered_methods", "_listener_methods", "_condition_met", "_fired_or_listeners")


def release(text: str) -> tuple[int, int]:
    """(major, minor) of a version string such as "1.15.30"; (0, 0) when it cannot be read."""
    parts = text.split(".")
    try:
        return int(parts[0]), int(parts[1]) if len(parts) > 1 else 0
    except ValueError:
        return 0, 0


def patches_apply(crewai_version: str, flow: type = Flow) -> bool:
    """True when the installed CrewAI is a tested release and has every internal the patches use."""
    low, high = TESTED_RELEASES
    present = all(hasattr(flow, n) or n in getattr(flow, "__private_attributes__", {}) for n in FLOW_INTERNALS)
    return low <= release(crewai_version) < high and present


PATCHES_APPLY = patches_apply(version("crewai"))
