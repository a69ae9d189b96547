"""End to end from a non-editable install: the wheel alone must generate and update offline."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from mlportfolio.templates import CANONICAL_URL

from .helpers import fresh_clone

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("wheels")]
ROOT = Path(__file__).resolve().parents[1]


def run(cmd: list[str], cwd: Path, check: bool = True) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    result = subprocess.run(
        cmd, check=False, cwd=cwd, env=env, capture_output=True, text=True, timeout=600
    )
    if check:
        assert result.returncode == 0, f"{cmd} failed:\n{result.stdout}\n{result.stderr}"
    return result


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The ``bin`` directory of a fresh venv with mlportfolio installed from a built wheel."""
    from uv import find_uv_bin

    uv = find_uv_bin()
    work = tmp_path_factory.mktemp("install")
    # built from a clone: pip builds in the source tree, and the checkout's build/ is not ours
    source = fresh_clone(work / "src")
    run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "-w",
            str(work),
            str(source),
        ],
        work,
    )
    wheel = next(work.glob("mlportfolio-*.whl"))
    run([uv, "venv", "--quiet", "--python", sys.executable, str(work / "venv")], work)
    run([uv, "pip", "install", "--quiet", "--python", str(work / "venv"), str(wheel)], work)
    return work / "venv" / "bin"


def test_wheel_generates_a_project_that_records_a_resolvable_version(
    installed: Path, tmp_path: Path
) -> None:
    run([str(installed / "mlportfolio"), "new", "recommender", "p", "--defaults", "-q"], tmp_path)
    answers = yaml.safe_load((tmp_path / "p" / ".copier-answers.yml").read_text())
    version = run([str(installed / "mlportfolio"), "--version"], tmp_path).stdout.split()[-1]
    assert answers["_src_path"] == CANONICAL_URL
    assert answers["_commit"] == f"v{version}"
    check = run([str(installed / "mlportfolio"), "update", "p", "--check"], tmp_path)
    assert f"up to date (v{version})" in check.stdout
    # a real update against the bundle: change an answer, re-render offline
    run([str(installed / "mlportfolio"), "update", "p", "--data", "top_k=5", "--commit"], tmp_path)
    answers = yaml.safe_load((tmp_path / "p" / ".copier-answers.yml").read_text())
    assert answers["top_k"] == 5


def test_wheel_lists_types_and_exports_the_template(installed: Path, tmp_path: Path) -> None:
    listed = run([str(installed / "mlportfolio"), "list"], tmp_path).stdout
    assert "recommender" in listed
    run([str(installed / "mlportfolio"), "template", "export", "tpl"], tmp_path)
    assert (tmp_path / "tpl" / "copier.yml").is_file()
    assert (tmp_path / "tpl" / "project_types" / "recommender" / "type.yml").is_file()
    assert not (tmp_path / "tpl" / "generator").exists(), "the export is the template only"


RENDER_FROM_BUNDLE = """
import sys, copier
from mlportfolio.create import question_defaults
from mlportfolio.templates import builtin_source, git_environment
source = builtin_source()
with git_environment(source.git_env):
    copier.run_copy(source.src_path, sys.argv[1], data={"project_type": "recommender"},
                    vcs_ref=source.vcs_ref, defaults=True, quiet=True,
                    user_defaults=question_defaults("recommender"))
"""


def test_new_renders_exactly_what_copier_renders_from_the_bundle(
    installed: Path, tmp_path: Path
) -> None:
    # DEST named as the default slug: DEST's name is the slug when the project is not named
    dest = tmp_path / "a" / "movie-recommender"
    run(
        [str(installed / "mlportfolio"), "new", "recommender", str(dest), "-l", "--no-git"],
        tmp_path,
    )
    run([str(installed / "python"), "-c", RENDER_FROM_BUNDLE, str(tmp_path / "b")], tmp_path)
    a = {p.relative_to(dest): p.read_bytes() for p in dest.rglob("*") if p.is_file()}
    b = {
        p.relative_to(tmp_path / "b"): p.read_bytes()
        for p in (tmp_path / "b").rglob("*")
        if p.is_file()
    }
    assert a == b


