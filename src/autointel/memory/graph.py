"""The persistent knowledge graph: a networkx MultiDiGraph saved as node-link JSON, atomically.

networkx + JSON was chosen over kglite because kglite loads typed nodes from DataFrames and fixes a
node's type on creation, while we upsert one node or edge at a time. An edge's identity is
(src, dst, kind): the edge key is its kind, so upserting it again updates it instead of adding one.
Saves go to a temporary file, fsync, then os.replace, so a crash leaves the old or the new graph.
A save can also be queued (`save_in_background`): the graph is copied at once, and one committer
thread per graph writes the copies in order, so the caller does not wait for the disk.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import networkx as nx

from autointel.atomic import atomic_write_text

FORMAT = "autointel-graph"
VERSION = 1

_RESERVED_NODE_PROPS = frozenset({"id"})
_RESERVED_EDGE_PROPS = frozenset({"source", "target", "key"})


def node_key(kind: str, name: str) -> str:
    """A namespaced node id ("entity:new york") so equal names of different kinds never collide."""
    return f"{kind}:{' '.join(name.split()).lower()}"


class CommitTicket:
    """One queued save: resolved when it (or a newer save that superseded it) has finished."""

    def __init__(self) -> None:
        self._done = threading.Event()
        self.durable_at: float | None = None  # time.perf_counter() when the file was durable
        self.error: BaseException | None = None

    def wait(self, timeout_s: float) -> bool:
        """True once resolved (durably written or failed); False if still pending after `timeout_s`."""
        return self._done.wait(timeout_s)

    @property
    def durable(self) -> bool:
        return self._done.is_set() and self.error is None

    @classmethod
    def settled(cls, durable_at: float) -> CommitTicket:
        """A ticket for a save that another process has already made durable (a batch's store owner)."""
        ticket = cls()
        ticket._resolve(durable_at, None)
        return ticket

    def _resolve(self, durable_at: float | None, error: BaseException | None) -> None:
        self.durable_at, self.error = durable_at, error
        self._done.set()


class _Committer:
    """One daemon thread that runs queued writes in order; a write queued behind another replaces it
    (each write is a whole graph, the newer one covers the older), and its tickets move along."""

    def __init__(self, name: str) -> None:
        self._name = name
        self._cond = threading.Condition()
        self._job: Callable[[], None] | None = None
        self._tickets: list[CommitTicket] = []
        self._thread: threading.Thread | None = None
        self._closed = False

    def submit(self, job: Callable[[], None]) -> CommitTicket:
        ticket = CommitTicket()
        with self._cond:
            if self._closed:
                raise RuntimeError("the graph's background committer is closed")
            self._job = job
            self._tickets.append(ticket)
            if self._thread is None:
                # daemon: an owner that never closes must not hang interpreter exit (the write is atomic)
                self._thread = threading.Thread(target=self._run, name=self._name, daemon=True)
                self._thread.start()
            self._cond.notify_all()
        return ticket

    def close(self, timeout_s: float) -> bool:
        """Finish the queued write, stop the thread; False if it is still writing after `timeout_s`."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()
            thread = self._thread
        if thread is None:
            return True
        thread.join(timeout_s)
        return not thread.is_alive()

    def _run(self) -> None:
        while True:
            with self._cond:
                self._cond.wait_for(lambda: self._job is not None or self._closed)
                if self._job is None:
                    return
                job, tickets = self._job, self._tickets
                self._job, self._tickets = None, []
            try:
                job()
            except Exception as exc:  # reported through the tickets, never lost
                for ticket in tickets:
                    ticket._resolve(None, exc)
            else:
                now = time.perf_counter()
                for ticket in tickets:
                    ticket._resolve(now, None)


class KnowledgeGraph:
    """Thread-safe upserts over one graph file; nothing is written until `save()` (or a queued save)."""

    def __init__(self, path: Path, graph: nx.MultiDiGraph) -> None:
        self.path = path
        self._graph = graph
        self._lock = threading.RLock()
        self._write_lock = threading.Lock()  # orders file writes; taken after `_lock`, never before
        self._version = 0  # snapshots taken so far
        self._written = 0  # newest snapshot on disk: an older one is never written over it
        self._committer = _Committer(f"autointel-graph-commit-{path.name}")
        self.last_commit: CommitTicket | None = None

    @classmethod
    def open(cls, path: Path) -> KnowledgeGraph:
        """Load the graph at `path`, or start an empty one if the file does not exist."""
        if not path.exists():
            return cls(path, nx.MultiDiGraph())
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if data.get("format") != FORMAT:
                raise ValueError("not an autointel graph file")
            graph = nx.node_link_graph(data["graph"], directed=True, multigraph=True, edges="edges")
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise ValueError(f"cannot read knowledge graph {path}: {exc}") from exc
        return cls(path, graph)

    # -- writes ----------------------------------------------------------------------------------

    def upsert_node(self, node_id: str, kind: str, **props: Any) -> bool:
        """Add or update a node; True if it is new. A node keeps its kind forever."""
        _check_props(props, _RESERVED_NODE_PROPS)
        with self._lock:
            if node_id in self._graph:
                existing = self._graph.nodes[node_id].get("kind")
                if existing != kind:
                    raise ValueError(f"node {node_id!r} is a {existing!r}, not a {kind!r}")
                self._graph.nodes[node_id].update(props)
                return False
            self._graph.add_node(node_id, kind=kind, **props)
            return True

    def upsert_edge(self, src: str, dst: str, kind: str, **props: Any) -> bool:
        """Add or update the (src, dst, kind) edge; True if it is new. Both nodes must exist."""
        _check_props(props, _RESERVED_EDGE_PROPS | {"kind"})
        with self._lock:
            for end in (src, dst):
                if end not in self._graph:
                    raise ValueError(f"edge {kind!r} {src!r} -> {dst!r}: node {end!r} does not exist")
            if self._graph.has_edge(src, dst, key=kind):
                self._graph.edges[src, dst, kind].update(props)
                return False
            self._graph.add_edge(src, dst, key=kind, kind=kind, **props)
            return True

    def save(self) -> None:
        """Write the whole graph atomically (tmp file + fsync + os.replace + directory fsync)."""
        with self._lock:  # held throughout, as before: the caller's save is done when this returns
            self._write(*self._snapshot())

    def save_in_background(self) -> CommitTicket:
        """Copy the graph now and queue the write to this graph's committer thread; return at once."""
        with self._lock:
            version, data = self._snapshot()
            self.last_commit = self._committer.submit(lambda: self._write(version, data))
            return self.last_commit

    def close_commits(self, timeout_s: float) -> bool:
        """Let the queued save finish and stop the committer; False if it is still writing after `timeout_s`."""
        return self._committer.close(timeout_s)

    def deferring_saves(self) -> KnowledgeGraph:
        """This graph (same nodes, same lock) through a handle whose `save()` queues a background save."""
        return _DeferredSaves(self)

    def _snapshot(self) -> tuple[int, dict[str, Any]]:
        """A numbered copy of the graph; values are only ever replaced, never mutated, so a shallow copy holds."""
        with self._lock:
            self._version += 1
            return self._version, nx.node_link_data(self._graph, edges="edges")

    def _write(self, version: int, graph_data: dict[str, Any]) -> None:
        data = {"format": FORMAT, "version": VERSION, "graph": graph_data}
        text = json.dumps(data, ensure_ascii=False, sort_keys=True, indent=1)
        with self._write_lock:
            if version > self._written:  # a newer copy already on disk covers this one
                atomic_write_text(self.path, text)
                self._written = version

    # -- reads -----------------------------------------------------------------------------------

    @property
    def node_count(self) -> int:
        with self._lock:
            return int(self._graph.number_of_nodes())

    @property
    def edge_count(self) -> int:
        with self._lock:
            return int(self._graph.number_of_edges())

    def node(self, node_id: str) -> dict[str, Any] | None:
        """A copy of a node's properties (with its kind), or None if absent."""
        with self._lock:
            if node_id not in self._graph:
                return None
            return dict(self._graph.nodes[node_id])

    def edge(self, src: str, dst: str, kind: str) -> dict[str, Any] | None:
        """A copy of an edge's properties, or None if absent."""
        with self._lock:
            if not self._graph.has_edge(src, dst, key=kind):
                return None
            return dict(self._graph.edges[src, dst, kind])

    def neighbors(self, node_id: str, kind: str | None = None) -> list[str]:
        """Nodes joined to `node_id` by an edge in either direction (of edge kind `kind` if given), sorted."""
        with self._lock:
            if node_id not in self._graph:
                return []
            found = {d for _, d, k in self._graph.out_edges(node_id, keys=True) if kind is None or k == kind}
            found |= {s for s, _, k in self._graph.in_edges(node_id, keys=True) if kind is None or k == kind}
            return sorted(found)

    def nodes_of_kind(self, kind: str) -> list[str]:
        """Ids of every node of `kind`, sorted."""
        with self._lock:
            return sorted(n for n, k in self._graph.nodes(data="kind") if k == kind)


class _DeferredSaves(KnowledgeGraph):
    """Lets code written against `save()` (phases.integration.build_graph) queue the save instead."""

    def __init__(self, base: KnowledgeGraph) -> None:
        super().__init__(base.path, base._graph)
        self._lock = base._lock
        self._base = base

    def save(self) -> None:
        self._base.save_in_background()

    def save_in_background(self) -> CommitTicket:
        return self._base.save_in_background()

    def close_commits(self, timeout_s: float) -> bool:
        return self._base.close_commits(timeout_s)

    def deferring_saves(self) -> KnowledgeGraph:
        return self


def _check_props(props: dict[str, Any], reserved: frozenset[str]) -> None:
    """Fail at upsert time, not at save time, on names the file format uses or values JSON cannot hold."""
    clash = reserved & props.keys()
    if clash:
        raise ValueError(f"reserved property name(s): {sorted(clash)}")
    try:
        json.dumps(props)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"graph properties must be JSON values: {exc}") from exc
