from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from mlportfolio.config import config_path, load_user_config, set_default
from mlportfolio.create import NewProject, create_project
from mlportfolio.errors import InvalidAnswerError, UserError

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


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("license", "GPL", "config set license: Invalid choice.*GPL"),
        ("author_email", "notanemail", "config set author_email: .*name@example.com"),
        ("top_k", "0", "config set top_k: .*between 1 and 100"),
        ("classifier", "nope", "config set classifier: .*'nope'"),
        ("foo", "bar", "^error: config set foo: no such question"),
        ("project_name", "X", "config set project_name: differs for every project"),
        ("package_name", "x", "config set package_name: differs for every project"),
    ],
)
def test_set_refuses_what_the_template_would_refuse(key: str, value: str, message: str) -> None:
    result = run_cli("config", "set", key, value)
    assert result.exit_code == 1 and len(result.stderr.splitlines()) == 1
    assert re.search(message, result.stderr), result.stderr
    assert "--data" not in result.stderr.split("(")[0]
    assert not config_path().exists()


def test_set_accepts_a_question_of_any_type() -> None:
    assert run_cli("config", "set", "classifier", "linear_svm").exit_code == 0
    assert load_user_config() == {"classifier": "linear_svm"}


def write_config(user_config: Path, defaults: dict[str, object]) -> None:
    user_config.parent.mkdir(parents=True, exist_ok=True)
    user_config.write_text(yaml.safe_dump({"defaults": defaults}))


def test_new_names_the_file_and_key_of_a_bad_stored_value(
    user_config: Path, tmp_path: Path
) -> None:
    write_config(user_config, {"author_email": "bad"})  # e.g. stored by an older version
    with pytest.raises(InvalidAnswerError, match=r"author_email.*comes from .*config\.yml"):
        create_project(NewProject("recommender", tmp_path / "p", defaults=True, git=False))
    # given on the command line, the stored value is not to blame
    with pytest.raises(InvalidAnswerError) as raised:
        create_project(
            NewProject("recommender", tmp_path / "p", {"author_email": "x"}, defaults=True)
        )
    assert "config.yml" not in str(raised.value)


def test_new_refuses_a_stored_per_project_key(user_config: Path, tmp_path: Path) -> None:
    write_config(user_config, {"project_name": "X"})
    with pytest.raises(UserError, match=r"config\.yml: project_name .*config unset project_name"):
        create_project(NewProject("recommender", tmp_path / "p", defaults=True, git=False))
    assert not (tmp_path / "p").exists()


def test_list_says_when_nothing_is_set(user_config: Path) -> None:
    assert (
        run_cli("config", "list").stdout.strip()
        == f"no defaults set (they would be in {user_config})"
    )


def test_set_help_lists_every_common_key() -> None:
    from mlportfolio.config import PER_PROJECT
    from mlportfolio.copier_adapter import is_computed, load_questions
    from mlportfolio.templates import template_root

    help_text = run_cli("config", "set", "--help").stdout
    for name, spec in load_questions(template_root()).items():
        if name != "project_type" and not is_computed(spec) and "when" not in spec:
            assert name in help_text
    assert all(key in help_text for key in PER_PROJECT)


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
