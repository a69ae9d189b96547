"""The public Python API and ``python -m mlportfolio``."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import mlportfolio
from mlportfolio.create import create_project
from mlportfolio.update import check_update


def test_every_public_name_resolves_and_is_listed() -> None:
    for name in mlportfolio.__all__:
        assert getattr(mlportfolio, name) is not None
    assert mlportfolio.new_project is create_project
    assert mlportfolio.check_update is check_update


def test_importing_the_package_does_not_import_copier() -> None:
    code = (
        "import sys, mlportfolio; assert 'copier' not in sys.modules and 'git' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_python_dash_m_runs_the_cli() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "mlportfolio", "--version"],
        check=True,
        capture_output=True,
        text=True,
    )
    assert mlportfolio.__version__ in done.stdout


def test_new_project_through_the_api(tmp_path: Path) -> None:
    created = mlportfolio.new_project(
        mlportfolio.NewProject("sentiment", tmp_path / "s", defaults=True, git=False)
    )
    assert (created.path / "pyproject.toml").is_file()
    assert created.answers["project_type"] == "sentiment"
