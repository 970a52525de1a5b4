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
    # None: the default for the person's role (IDLE_LOCK_MINUTES)
    idle_lock_minutes: float | None = None


# Minutes without a key before the screen locks: clerks keep a customer's account open all day.
IDLE_LOCK_MINUTES = {"clerk": 5.0, "customer": 15.0}
IDLE_LOCK_ENV = "PAYDESK_IDLE_LOCK_SECONDS"


def idle_lock_seconds(config: Config, *, clerk: bool, env: Mapping[str, str] | None = None) -> float:
    """`PAYDESK_IDLE_LOCK_SECONDS` (tests, demos) > config.toml `idle_lock_minutes` > the role's default."""
    env = os.environ if env is None else env
    override = env.get(IDLE_LOCK_ENV, "").strip()
    if override:
        try:
            seconds = float(override)
        except ValueError:
            raise ConfigError(f"{IDLE_LOCK_ENV} must be a number of seconds, such as 300.") from None
        if seconds > 0:
            return seconds
    if config.idle_lock_minutes is not None:
        return config.idle_lock_minutes * 60
    return IDLE_LOCK_MINUTES["clerk" if clerk else "customer"] * 60


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
        idle_lock_minutes=_positive_number(data, "idle_lock_minutes", path),
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
    if config.idle_lock_minutes is not None:
        lines.append(f"idle_lock_minutes = {config.idle_lock_minutes:g}")
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
    raise ConfigError(f'In {path}, {key} must be a quoted string, such as {key} = "...".')


def _bool(data: dict, key: str, path: Path, *, default: bool) -> bool:
    value = data.get(key, default)
    if isinstance(value, bool):
        return value
    raise ConfigError(f"In {path}, {key} must be true or false.")


def _positive_number(data: dict, key: str, path: Path) -> float | None:
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise ConfigError(f"In {path}, {key} must be a number of minutes above 0, such as {key} = 5.")
    return float(value)
