from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from mlportfolio.config import config_path, load_user_config, set_default
from mlportfolio.create import NewProject, create_project

from .conftest import run_cli


@pytest.fixture(autouse=True)
def user_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "cfg" / "config.yml"
    monkeypatch.setenv("MLPORTFOLIO_CONFIG", str(path))
    return path


def test_round_trip(user_config: Path) -> None:
    assert run_cli("config", "set", "author_name", "Ada Lovelace").exit_code == 0
    assert run_cli("config", "set", "top_k", "20").exit_code == 0
    assert run_cli("config", "get", "author_name").stdout.strip() == "Ada Lovelace"
    assert load_user_config() == {"author_name": "Ada Lovelace", "top_k": 20}
    listed = run_cli("config", "list").stdout
    assert "author_name = 'Ada Lovelace'" in listed and "top_k = 20" in listed
    assert run_cli("config", "path").stdout.strip() == str(user_config)
    assert run_cli("config", "unset", "top_k").exit_code == 0
    assert load_user_config() == {"author_name": "Ada Lovelace"}


def test_set_checks_the_key_and_the_value() -> None:
    bad_key = run_cli("config", "set", "licence", "MIT")
    assert bad_key.exit_code == 1 and "did you mean 'license'" in bad_key.stderr
    bad_value = run_cli("config", "set", "top_k", "many")
    assert bad_value.exit_code == 1 and "expected an integer" in bad_value.stderr
    assert not config_path().exists()


def test_get_of_an_unset_key_fails() -> None:
    result = run_cli("config", "get", "author_name")
    assert result.exit_code == 1 and "not set" in result.stderr


def test_a_broken_file_is_one_line(user_config: Path) -> None:
    user_config.parent.mkdir(parents=True)
    user_config.write_text("defaults: [unclosed\n")
    result = run_cli("config", "list")
    assert result.exit_code == 1 and "not valid YAML" in result.stderr


def test_defaults_are_used_by_new_and_data_wins(tmp_path: Path) -> None:
    set_default("author_name", "Ada Lovelace")
    set_default("license", "Apache-2.0")
    path = create_project(
        NewProject("recommender", tmp_path / "p", data={"license": "BSD-3-Clause"}, defaults=True)
    ).path
    answers = yaml.safe_load((path / ".copier-answers.yml").read_text())
    assert answers["author_name"] == "Ada Lovelace"
    assert answers["license"] == "BSD-3-Clause"


def test_an_unwritable_or_directory_config_path_is_one_line_D21(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """D21: a config path that is a folder, or under a file, is exit 1 with one line."""
    (tmp_path / "afile").write_text("x")
    for path in (tmp_path, tmp_path / "afile" / "config.yml"):
        monkeypatch.setenv("MLPORTFOLIO_CONFIG", str(path))
        result = run_cli("config", "set", "license", "MIT")
        assert result.exit_code == 1, result.output
        assert len(result.stderr.strip().splitlines()) == 1


def test_a_binary_config_file_is_one_line(user_config: Path) -> None:
    user_config.parent.mkdir(parents=True)
    user_config.write_bytes(b"\x00\xff\xfe")
    result = run_cli("config", "list")
    assert result.exit_code == 1 and "not valid YAML" in result.stderr
