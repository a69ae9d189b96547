from __future__ import annotations

from pathlib import Path

import pytest

from mlportfolio.copier_adapter import applicable_questions, check_data, read_answers
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
