from __future__ import annotations

import os
from pathlib import Path

import pytest

from mlportfolio.copier_adapter import (
    applicable_questions,
    check_data,
    load_questions,
    read_answers,
)
from mlportfolio.errors import InvalidAnswerError, UserError
from mlportfolio.templates import template_root


def test_check_data_names_unknown_keys_with_a_suggestion() -> None:
    with pytest.raises(InvalidAnswerError, match=r"licence: no such question.*'license'"):
        check_data({"licence": "MIT"}, template_root())


def test_check_data_converts_types() -> None:
    assert check_data({"top_k": "7", "seed": 3}, template_root()) == {"top_k": 7, "seed": 3}
    with pytest.raises(InvalidAnswerError, match="top_k: expected an integer, got 'abc'"):
        check_data({"top_k": "abc"}, template_root())


def test_check_data_rejects_project_type() -> None:
    with pytest.raises(InvalidAnswerError, match="TYPE argument"):
        check_data({"project_type": "recommender"}, template_root())


def test_a_question_of_another_type_is_refused() -> None:
    with pytest.raises(InvalidAnswerError, match=r"classifier: not a question of the recommender"):
        check_data({"classifier": "logreg"}, template_root(), "recommender")
    assert check_data({"classifier": "logreg"}, template_root(), "sentiment") == {
        "classifier": "logreg"
    }


def test_computed_values_cannot_be_answered() -> None:
    with pytest.raises(InvalidAnswerError, match="type_info: no such question"):
        check_data({"type_info": "{}"}, template_root())


def test_copier_decides_which_questions_a_type_is_asked() -> None:
    recommender = applicable_questions("recommender", template_root())
    sentiment = applicable_questions("sentiment", template_root())
    assert "top_k" in recommender and "top_k" not in sentiment
    assert "classifier" in sentiment and "classifier" not in recommender
    assert "type_info" not in recommender and "project_type" not in recommender
    assert recommender["top_k"].default == 10
    assert sentiment["classifier"].choices == ("nb_logreg", "logreg", "linear_svm")


@pytest.mark.parametrize("content", [b"_src_path: [unclosed\n", b"\x00\xff\xfe", b"just text\n"])
def test_garbage_answers_files_are_one_line_errors(tmp_path: Path, content: bytes) -> None:
    """D24 (checked: fixed in 0.2.0): YAML errors and binary content are one line, exit 1."""
    (tmp_path / ".copier-answers.yml").write_bytes(content)
    with pytest.raises(UserError, match=r"\.copier-answers\.yml") as info:
        read_answers(tmp_path)
    assert "\n" not in str(info.value)


def test_forecasting_asks_for_its_horizon_and_interval_level() -> None:
    forecasting = applicable_questions("forecasting", template_root())
    assert forecasting["horizon"].default == 12
    assert forecasting["interval_level"].default == 0.9
    assert "horizon" not in applicable_questions("sentiment", template_root())
    assert check_data({"horizon": "24"}, template_root(), "forecasting") == {"horizon": 24}
    with pytest.raises(InvalidAnswerError, match=r"horizon: not a question of the recommender"):
        check_data({"horizon": 24}, template_root(), "recommender")


@pytest.mark.skipif(os.name == "nt", reason="a shell script stands in for git")
@pytest.mark.parametrize("trust", [False, True])
def test_a_render_from_plain_files_starts_no_git_process(tmp_path: Path, trust: bool) -> None:
    """Copier's per-file `git config core.fileMode` calls are skipped for a new folder.

    With --trust, a task may need the PATH as it is: git stays on it (and the check below sees
    Copier's calls, so it can fail).
    """
    import shutil

    from plumbum import local

    from mlportfolio.copier_adapter import render
    from mlportfolio.templates import TemplateSource

    from .helpers import tiny_template

    log = tmp_path / "git.log"
    spy = tmp_path / "bin" / "git"
    spy.parent.mkdir()
    spy.write_text(f'#!/bin/sh\necho "$@" >> {log}\nexec {shutil.which("git")} "$@"\n')
    spy.chmod(0o755)
    template = tiny_template(tmp_path / "template", git=False)
    with local.env(PATH=f"{spy.parent}{os.pathsep}{local.env['PATH']}"):
        answers = render(
            TemplateSource(str(template)),
            tmp_path / "project",
            {"project_type": "recommender"},
            {},
            defaults=True,
            trust=trust,
        )
    assert answers["project_name"] == "Tiny"
    assert (tmp_path / "project" / "configs" / "default.yaml").read_text() == "top_k: 10\n"
    calls = log.read_text().splitlines() if log.exists() else []
    assert bool(calls) == trust, calls


def test_questions_are_read_again_when_a_file_changes(tmp_path: Path) -> None:
    from .helpers import tiny_template

    template = tiny_template(tmp_path, git=False)
    assert "top_k" in load_questions(template) and "seed" not in load_questions(template)
    copier_yml = template / "copier.yml"
    copier_yml.write_text(copier_yml.read_text() + "seed:\n  type: int\n  default: 1\n")
    assert load_questions(template)["seed"] == {"type": "int", "default": 1}


def test_an_option_that_needs_another_is_checked_with_the_given_and_recorded_answers() -> None:
    root = template_root()
    assert check_data({"api": "true", "docker": "yes"}, root, "image") == {
        "api": True,
        "docker": True,
    }
    assert check_data({"docker": "true"}, root, "image", answers={"api": True}) == {"docker": True}
    with pytest.raises(InvalidAnswerError, match=r"^--data docker: needs api=true \(add --data"):
        check_data({"docker": "true"}, root, "image")