RELEASED = "0.1.0"


@pytest.fixture(scope="module")
def released(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The ``bin`` directory of a venv with mlportfolio 0.1.0 built from its recorded commit."""
    import tomllib

    from uv import find_uv_bin

    ledger = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["mlportfolio"]
    commit = ledger["releases"][RELEASED]
    work = tmp_path_factory.mktemp("released")
    run(["git", "worktree", "add", "--detach", str(work / "src"), commit], ROOT)
    try:
        run(
            [
                sys.executable,
                "-m",
                "pip",
                "wheel",
                "-q",
                "--no-deps",
                "-w",
                str(work),
                str(work / "src"),
            ],
            work,
        )
    finally:
        run(["git", "worktree", "remove", "--force", str(work / "src")], ROOT)
    uv = find_uv_bin()
    run([uv, "venv", "--quiet", "--python", sys.executable, str(work / "venv")], work)
    wheel = next(work.glob(f"mlportfolio-{RELEASED}-*.whl"))
    run([uv, "pip", "install", "--quiet", "--python", str(work / "venv"), str(wheel)], work)
    return work / "venv" / "bin"


def files(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in root.rglob("*")
        if p.is_file() and ".git" not in p.relative_to(root).parts
    }


def test_a_project_of_the_previous_release_updates_and_keeps_the_users_edit(
    installed: Path, released: Path, tmp_path: Path
) -> None:
    old = run([str(released / "mlportfolio"), "--version"], tmp_path).stdout.split()[-1]
    assert old == RELEASED
    run([str(released / "mlportfolio"), "new", "recommender", "p", "--defaults", "-q"], tmp_path)
    project = tmp_path / "p"
    datasheet = project / "data" / "README.md"
    # below the title: a part of the datasheet that the new release leaves as it was
    title, rest = datasheet.read_text().split("\n", 1)
    datasheet.write_text(f"{title}\n\nWritten by the user.\n{rest}")
    run(
        [
            "git",
            "-c",
            "user.name=T",
            "-c",
            "user.email=t@example.org",
            "commit",
            "-qam",
            "my notes",
        ],
        project,
    )

    done = run([str(installed / "mlportfolio"), "update", "--commit"], project)
    new = run([str(installed / "mlportfolio"), "--version"], tmp_path).stdout.split()[-1]
    assert f"Updated v{RELEASED} -> v{new}" in done.stdout
    assert "Written by the user." in datasheet.read_text()
    assert run(["git", "status", "--porcelain"], project).stdout == ""
    assert "<<<<<<<" not in "".join(p.read_text(errors="replace") for p in project.rglob("*.py"))

    # every file the user did not touch is exactly what the new release makes from scratch
    # (0.1.0 named the project movie-recommender whatever DEST was; DEST's name is the slug now)
    fresh_dest = tmp_path / "fresh" / "movie-recommender"
    run(
        [str(installed / "mlportfolio"), "new", "recommender", str(fresh_dest), "-l", "-q"],
        tmp_path,
    )
    updated, fresh = files(project), files(fresh_dest)
    del updated["data/README.md"], fresh["data/README.md"]
    assert updated == fresh


def test_an_unknown_recorded_version_says_which_and_what_to_do(
    installed: Path, tmp_path: Path
) -> None:
    run([str(installed / "mlportfolio"), "new", "recommender", "p", "--defaults", "-q"], tmp_path)
    project = tmp_path / "p"
    answers = project / ".copier-answers.yml"
    text = answers.read_text()
    version = yaml.safe_load(text)["_commit"]
    answers.write_text(text.replace(f"_commit: {version}", "_commit: v0.0.9"))
    run(
        ["git", "-c", "user.name=T", "-c", "user.email=t@example.org", "commit", "-qam", "old"],
        project,
    )
    done = run([str(installed / "mlportfolio"), "update"], project, check=False)
    assert done.returncode == 1
    assert "v0.0.9" in done.stderr and f"v{RELEASED}" in done.stderr
    assert "pip install 'mlportfolio==0.0.9'" in done.stderr
