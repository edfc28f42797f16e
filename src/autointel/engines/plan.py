"""The step graph of a run: which steps exist at a depth and what each waits for under the flags.

Both engines execute this one plan, so the work is identical across flag combinations: the flags
change only the dependency edges (what may overlap), never the set of computations. The sole
exception is fact-checking, which is split into shards only when it runs in parallel; the shards
together check exactly the claims that the single sequential step checks.

A step may also *stream* an earlier step: it starts without waiting for it, consumes its output as it is
produced, and ends after it. In the widest DAG the steps whose work starts on a partial transcript stream
transcription, so their agents' turns overlap the decoder instead of following it: claim extraction spots
each finished sentence, the analysers and the fact-check shards embed them (the vectors all of them read,
into the run's embedding cache). The shards also stream claim extraction: they check its claims once it
ends, without a turn of their own after it. A streaming step's dependencies include those of every step it
streams, so a producer is never skipped while a follower waits for it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from autointel.phases import PHASES
from autointel.settings import Depth, Flags

ANALYSIS_STEPS = ("text_analysis", "fallacy_detection", "perspective_synthesis")
STREAMABLE = ("transcribe", "claim_extraction")  # steps whose output can be followed while they run (feed.py)


@dataclass(frozen=True)
class Step:
    name: str
    phase: str
    deps: tuple[str, ...]
    shard: int = 0  # fact-check shard index
    shards: int = 1
    streams: tuple[str, ...] = ()  # steps whose output this one consumes while they run (see the module doc)

    @property
    def waits_for(self) -> tuple[str, ...]:
        """Every step whose output this one reads: it cannot finish before they do."""
        return self.deps + self.streams

    @property
    def kind(self) -> str:
        """The step's function; fact-check shards share one."""
        return "fact_check" if self.name.startswith("fact_check") else self.name


@dataclass(frozen=True)
class Plan:
    depth: Depth
    flags: Flags
    steps: tuple[Step, ...]

    def step(self, name: str) -> Step:
        for step in self.steps:
            if step.name == name:
                return step
        raise KeyError(name)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(s.name for s in self.steps)

    def describe(self) -> dict[str, object]:
        steps = [{"name": s.name, "phase": s.phase, "deps": list(s.deps)} | _streams(s) for s in self.steps]
        return {"steps": steps, "fingerprint": fingerprint(steps)}


def _streams(step: Step) -> dict[str, list[str]]:
    return {"streams": list(step.streams)} if step.streams else {}


def fingerprint(structure: object) -> str:
    """A short, stable hash of a run structure: equal structures, equal fingerprints."""
    blob = json.dumps(structure, sort_keys=True, separators=(",", ":")).encode()
    return hashlib.sha256(blob).hexdigest()[:16]


def build_plan(depth: Depth, flags: Flags, fact_check_workers: int = 4) -> Plan:
    widest = flags.all_on
    steps: list[Step] = [Step("acquire", "acquisition", ()), Step("transcribe", "transcription", ("acquire",))]

    if widest:
        steps += [Step(name, "analysis", ("acquire",), streams=("transcribe",)) for name in ANALYSIS_STEPS]
    elif flags.parallel_analysis:
        steps += [Step(name, "analysis", ("transcribe",)) for name in ANALYSIS_STEPS]
    else:
        prev = "transcribe"
        for name in ANALYSIS_STEPS:
            steps.append(Step(name, "analysis", (prev,)))
            prev = name
    steps.append(Step("analysis_integration", "analysis", _joined(flags.parallel_analysis)))
    last = "analysis_integration"

    if depth.verifies:
        if widest:
            steps.append(Step("index_evidence", "verification", ()))
            steps.append(Step("claim_extraction", "verification", ("acquire",), streams=("transcribe",)))
            check_deps: tuple[str, ...] = ("acquire", "index_evidence")
            check_streams: tuple[str, ...] = ("transcribe", "claim_extraction")
        else:
            steps.append(Step("index_evidence", "verification", (last,)))
            steps.append(Step("claim_extraction", "verification", ("index_evidence",)))
            check_deps, check_streams = ("claim_extraction",), ()
        if flags.parallel_fact_checking:
            n = max(1, fact_check_workers)
            shards = [Step(f"fact_check_{i + 1}", "verification", check_deps, i, n, check_streams) for i in range(n)]
        else:
            shards = [Step("fact_check", "verification", check_deps, streams=check_streams)]
        steps += shards
        # The deception score reads the fallacies, nothing else of the analysis.
        join = tuple(s.name for s in shards) + (("fallacy_detection",) if widest else ())
        steps.append(Step("verification_integration", "verification", join))
        last = "verification_integration"

    if depth.integrates:
        # The graph and the briefing read the analysis and the verification; the briefing reads neither the
        # graph nor memory, so in the widest DAG it runs beside them.
        reads = ("analysis_integration", last)  # integrating depths verify: last is verification_integration
        memory_deps = ("transcribe",) if widest else (last,)
        steps.append(Step("memory_store", "integration", memory_deps))
        if widest:
            steps.append(Step("graph_build", "integration", reads))
            steps.append(Step("briefing", "briefing", reads))
        elif flags.parallel_memory_ops:
            steps.append(Step("graph_build", "integration", (last,)))
            steps.append(Step("briefing", "briefing", ("memory_store", "graph_build")))
        else:
            steps.append(Step("graph_build", "integration", ("memory_store",)))
            steps.append(Step("briefing", "briefing", ("graph_build",)))
    _check(steps)
    return Plan(depth, flags, tuple(steps))


def _joined(parallel: bool) -> tuple[str, ...]:
    return ANALYSIS_STEPS if parallel else (ANALYSIS_STEPS[-1],)


def _check(steps: list[Step]) -> None:
    """Every dependency names an earlier step, so the list order is a topological order; a streaming step
    waits for the dependencies of what it streams (skipped with its producer, it never waits for a feed
    that no one will close)."""
    seen: dict[str, Step] = {}
    for step in steps:
        missing = [d for d in step.waits_for if d not in seen]
        unshared = [d for s in step.streams if s in seen for d in seen[s].deps if d not in step.deps]
        if missing or unshared or step.phase not in PHASES or not set(step.streams) <= set(STREAMABLE):
            raise AssertionError(f"bad plan at {step.name}: deps {missing}, phase {step.phase}, streams "
                                 f"{step.streams} (deps they need: {unshared})")
        seen[step.name] = step
