"""Settings and flags: one definition, strict parsing, no caching between builds."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from autointel.settings import (
    FLAG_ENV,
    MASTER_FLAG_ENV,
    Depth,
    Flags,
    SettingsError,
    load_settings,
    parse_bool,
)


@pytest.mark.parametrize("raw", ["1", "true", "YES", "On", " true "])
def test_truthy_values(raw: str) -> None:
    assert parse_bool("X", raw) is True


@pytest.mark.parametrize("raw", ["0", "false", "No", "OFF"])
def test_falsy_values(raw: str) -> None:
    assert parse_bool("X", raw) is False


@pytest.mark.parametrize("raw", ["", "2", "enabled", "tru", "none"])
def test_other_values_are_errors_naming_the_variable(raw: str) -> None:
    with pytest.raises(SettingsError, match="ENABLE_PARALLEL_ANALYSIS"):
        Flags.from_env({"ENABLE_PARALLEL_ANALYSIS": raw})


def test_defaults_are_all_off_and_sequential() -> None:
    settings = load_settings({})
    assert settings.flags == Flags()
    assert settings.flags.name == "baseline"
    assert settings.depth is Depth.COMPREHENSIVE


def test_master_flag_turns_every_flag_on() -> None:
    flags = Flags.from_env({MASTER_FLAG_ENV: "1", "ENABLE_PARALLEL_ANALYSIS": "0"})
    assert flags == Flags(True, True, True)


def test_each_flag_reads_its_own_variable() -> None:
    for name, var in FLAG_ENV.items():
        flags = Flags.from_env({var: "true"})
        assert [n for n in FLAG_ENV if getattr(flags, n)] == [name]


def test_settings_are_rebuilt_from_the_given_environment_each_time() -> None:
    """The old system cached settings, so one combination's flags leaked into the next."""
    first = load_settings({"ENABLE_PARALLEL_ANALYSIS": "1"})
    second = load_settings({})
    assert first.flags.parallel_analysis and not second.flags.parallel_analysis


def test_cli_overrides_win_over_environment(tmp_path: Path) -> None:
    settings = load_settings({"AUTOINTEL_DATA_DIR": "/elsewhere", "AUTOINTEL_DEPTH": "deep"}, data_dir=tmp_path)
    assert settings.data_dir == tmp_path and settings.depth is Depth.DEEP


def test_data_dir_follows_xdg() -> None:
    settings = load_settings({"XDG_DATA_HOME": "/xdg"})
    assert settings.data_dir == Path("/xdg/autointel")


def test_combo_names_round_trip() -> None:
    names = {flags.name for flags in Flags.all_combinations()}
    assert len(names) == 8
    for flags in Flags.all_combinations():
        assert Flags.parse_combo(flags.name) == flags
    assert Flags.parse_combo("all") == Flags(True, True, True)
    with pytest.raises(SettingsError):
        Flags.parse_combo("analysis+warp_drive")


def test_flags_env_reproduces_flags() -> None:
    for flags in Flags.all_combinations():
        assert Flags.from_env(flags.env()) == flags


@given(st.text(max_size=12))
def test_parse_bool_accepts_exactly_the_documented_words(raw: str) -> None:
    word = raw.strip().lower()
    if word in {"1", "true", "yes", "on", "0", "false", "no", "off"}:
        assert parse_bool("X", raw) is (word in {"1", "true", "yes", "on"})
    else:
        with pytest.raises(SettingsError):
            parse_bool("X", raw)


FLAG_VARS = st.sampled_from([*FLAG_ENV.values(), MASTER_FLAG_ENV])


@given(st.dictionaries(FLAG_VARS, st.sampled_from(["1", "0", "on", "off"])))
def test_master_or_flag_property(env: dict[str, str]) -> None:
    flags = Flags.from_env(env)
    master = env.get(MASTER_FLAG_ENV) in ("1", "on")
    for name, var in FLAG_ENV.items():
        assert getattr(flags, name) == (master or env.get(var) in ("1", "on"))
