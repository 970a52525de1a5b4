"""Where Paydesk keeps its files, and the user's config.toml.

`PAYDESK_CONFIG_DIR` / `PAYDESK_DATA_DIR` override the platformdirs folders (tests rely on this so
nothing touches the real home folder).
"""

from __future__ import annotations

import json
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

APP_NAME = "paydesk"
CONFIG_FILE = "config.toml"


class ConfigError(Exception):
    """A config problem the user can fix; `str(err)` is one sentence saying how."""


def config_dir() -> Path:
    override = os.environ.get("PAYDESK_CONFIG_DIR")
    if override:
        return Path(override)
    import platformdirs  # lazily: only the first call pays for it

    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))


def data_dir() -> Path:
    override = os.environ.get("PAYDESK_DATA_DIR")
    if override:
        return Path(override)
    import platformdirs

    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def config_path() -> Path:
    return config_dir() / CONFIG_FILE


@dataclass
class Config:
    server_url: str | None = None
    theme: str | None = None
    remember_me: bool = True


def load_config(path: Path | None = None) -> Config:
    """Read config.toml; a missing file is the defaults, a broken one is a ConfigError."""
    path = path or config_path()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Config()
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"Cannot read the config file {path}: {exc}.") from exc
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"The config file {path} is not valid TOML ({exc}); fix it or delete it.") from exc
    return Config(
        server_url=_optional_str(data, "server_url", path),
        theme=_optional_str(data, "theme", path),
        remember_me=_bool(data, "remember_me", path, default=True),
    )


def save_config(config: Config, path: Path | None = None) -> Path:
    """Write config.toml (unset values are left out); returns where it went."""
    path = path or config_path()
    lines = ["# Paydesk settings. See `paydesk --help`."]
    for key in ("server_url", "theme"):
        value = getattr(config, key)
        if value is not None:
            # A JSON string is a valid TOML basic string for everything json.dumps emits.
            lines.append(f"{key} = {json.dumps(value, ensure_ascii=False)}")
    lines.append(f"remember_me = {'true' if config.remember_me else 'false'}")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text("\n".join(lines) + "\n", encoding="utf-8")
    os.replace(tmp, path)
    return path


def normalize_server_url(url: str, *, source: str = "The server URL") -> str:
    """Check that `url` is an http(s) URL with a host; return it without a trailing slash."""
    url = url.strip()
    try:
        parts = urlsplit(url)
        valid = parts.scheme in ("http", "https") and bool(parts.hostname)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number in range
    except ValueError:
        valid = False
    if not valid:
        raise ConfigError(
            f"{source} {url!r} is not a web address; use one such as https://paydesk.example.com "
            "or http://127.0.0.1:8765."
        )
    if parts.query or parts.fragment:
        raise ConfigError(f"{source} {url!r} must not have a query or fragment.")
    return url.rstrip("/")


def resolve_server(cli_value: str | None, env: Mapping[str, str], config: Config) -> str | None:
    """`--server` > `PAYDESK_SERVER` > config.toml `server_url`; validated; None when none is set."""
    for value, source in (
        (cli_value, "--server"),
        (env.get("PAYDESK_SERVER"), "PAYDESK_SERVER"),
        (config.server_url, f"server_url in {config_path()}"),
    ):
        if value is not None and value.strip():
            return normalize_server_url(value, source=source)
    return None


def _optional_str(data: dict, key: str, path: Path) -> str | None:
    value = data.get(key)
    if value is None or isinstance(value, str):
        return value
    raise ConfigError(f"In {path}, {key} must be a quoted string, such as {key} = \"...\".")


def _bool(data: dict, key: str, path: Path, *, default: bool) -> bool:
    value = data.get(key, default)
    if isinstance(value, bool):
        return value
    raise ConfigError(f"In {path}, {key} must be true or false.")
