"""A batch of sources: what happened to each source (the index) and what the sources say together (the briefing).

`BatchIndex.to_json`/`from_json` are versioned like the bench's results: a killed driver's index is read back so a
re-run resumes where it stopped.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

BATCH_SCHEMA = 1


class SourceStatus(StrEnum):
    OK = "ok"
    PARTIAL = "partial"  # the run finished with a marked gap (a failed phase, untrusted audio)
    FAILED = "failed"  # the run failed, or its worker died; a re-run tries it again
    INTERRUPTED = "interrupted"  # not finished when the batch was stopped; a re-run tries it again

    @property
    def done(self) -> bool:
        """Kept by a re-run: the result is written and running it again would give the same."""
        return self in (SourceStatus.OK, SourceStatus.PARTIAL)


@dataclass(frozen=True)
class StoreTime:
    """A source's traffic with the store owner: its calls, the owner's own time on them, and the time they spent
    queued behind other workers' calls (round trip minus service)."""

    calls: int = 0
    service_s: float = 0.0
    queued_s: float = 0.0


@dataclass(frozen=True)
class SourceRecord:
    source: str  # as given, secrets masked
    status: SourceStatus
    sha256: str | None = None
    result: str | None = None  # the result file, relative to the batch folder
    node: str | None = None  # the Ray node id that ran it
    worker: int | None = None
    wall_s: float | None = None  # the worker's time on it, models already loaded
    media_s: float | None = None
    store: StoreTime = field(default_factory=StoreTime)
    error: str | None = None


@dataclass(frozen=True)
class OwnerLoad:
    """The store owner's side of its queue over a batch run: calls served, seconds busy, and calls that began
    while another was running (0: the writes were serialised)."""

    calls: int = 0
    busy_s: float = 0.0
    overlapping: int = 0


@dataclass(frozen=True)
class BatchIndex:
    """Every source of the batch (done in this run or an earlier one), in the order given."""

    sources: tuple[SourceRecord, ...]
    workers: int
    ray_address: str | None  # None: a local Ray started in-process
    nodes: tuple[str, ...]  # the nodes whose workers ran sources in this run
    wall_s: float  # this run's wall time, Ray start to the last result
    interrupted: bool = False
    owner: OwnerLoad = field(default_factory=OwnerLoad)
    startup_s: float = 0.0  # Ray started or joined, the owner's stores open, every worker's models loaded
    worker_load_s: tuple[float, ...] = ()  # each worker's model loading (inside the startup)
    schema: int = BATCH_SCHEMA

    def count(self, status: SourceStatus) -> int:
        return sum(1 for record in self.sources if record.status is status)

    def to_json(self) -> dict[str, Any]:
        from autointel.model.serialize import to_jsonable

        data: dict[str, Any] = to_jsonable(self)
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> BatchIndex:
        """Read an index this or an earlier schema wrote; a newer schema is refused (ValueError)."""
        if int(data.get("schema", 0)) > BATCH_SCHEMA:
            raise ValueError(f"batch index schema {data.get('schema')} is newer than this autointel's {BATCH_SCHEMA}")
        records = tuple(_record(item) for item in data["sources"])
        return cls(sources=records, workers=int(data["workers"]), ray_address=data.get("ray_address"),
                   nodes=tuple(data.get("nodes", ())), wall_s=float(data.get("wall_s", 0.0)),
                   interrupted=bool(data.get("interrupted", False)), owner=OwnerLoad(**data.get("owner", {})),
                   startup_s=float(data.get("startup_s", 0.0)),
                   worker_load_s=tuple(float(x) for x in data.get("worker_load_s", ())))


def _record(item: dict[str, Any]) -> SourceRecord:
    store = StoreTime(**item.get("store", {}))
    known = {k: v for k, v in item.items() if k in SourceRecord.__dataclass_fields__ and k != "store"}
    return replace(SourceRecord(**known), status=SourceStatus(item["status"]), store=store)


@dataclass(frozen=True)
class SharedTheme:
    """A theme keyword that two or more sources share, with the sources' titles."""

    keyword: str
    sources: tuple[str, ...]
    weight: float  # summed over the sources: how much of them it covers


@dataclass(frozen=True)
class CrossContradiction:
    """A claim of one source that the fact-checker finds contradicted by what another source said (found by
    searching the transcript memory for the other sources' nearest passages)."""

    claim: str
    claim_source: str
    evidence: str
    evidence_source: str
    confidence: float
    rationale: str


@dataclass(frozen=True)
class BatchBriefing:
    sources: tuple[str, ...]  # titles of the sources read, in index order
    media_s: float
    themes: tuple[SharedTheme, ...]
    contradictions: tuple[CrossContradiction, ...]
    claims_checked: int
