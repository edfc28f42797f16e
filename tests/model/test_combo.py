"""A pipeline's flags as the harness names them: parsing, names, the matrix and autointel's own flags."""

from __future__ import annotations

import pytest

from autointel.model.combo import ComboError, FlagSpace
from autointel.settings import AUTOINTEL_FLAGS, Flags

SPACE = FlagSpace(factors=("cache", "prefetch"), extras=("compress",), engines=("serial", "threads"),
                  reference_engine="serial")


def test_names_follow_the_space_order_and_all_covers_the_factors() -> None:
    assert SPACE.parse("compress+prefetch").name == "prefetch+compress"
    assert SPACE.parse("prefetch+cache").name == "all"
    assert SPACE.parse("all+compress").name == "all+compress"
    assert SPACE.parse("compress").name == "compress"
    assert SPACE.parse("none") == SPACE.parse("baseline") == SPACE.baseline
    assert SPACE.baseline.name == "baseline"


def test_the_matrix_spans_the_factors_only_baseline_first() -> None:
    assert [c.name for c in SPACE.matrix()] == ["baseline", "prefetch", "cache", "all"]
    assert SPACE.parse_list("all,cache") == (SPACE.baseline, SPACE.parse("all"), SPACE.parse("cache"))


def test_an_extra_is_judged_against_its_twin_without_it() -> None:
    combo = SPACE.parse("cache+compress")
    assert combo.optimised and combo.reference == SPACE.parse("cache")
    assert not SPACE.parse("all").optimised
    assert combo.values() == {"cache": True, "prefetch": False, "compress": True}
    assert combo.factor_values() == (True, False)


@pytest.mark.parametrize("text", ["cache+nope", "", "+", "analysis"])
def test_unknown_flags_name_the_ones_the_pipeline_has(text: str) -> None:
    with pytest.raises(ComboError, match="cache"):
        SPACE.parse(text)


def test_engines_are_checked_against_the_pipeline() -> None:
    from autointel.bench.options import BenchOptions, parse_engines

    options = BenchOptions(combos=SPACE.parse_list("cache"), engines=parse_engines("threads, serial"))
    assert options.engines == ("threads", "serial")
    with pytest.raises(ValueError, match="unknown engine"):
        BenchOptions(combos=SPACE.parse_list("cache"), engines=parse_engines("pipeline"))


@pytest.mark.parametrize("kwargs", [
    {"factors": ("all",)}, {"factors": ("a", "a")}, {"factors": ("Bad-Name",)},
    {"factors": ("a",), "extras": ("a",)}, {"factors": ("a",), "engines": ()},
    {"factors": ("a",), "reference_engine": "other"},
])
def test_a_flag_space_that_cannot_be_named_is_refused(kwargs: dict[str, object]) -> None:
    with pytest.raises(ComboError):
        FlagSpace(**kwargs)  # type: ignore[arg-type]


def test_autointel_flags_name_their_combinations_as_before() -> None:
    for flags in Flags.all_combinations():
        assert Flags.from_combo(flags.combo()) == flags
    assert [f.name for f in Flags.all_combinations()] == [c.name for c in AUTOINTEL_FLAGS.matrix()]
    assert Flags.parse_combo("all+batched_vector_writes").combo().reference.name == "all"
    assert Flags.parse_combo("streaming_transcription").combo().reference == AUTOINTEL_FLAGS.baseline
    with pytest.raises(ValueError, match="not of autointel's flags"):
        Flags.from_combo(SPACE.baseline)
