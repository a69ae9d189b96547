from __future__ import annotations

from mlportfolio.templates import template_root


def test_template_root_holds_the_copier_template() -> None:
    root = template_root()
    assert (root / "copier.yml").is_file()
    assert (root / "template").is_dir()
    assert (root / "project_types").is_dir()
