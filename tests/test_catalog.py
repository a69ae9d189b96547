from __future__ import annotations

from pathlib import Path

import pytest

from mlportfolio.catalog import get_project_type, load_catalog
from mlportfolio.copier_adapter import load_questions
from mlportfolio.errors import MlportfolioError, UnknownProjectTypeError
from mlportfolio.templates import template_root


def test_every_project_type_directory_is_in_the_catalog() -> None:
    directories = {p.name for p in (template_root() / "project_types").iterdir() if p.is_dir()}
    assert set(load_catalog()) == directories
    assert "recommender" in directories


def test_every_type_is_a_choice_of_the_project_type_question() -> None:
    choices = load_questions(template_root())["project_type"]["choices"]
    assert set(choices.values()) == set(load_catalog())


def test_type_questions_are_gated_on_their_type() -> None:
    for path in (template_root() / "project_types").glob("*/questions.yml"):
        text = path.read_text(encoding="utf-8")
        names = [line.split(":")[0] for line in text.splitlines() if line and line[0].isalpha()]
        gate = f"when: \"{{{{ project_type == '{path.parent.name}' }}}}\""
        assert text.count(gate) == len(names), f"{path}: every question needs {gate}"


def test_unknown_type_suggests_the_close_one() -> None:
    with pytest.raises(UnknownProjectTypeError, match="did you mean 'recommender'"):
        get_project_type("recomender")


def test_an_alias_names_its_type() -> None:
    assert get_project_type("sentiment-analysis").name == "sentiment"
    with pytest.raises(UnknownProjectTypeError, match="did you mean 'sentiment-analysis'"):
        get_project_type("sentiment-analysys")


def test_no_name_stands_for_two_types() -> None:
    names = [name for t in load_catalog().values() for name in (t.name, *t.aliases)]
    assert len(names) == len(set(names))


def test_unknown_type_lists_known_types() -> None:
    with pytest.raises(UnknownProjectTypeError, match=r"known types: .*recommender"):
        get_project_type("zzz")


def test_malformed_type_file_is_named(tmp_path: Path) -> None:
    (tmp_path / "project_types" / "broken").mkdir(parents=True)
    (tmp_path / "project_types" / "broken" / "type.yml").write_text("title: Broken\n")
    with pytest.raises(MlportfolioError, match=r"broken/type.yml is malformed"):
        load_catalog(tmp_path)
