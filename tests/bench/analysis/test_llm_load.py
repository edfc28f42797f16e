"""A cell's LLM calls, summed per run and summarised over runs, and the report's table of them."""

from __future__ import annotations

from typing import Any

from autointel.bench.analysis.analyze import llm_load
from autointel.model.bench_results import LLMLoad, SessionResults
from autointel.rendering.html import render_html
from autointel.rendering.markdown import render_markdown
from tests.bench.builders import cell, results, sample, summary


def _call(queued: float, latency: float, prompt_s: float | None = 0.5) -> dict[str, Any]:
    return {"task": "verdicts", "start_s": 1.0, "queued_s": queued, "latency_s": latency, "prompt_tokens": 100,
            "completion_tokens": 40, "prompt_s": prompt_s, "generate_s": 0.3 if prompt_s is not None else None}


def test_each_run_is_summed_before_the_runs_are_summarised() -> None:
    runs = [sample(i, llm_calls=[_call(q, 2.0), _call(0.0, 1.0)]) for i, q in enumerate((1.0, 3.0, 5.0))]
    load = llm_load(runs, seed=1)
    assert load is not None and load.calls is not None and load.queued_s is not None and load.call_s is not None
    assert (load.calls.median, load.queued_s.median, load.call_s.median) == (2.0, 3.0, 3.0)
    assert load.prompt_tokens is not None and load.prompt_tokens.median == 200.0
    assert load.prompt_s is not None and load.prompt_s.median == 1.0


def test_server_timings_missing_from_one_run_are_not_guessed() -> None:
    runs = [sample(0, llm_calls=[_call(0.0, 1.0)]), sample(1, llm_calls=[_call(0.0, 1.0, prompt_s=None)])]
    load = llm_load(runs, seed=1)
    assert load is not None and load.prompt_s is None and load.call_s is not None
    assert llm_load([sample(0)], seed=1) is None  # no run called an LLM


def _session(call_s: float) -> SessionResults:
    load = LLMLoad(calls=summary(13), prompt_tokens=summary(2313), completion_tokens=summary(835),
                   queued_s=summary(40.5), call_s=summary(call_s), prompt_s=summary(9.1), generate_s=summary(20.2))
    return results([cell("all", "flow", llm=load)])


def test_the_reports_show_where_the_llm_time_went_only_when_it_took_any() -> None:
    markdown = render_markdown(_session(62.5))
    assert "## LLM calls" in markdown and "| flow | all | 13 | 2313 | 835 | 40.5" in markdown
    assert "LLM calls: tokens and where their time went" in render_html(_session(62.5))
    assert "## LLM calls" not in render_markdown(_session(0.0))  # instant profile turns: nothing to say
