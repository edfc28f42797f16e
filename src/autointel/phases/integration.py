"""Integration: write what a run learned into the persistent knowledge graph.

Node ids are derived from content (media hash, normalised names, claim text), so re-running the
same media upserts the same nodes and edges and the counts stay unchanged.
"""

from __future__ import annotations

import hashlib

from autointel.memory.graph import KnowledgeGraph
from autointel.model import Analysis, GraphWrite, Media, Verdict, Verification


def _key(kind: str, text: str) -> str:
    norm = " ".join(text.lower().split())
    if kind in ("claim", "fallacy"):
        norm = hashlib.sha256(norm.encode()).hexdigest()[:16]
    return f"{kind}:{norm}"


def build_graph(
    graph: KnowledgeGraph,
    media: Media,
    analysis: Analysis,
    verification: Verification | None,
    entities: tuple[str, ...],
) -> GraphWrite:
    """Upsert the media, its speaker, entities, themes, fallacies and claims, then save atomically."""
    nodes = edges = 0
    media_id = f"media:{media.sha256}"
    speaker_id = f"speaker:{media.sha256}:0"
    nodes += graph.upsert_node(media_id, "media", title=media.title, source=media.source, platform=media.platform)
    nodes += graph.upsert_node(speaker_id, "speaker", name=f"Speaker of {media.title}")
    edges += graph.upsert_edge(media_id, speaker_id, "features")
    entity_ids = {}
    for entity in entities:
        entity_id = _key("entity", entity)
        entity_ids[entity.lower()] = entity_id
        nodes += graph.upsert_node(entity_id, "entity", name=entity)
        edges += graph.upsert_edge(media_id, entity_id, "mentions")
    for theme in analysis.themes:
        theme_id = _key("theme", theme.label)
        nodes += graph.upsert_node(theme_id, "theme", label=theme.label, keywords=list(theme.keywords))
        edges += graph.upsert_edge(media_id, theme_id, "has_theme", weight=theme.weight)
    for fallacy in analysis.fallacies:
        fallacy_id = _key("fallacy", f"{media.sha256}:{fallacy.type}:{fallacy.quote}")
        nodes += graph.upsert_node(fallacy_id, "fallacy", type=fallacy.type, quote=fallacy.quote)
        edges += graph.upsert_edge(speaker_id, fallacy_id, "commits_fallacy", confidence=fallacy.confidence)
    for claim in verification.claims if verification else ():
        claim_id = _key("claim", claim.text)
        nodes += graph.upsert_node(claim_id, "claim", text=claim.text, verdict=claim.verdict.value)
        edges += graph.upsert_edge(speaker_id, claim_id, "makes_claim", start_s=claim.start_s)
        for name, entity_id in entity_ids.items():
            if name in claim.text.lower():
                edges += graph.upsert_edge(claim_id, entity_id, "about")
        relation = {Verdict.SUPPORTED: "supports", Verdict.CONTRADICTED: "contradicts"}.get(claim.verdict)
        for evidence in claim.evidence[:1] if relation else ():
            source_id = _key("entity", f"source {evidence.source}")
            nodes += graph.upsert_node(source_id, "entity", name=evidence.source, role="evidence")
            edges += graph.upsert_edge(source_id, claim_id, relation or "", score=evidence.score)
    graph.save()
    return GraphWrite(
        nodes_written=nodes,
        edges_written=edges,
        nodes_total=graph.node_count,
        edges_total=graph.edge_count,
        durable=True,
    )
