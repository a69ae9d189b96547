from __future__ import annotations

from pathlib import Path

import git
import pytest

from mlportfolio.create import NewProject, create_project
from mlportfolio.errors import DestinationError, UserError
from mlportfolio.templates import export_template, template_root


def test_template_root_holds_the_copier_template() -> None:
    root = template_root()
    assert (root / "copier.yml").is_file()
    assert (root / "template").is_dir()
    assert (root / "project_types").is_dir()


def test_export_then_generate_gives_the_same_project(tmp_path: Path) -> None:
    export = tmp_path / "exported"
    tag = export_template(export)
    assert tag in git.Repo(export).git.tag().split()
    assert not git.Repo(export).is_dirty(untracked_files=True)
    data = {"author_name": "Ada", "author_email": "ada@example.org"}
    builtin = create_project(
        NewProject("recommender", tmp_path / "a" / "p", data=data, defaults=True)
    )
    custom = create_project(
        NewProject(
            "recommender", tmp_path / "b" / "p", data=data, defaults=True, template=str(export)
        )
    )
    assert tree(builtin.path) == tree(custom.path)


def test_export_refuses_a_non_empty_directory(tmp_path: Path) -> None:
    (tmp_path / "keep.txt").write_text("x")
    with pytest.raises(DestinationError):
        export_template(tmp_path)


def test_a_directory_without_copier_yml_is_not_a_template(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="not a Copier template"):
        create_project(NewProject("recommender", tmp_path / "p", template=str(tmp_path)))


def tree(root: Path) -> dict[str, str]:
    """Every file's text, minus the answers lines that name where the template came from."""
    files = {}
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root)
        if path.is_dir() or relative.parts[0] == ".git":
            continue
        text = path.read_text(encoding="utf-8")
        if path.name == ".copier-answers.yml":
            text = "\n".join(line for line in text.splitlines() if not line.startswith("_"))
        files[str(relative)] = text
    return files


def test_export_failures_are_one_line_errors_D16(tmp_path: Path) -> None:
    """D16: an existing file, a path under a file or under /proc: exit 1, one line, no dump."""
    from .conftest import run_cli

    (tmp_path / "afile").write_text("x")
    for where in (tmp_path / "afile", tmp_path / "afile" / "sub", Path("/proc/mlportfolio-nope")):
        result = run_cli("template", "export", str(where))
        assert result.exit_code in (1, 3), result.output
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr


def test_no_bytecode_is_copied_into_projects_D34(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """D34: __pycache__/*.pyc in a template (pip byte-compiles an installed one) never reach
    a project; and `--template file://...` works (a minor item of the report)."""
    monkeypatch.setenv("GIT_COMMITTER_NAME", "T")
    monkeypatch.setenv("GIT_COMMITTER_EMAIL", "t@example.org")
    exported = tmp_path / "tpl"
    export_template(exported)
    cache = exported / "template" / "src" / "{{ package_name }}" / "__pycache__"
    cache.mkdir()
    (cache / "core.cpython-311.pyc").write_bytes(b"\x00bytecode")
    repo = git.Repo(exported)
    repo.git.add("-f", "--all")
    repo.git.commit("-q", "-m", "with bytecode", author="T <t@example.org>")
    repo.create_tag("v9.0.0")
    project = create_project(
        NewProject(
            "recommender",
            tmp_path / "p",
            defaults=True,
            git=False,
            template=exported.as_uri(),
            vcs_ref="v9.0.0",
        )
    ).path
    assert (project / "pyproject.toml").is_file()
    assert list(project.rglob("*.pyc")) == []
    assert list(project.rglob("__pycache__")) == []
