"""save_setting: one top-level value changed in config.toml, everything else as the user wrote it."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

import pytest

from tui.config import ConfigError, save_setting


def test_a_new_key_goes_above_the_first_table_and_its_comment(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('# mine\nserver_url = "http://x:1"  # office\n\n# my keys\n[keymap]\nhome.pay = "p"\n')
    os.chmod(path, 0o600)
    save_setting("theme", "nord", path)
    text = path.read_text()
    assert text.index('theme = "nord"') < text.index("# my keys") < text.index("[keymap]")
    assert "# office" in text and "# mine" in text
    assert tomllib.loads(text)["keymap"] == {"home": {"pay": "p"}}
    assert path.stat().st_mode & 0o777 == 0o600, "the file keeps its permissions"


def test_an_existing_value_is_replaced_in_place(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('theme = "gruvbox"\nremember_me = false\n')
    save_setting("theme", "nord", path)
    assert path.read_text() == 'theme = "nord"\nremember_me = false\n'


def test_a_value_it_cannot_edit_safely_is_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    original = 'theme = """\nnord"""\n'
    path.write_text(original)
    with pytest.raises(ConfigError, match="set it there by hand"):
        save_setting("theme", "gruvbox", path)
    assert path.read_text() == original
    assert [p.name for p in tmp_path.iterdir()] == ["config.toml"], "no temporary file left behind"


def test_no_file_yet(tmp_path: Path) -> None:
    path = tmp_path / "new" / "config.toml"
    save_setting("theme", "nord", path)
    assert tomllib.loads(path.read_text()) == {"theme": "nord"}
