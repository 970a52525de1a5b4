"""How long without a key before the screen locks: the role's default, config.toml, the variable."""

from __future__ import annotations

from pathlib import Path

import pytest

from tui.config import Config, ConfigError, idle_lock_seconds, load_config, save_config


def test_defaults_are_5_minutes_for_clerks_and_15_for_customers() -> None:
    assert idle_lock_seconds(Config(), clerk=True, env={}) == 300
    assert idle_lock_seconds(Config(), clerk=False, env={}) == 900


def test_config_minutes_then_the_variable_override_both_roles() -> None:
    config = Config(idle_lock_minutes=2)
    assert idle_lock_seconds(config, clerk=True, env={}) == 120
    assert idle_lock_seconds(config, clerk=False, env={}) == 120
    env = {"PAYDESK_IDLE_LOCK_SECONDS": "3"}
    assert idle_lock_seconds(config, clerk=True, env=env) == 3
    assert idle_lock_seconds(Config(), clerk=False, env=env) == 3


def test_a_bad_variable_says_how_to_fix_it() -> None:
    with pytest.raises(ConfigError, match="number of seconds"):
        idle_lock_seconds(Config(), clerk=True, env={"PAYDESK_IDLE_LOCK_SECONDS": "soon"})


def test_idle_lock_minutes_is_read_and_written(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    save_config(Config(theme="nord", idle_lock_minutes=7.5), path)
    assert load_config(path).idle_lock_minutes == 7.5
    path.write_text("idle_lock_minutes = 0\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="above 0"):
        load_config(path)
    path.write_text('idle_lock_minutes = "five"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="minutes"):
        load_config(path)
