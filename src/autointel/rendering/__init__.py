"""Rendering of a bench results.json: HTML report, Markdown, terminal table, Chrome trace.

Layers: rendering only formats what results.json already holds; every number is computed by
`autointel.bench.analyze` (and `autointel.stats`). Import submodules directly: `html` and `plots`
pull in matplotlib, which the light renderers (`markdown`, `terminal`, `trace`) never need.
"""
