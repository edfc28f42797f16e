"""The price table: read and checked at the edge, applied to the writing LLM's tokens."""

from __future__ import annotations

from pathlib import Path

import pytest

from autointel.errors import InputError
from autointel.llm.prices import load_prices, pricer
from autointel.preflight import check_for_run
from autointel.settings import load_settings


def test_a_priced_model_costs_its_tokens_the_local_one_nothing_an_unpriced_one_none(tmp_path: Path) -> None:
    table = tmp_path / "prices.toml"
    table.write_text('["openai/gpt-4o-mini"]\nprompt_per_million = 0.15\ncompletion_per_million = 0.6\n')
    prices = load_prices(table)
    assert pricer(prices, "openai/gpt-4o-mini")(2_000_000, 1_000_000) == pytest.approx(0.9)
    assert pricer(prices, "local")(10_000, 10_000) == 0.0
    assert pricer(prices, "openai/gpt-5")(1, 1) is None


@pytest.mark.parametrize("text, says", [
    ('{"m": {"prompt_per_million": -1, "completion_per_million": 1}}', "prompt_per_million must be a number"),
    ('{"m": {"prompt_per_million": 1}}', "exactly the fields"),
    ('{"m": {"prompt_per_million": 1, "completion_per_million": true}}', "completion_per_million"),
    ("[1, 2]", "must map model names"),
    ("{not json", "cannot be read"),
])
def test_a_bad_table_is_one_line_before_any_work(tmp_path: Path, text: str, says: str) -> None:
    table = tmp_path / "prices.json"
    table.write_text(text)
    settings = load_settings({"AUTOINTEL_LLM_PRICES": str(table)}, data_dir=tmp_path / "data")
    with pytest.raises(InputError, match=says) as caught:
        check_for_run(settings, {})
    assert "\n" not in str(caught.value) and str(table) in str(caught.value)


def test_resources_read_the_table_once_and_share_it_with_the_runs_that_borrow_their_models(tmp_path: Path) -> None:
    from autointel.engines.resources import Resources

    table = tmp_path / "prices.toml"
    table.write_text('["m"]\nprompt_per_million = 1.0\ncompletion_per_million = 2.0\n')
    settings = load_settings({"AUTOINTEL_LLM_PRICES": str(table)}, data_dir=tmp_path / "data")
    shared = Resources(settings)
    first = shared.prices()
    table.write_text('["m"]\nprompt_per_million = 9.0\ncompletion_per_million = 9.0\n')
    assert shared.prices() is first and first["m"].prompt_per_million == 1.0  # not read again
    assert Resources(settings, models_from=shared).prices() is first
    assert Resources(settings).prices()["m"].prompt_per_million == 9.0  # a new owner reads the file anew
