"""Where Paydesk keeps its files, and the user's config.toml.

`PAYDESK_CONFIG_DIR` / `PAYDESK_DATA_DIR` override the platformdirs folders (tests rely on this so
nothing touches the real home folder).
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
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
    # [keymap]: binding id -> keys, as written (tui/keymap.py checks them against the app's bindings)
    keymap: dict[str, str] = field(default_factory=dict)
    # What was wrong in [keymap] and left out: a warning at start, never a reason to fail.
    keymap_problems: tuple[str, ...] = ()


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
    import tomllib  # only with a file to read: every start without one skips the import

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"The config file {path} is not valid TOML ({exc}); fix it or delete it.") from exc
    return Config(
        server_url=_optional_str(data, "server_url", path),
        theme=_optional_str(data, "theme", path),
        remember_me=_bool(data, "remember_me", path, default=True),
        idle_lock_minutes=_positive_number(data, "idle_lock_minutes", path),
        **_keymap(data),
    )


def save_config(config: Config, path: Path | None = None) -> Path:
    """Write config.toml (unset values are left out); returns where it went."""
    import json

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


def save_setting(key: str, value: str, path: Path | None = None) -> Path:
    """Set one top-level string setting (such as `theme`) in config.toml, keeping the rest of the
    file as the user wrote it: their other keys, tables and comments. Written atomically.

    tomllib only reads, so the line is edited as text; the result is read back and must say exactly
    what the old file said plus this one value, or nothing is written (ConfigError).
    """
    path = path or config_path()
    try:
        old_text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        old_text = ""
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"Cannot read the config file {path}: {exc}.") from exc
    import tomllib

    try:
        old = tomllib.loads(old_text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"The config file {path} is not valid TOML ({exc}); fix it or delete it.") from exc
    new_text = _with_setting(old_text, key, value)
    try:
        new = tomllib.loads(new_text)
    except tomllib.TOMLDecodeError:
        new = None
    if new != {**old, key: value}:
        raise ConfigError(f"Could not save {key} in {path} without changing the rest; set it there by hand.")
    _write_atomically(path, new_text)
    return path


_TOP_LEVEL_KEY = re.compile(r"^\s*(?P<key>[A-Za-z0-9_-]+|\"[^\"]*\"|'[^']*')\s*=")
_TABLE_HEADER = re.compile(r"^\s*\[")


def _with_setting(text: str, key: str, value: str) -> str:
    """`text` with `key = "value"` replacing the top-level line that sets `key`, or added before the
    first table (a key after a [table] header would belong to that table)."""
    import json

    line = f"{key} = {json.dumps(value, ensure_ascii=False)}"
    lines = text.splitlines()
    first_table = len(lines)
    for index, current in enumerate(lines):
        if _TABLE_HEADER.match(current):
            first_table = index
            break
        match = _TOP_LEVEL_KEY.match(current)
        if match and match.group("key").strip("\"'") == key:
            lines[index] = line
            return "\n".join(lines) + "\n"
    insert_at = first_table
    if first_table < len(lines):
        # a comment right above a table belongs to that table
        while insert_at > 0 and lines[insert_at - 1].lstrip().startswith("#"):
            insert_at -= 1
    while insert_at > 0 and not lines[insert_at - 1].strip():
        insert_at -= 1
    lines.insert(insert_at, line)
    return "\n".join(lines) + "\n"


def _write_atomically(path: Path, text: str) -> None:
    """Write a temporary file beside `path` and rename it over: a crash leaves the old file or the new
    one, never half of one. The file keeps its permissions."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        mode: int | None = path.stat().st_mode & 0o777
    except FileNotFoundError:
        mode = None
    import tempfile

    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as tmp:
            tmp.write(text)
            tmp.flush()
            os.fsync(tmp.fileno())
        if mode is not None:
            os.chmod(tmp_name, mode)
        os.replace(tmp_name, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp_name)
        raise


def start_theme(
    option: str | None, saved: str | None, available: Collection[str], env: Mapping[str, str] | None = None
) -> str | None:
    """The theme to set at start, or None for Textual's own choice: `--theme` > TEXTUAL_THEME (Textual
    reads it itself) > config.toml's `theme`. An unknown `--theme` is a ValueError; an unknown saved
    theme (one that is gone) is not worth failing over."""
    env = os.environ if env is None else env
    if option is not None:
        if option not in available:
            names = ", ".join(sorted(available))
            raise ValueError(f"there is no theme {option!r}; choose one of: {names}.")
        return option
    if env.get("TEXTUAL_THEME", "") in available:
        return None
    return saved if saved in available else None


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


def _keymap(data: dict) -> dict:
    """[keymap] as written: string values kept, the rest named in `keymap_problems`.

    Binding ids have dots, which TOML reads as nested tables (`home.pay = "p"` is {"home": {"pay": "p"}}):
    the nesting is joined back into the id, so both `home.pay = "p"` and `"home.pay" = "p"` work.
    """
    table = data.get("keymap")
    if table is None:
        return {}
    if not isinstance(table, dict):
        return {"keymap_problems": ('keymap must be a table: a [keymap] line, then lines such as a = "b"',)}
    keymap: dict[str, str] = {}
    problems: list[str] = []

    def walk(prefix: str, node: dict) -> None:
        for name, keys in node.items():
            binding_id = f"{prefix}{name}"
            if isinstance(keys, dict):
                walk(f"{binding_id}.", keys)
            elif isinstance(keys, str):
                keymap[binding_id] = keys
            else:
                problems.append(f'{binding_id} must be a quoted string of keys, such as "ctrl+p"')

    walk("", table)
    return {"keymap": keymap, "keymap_problems": tuple(problems)}


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
