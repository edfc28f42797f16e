"""The persistent knowledge graph: a networkx MultiDiGraph saved as node-link JSON, atomically.

networkx + JSON was chosen over kglite because kglite loads typed nodes from DataFrames and fixes a
node's type on creation, while we upsert one node or edge at a time. An edge's identity is
(src, dst, kind): the edge key is its kind, so upserting it again updates it instead of adding one.
Saves go to a temporary file, fsync, then os.replace, so a crash leaves the old or the new graph.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import networkx as nx

from autointel.atomic import atomic_write_text

NODE_KINDS = frozenset({"media", "speaker", "entity", "claim", "fallacy", "theme"})
EDGE_KINDS = frozenset(
    {"mentions", "makes_claim", "has_theme", "commits_fallacy", "supports", "contradicts", "about"}
)
FORMAT = "autointel-graph"
VERSION = 1

_RESERVED_NODE_PROPS = frozenset({"id"})
_RESERVED_EDGE_PROPS = frozenset({"source", "target", "key"})


def node_key(kind: str, name: str) -> str:
    """A namespaced node id ("entity:new york") so equal names of different kinds never collide."""
    return f"{kind}:{' '.join(name.split()).lower()}"


class KnowledgeGraph:
    """Thread-safe upserts over one graph file; nothing is written until `save()`."""

    def __init__(self, path: Path, graph: nx.MultiDiGraph) -> None:
        self.path = path
        self._graph = graph
        self._lock = threading.RLock()

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
        with self._lock:
            data = {
                "format": FORMAT,
                "version": VERSION,
                "graph": nx.node_link_data(self._graph, edges="edges"),
            }
            text = json.dumps(data, ensure_ascii=False, sort_keys=True, indent=1)
            atomic_write_text(self.path, text)  # under the lock: two saves can never land out of order

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


def _check_props(props: dict[str, Any], reserved: frozenset[str]) -> None:
    """Fail at upsert time, not at save time, on names the file format uses or values JSON cannot hold."""
    clash = reserved & props.keys()
    if clash:
        raise ValueError(f"reserved property name(s): {sorted(clash)}")
    try:
        json.dumps(props)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"graph properties must be JSON values: {exc}") from exc
