"""config.toml, the folder overrides and server resolution."""

from __future__ import annotations

from pathlib import Path

import pytest

from tui.config import (
    Config,
    ConfigError,
    config_dir,
    config_path,
    data_dir,
    load_config,
    normalize_server_url,
    resolve_server,
    save_config,
)


def test_env_overrides_the_folders(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PAYDESK_CONFIG_DIR", str(tmp_path / "c"))
    monkeypatch.setenv("PAYDESK_DATA_DIR", str(tmp_path / "d"))
    assert config_dir() == tmp_path / "c"
    assert data_dir() == tmp_path / "d"
    assert config_path() == tmp_path / "c" / "config.toml"


def test_without_overrides_the_folders_follow_platformdirs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PAYDESK_CONFIG_DIR")
    monkeypatch.delenv("PAYDESK_DATA_DIR")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xc"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xd"))
    assert config_dir() == tmp_path / "xc" / "paydesk"
    assert data_dir() == tmp_path / "xd" / "paydesk"


def test_a_missing_file_is_the_defaults() -> None:
    assert not config_path().exists()
    assert load_config() == Config(server_url=None, theme=None, remember_me=True)


def test_save_then_load_round_trips() -> None:
    config = Config(server_url='https://pay.example.com/"q"', theme="nord", remember_me=False)
    path = save_config(config)
    assert path == config_path()
    assert load_config() == config


def test_load_reads_a_hand_written_file() -> None:
    config_path().parent.mkdir(parents=True)
    config_path().write_text('server_url = "http://127.0.0.1:8765"\nunknown = 1\n')
    assert load_config() == Config(server_url="http://127.0.0.1:8765")


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("server_url = http://x\n", "is not valid TOML"),
        ("server_url = 12\n", "server_url must be a quoted string"),
        ('remember_me = "yes"\n', "remember_me must be true or false"),
    ],
)
def test_a_broken_file_is_a_clear_error(text: str, says: str) -> None:
    config_path().parent.mkdir(parents=True)
    config_path().write_text(text)
    with pytest.raises(ConfigError, match=says) as info:
        load_config()
    assert str(config_path()) in str(info.value)
    assert "\n" not in str(info.value)


def test_resolve_server_order() -> None:
    config = Config(server_url="http://from-config:1")
    env = {"PAYDESK_SERVER": "http://from-env:2/"}
    assert resolve_server("http://from-cli:3", env, config) == "http://from-cli:3"
    assert resolve_server(None, env, config) == "http://from-env:2"
    assert resolve_server(None, {}, config) == "http://from-config:1"
    assert resolve_server(None, {"PAYDESK_SERVER": ""}, Config()) is None


def test_resolve_server_names_the_bad_source() -> None:
    with pytest.raises(ConfigError, match="PAYDESK_SERVER 'localhost:8765' is not a web address"):
        resolve_server(None, {"PAYDESK_SERVER": "localhost:8765"}, Config())


@pytest.mark.parametrize(
    ("url", "normal"),
    [
        ("http://127.0.0.1:8765", "http://127.0.0.1:8765"),
        ("https://pay.example.com/", "https://pay.example.com"),
        ("  https://pay.example.com/portal/ ", "https://pay.example.com/portal"),
    ],
)
def test_normalize_server_url(url: str, normal: str) -> None:
    assert normalize_server_url(url) == normal


@pytest.mark.parametrize(
    "url", ["ftp://x", "127.0.0.1:8765", "http://", "http://x:99999", "http://x/?a=1", "http://x/#f"]
)
def test_normalize_server_url_refuses(url: str) -> None:
    with pytest.raises(ConfigError):
        normalize_server_url(url)
