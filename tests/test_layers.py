"""The layers stay visible: no import cycles, the model imports nothing of the project, settings need nothing of
the engines, the pure layers stay pure, and CrewAI stays inside its adapter. Every import counts, lazy and
type-only ones included, because each is a dependency a reader has to hold in mind."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.helpers import ROOT

SRC = ROOT / "src"


def module_name(path: Path) -> str:
    parts = path.relative_to(SRC).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in (SRC / "autointel").rglob("*.py")}


def imports_of(name: str) -> set[str]:
    """Project modules `name` imports (a `from package import module` names the module)."""
    path = MODULES[name]
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                target = f"{base}.{alias.name}"
                found.add(target if target in MODULES else base)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {m for m in found if m in MODULES and m != name}


def third_party_of(name: str) -> set[str]:
    tree = ast.parse(MODULES[name].read_text(encoding="utf-8"))
    roots = {n.module.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
    roots |= {a.name.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    return roots


GRAPH = {name: imports_of(name) for name in MODULES}


def test_no_module_imports_itself_in_a_circle() -> None:
    seen: dict[str, int] = {}  # 1 in progress, 2 done

    def visit(node: str, trail: list[str]) -> None:
        seen[node] = 1
        for nxt in sorted(GRAPH[node]):
            if seen.get(nxt) == 1:
                pytest.fail("import cycle: " + " -> ".join([*trail[trail.index(nxt):], nxt]))
            if nxt not in seen:
                visit(nxt, [*trail, nxt])
        seen[node] = 2

    for start in sorted(GRAPH):
        if start not in seen:
            visit(start, [start])


def in_package(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


@pytest.mark.parametrize(("layer", "allowed"), [
    ("autointel.model", ()),
    ("autointel.stats", ("autointel.model",)),
    ("autointel.errors", ()),
    ("autointel.urls", ()),
    ("autointel.settings", ("autointel.model", "autointel.errors", "autointel.faults")),
    ("autointel.faults", ("autointel.errors",)),
    # the harness's analysis reads samples and options, never the parts that run, schedule or measure
    ("autointel.bench.analysis", ("autointel.model", "autointel.stats", "autointel.settings", "autointel.errors",
                                  "autointel.faults", "autointel.measurement.redact", "autointel.urls",
                                  "autointel.monitoring", "autointel.bench.options")),
])
def test_lower_layers_import_only_what_is_below_them(layer: str, allowed: tuple[str, ...]) -> None:
    inside = [m for m in MODULES if in_package(m, layer)]
    upward = {(m, d) for m in inside for d in GRAPH[m]
              if not in_package(d, layer) and not any(in_package(d, a) for a in allowed)}
    assert sorted(upward) == []


@pytest.mark.parametrize(("layer", "forbidden"), [
    ("autointel.phases", ("autointel.engines", "autointel.bench", "autointel.rendering", "autointel.evaluation",
                          "autointel.cli")),
    ("autointel.memory", ("autointel.engines", "autointel.phases", "autointel.bench", "autointel.rendering")),
    ("autointel.rendering", ("autointel.engines", "autointel.phases", "autointel.memory", "autointel.cli",
                             "autointel.bench", "autointel.report_cli")),
    ("autointel.evaluation", ("autointel.rendering", "autointel.cli", "autointel.bench")),
])
def test_no_layer_reaches_up(layer: str, forbidden: tuple[str, ...]) -> None:
    inside = [m for m in MODULES if in_package(m, layer)]
    upward = {(m, d) for m in inside for d in GRAPH[m] if any(in_package(d, f) for f in forbidden)}
    assert sorted(upward) == []


HARNESS_CORE = ("autointel.bench.pipeline", "autointel.bench.measure", "autointel.bench.worker",
                "autointel.bench.session", "autointel.bench.schedule", "autointel.bench.heap",
                "autointel.bench.samples", "autointel.bench.report", "autointel.bench.analysis")
PIPELINE_PARTS = ("autointel.engines", "autointel.phases", "autointel.memory", "autointel.llm",
                  "autointel.bench.autointel_pipeline", "autointel.bench.evidence", "autointel.bench.dag_bound",
                  "autointel.bench.synthetic", "autointel.bench.targets", "autointel.settings")


def test_the_harness_core_knows_no_pipeline() -> None:
    """The harness runs, measures and judges any pipeline through `bench.pipeline`: autointel's own reaches it only
    through its adapter (`bench.autointel_pipeline`), which the pytest fixture picks by default."""
    inside = [m for m in MODULES if any(in_package(m, core) for core in HARNESS_CORE)]
    reaching = {(m, d) for m in inside for d in GRAPH[m] if any(in_package(d, p) for p in PIPELINE_PARTS)}
    assert sorted(reaching) == []


def test_crewai_is_imported_only_by_its_adapter() -> None:
    """CrewAI is imported by the adapter package, and by the provider guard only for type checking."""
    outside = [m for m in MODULES if "crewai" in third_party_of(m)
               and not in_package(m, "autointel.engines.crewai_adapter") and m != "autointel.llm.guard"]
    assert outside == []
