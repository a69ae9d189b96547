"""``mlportfolio portfolio`` and ``mlportfolio status`` on the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import mlportfolio
from tests.conftest import run_cli
from tests.portfolio_helpers import envelope, make_project, tiny_png


def _projects(root: Path) -> Path:
    make_project(root, "good", name="Good Model", metrics=envelope(), figures={"a.png": tiny_png()})
    make_project(root, "fresh", name="Fresh Project")
    make_project(root, "broken", name="Broken Metrics", metrics="[")
    (root / "not-a-project").mkdir()
    return root


def test_portfolio_builds_the_site_in_site_by_default(in_tmp: Path) -> None:
    _projects(in_tmp / "code")
    result = run_cli("portfolio", "code", str(in_tmp / "code" / "not-a-project"))
    assert result.exit_code == 0, result.output
    assert "Wrote 3 projects to site/index.html" in result.stdout
    assert "skipped" in result.stderr and "not-a-project" in result.stderr
    assert "warning:" in result.stderr and "not valid JSON" in result.stderr
    index = (in_tmp / "site" / "index.html").read_text(encoding="utf-8")
    assert index.count('<li class="card">') == 3


def test_portfolio_markdown_needs_a_file_and_updates_it_in_place(in_tmp: Path) -> None:
    _projects(in_tmp / "code")
    missing = run_cli("portfolio", "code", "--format", "markdown")
    assert missing.exit_code == 2 and "--output FILE" in missing.stderr

    readme = in_tmp / "README.md"
    readme.write_text("# Me\n", encoding="utf-8")
    first = run_cli("portfolio", "code", "--format", "markdown", "-o", "README.md")
    assert first.exit_code == 0 and "Wrote 3 projects in README.md" in first.stdout
    again = run_cli("portfolio", "code", "--format", "markdown", "-o", "README.md")
    assert "Unchanged: 3 projects" in again.stdout
    assert readme.read_text(encoding="utf-8").startswith("# Me\n\n<!-- portfolio:start -->")


def test_portfolio_init_pages_writes_the_workflow_for_the_site_folder(in_tmp: Path) -> None:
    _projects(in_tmp / "code")
    result = run_cli("portfolio", "code", "-o", "docs", "--init-pages")
    assert result.exit_code == 0, result.output
    workflow = in_tmp / ".github" / "workflows" / "pages.yml"
    assert "path: docs\n" in workflow.read_text(encoding="utf-8")

    outside = run_cli(
        "portfolio", "code", "-o", str(in_tmp.parent / f"{in_tmp.name}-site"), "--init-pages"
    )
    assert outside.exit_code == 1 and "must be inside this repository" in outside.stderr
    assert not (in_tmp.parent / f"{in_tmp.name}-site").exists()  # refused before building


def test_portfolio_errors_are_one_line(in_tmp: Path) -> None:
    nothing = run_cli("portfolio", str(in_tmp))
    assert nothing.exit_code == 1 and "no mlportfolio projects found" in nothing.stderr
    _projects(in_tmp / "code")
    (in_tmp / "mine").mkdir()
    (in_tmp / "mine" / "keep.txt").write_text("x", encoding="utf-8")
    refused = run_cli("portfolio", "code", "-o", "mine")
    assert refused.exit_code == 1 and "not empty" in refused.stderr
    assert [line for line in refused.stderr.splitlines() if line.startswith("error:")] == [
        refused.stderr.splitlines()[-1]
    ]
    wrong = run_cli("portfolio", "code", "--format", "markdown", "-o", "x.md", "--serve")
    assert wrong.exit_code == 2 and "--serve and --init-pages" in wrong.stderr


def test_status_cli_table_and_json(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    current = {"_commit": f"v{mlportfolio.__version__}"}  # made by this version: no update
    make_project(tmp_path, "recs", name="[bold]Recs[/bold]", metrics=envelope(), answers=current)
    (tmp_path / "plain").mkdir()

    table = run_cli("status", str(tmp_path / "recs"), str(tmp_path / "plain"))
    assert table.exit_code == 0, table.output
    assert "[bold]Recs[/bold]" in table.stdout  # a name is text, never rich markup
    assert "fixture (sample)" in table.stdout and "2026-11-29T12:00:00Z" in table.stdout
    assert "skipped" in table.stderr and "plain" in table.stderr

    as_json = run_cli("status", "--json", str(tmp_path))
    assert as_json.exit_code == 0
    document = json.loads(as_json.stdout)
    [row] = document["projects"]
    assert row["data"] == "fixture" and row["update_available"] is False
    assert document["skipped"] == []


def test_status_cli_without_projects_is_a_user_error(tmp_path: Path) -> None:
    result = run_cli("status", str(tmp_path))
    assert result.exit_code == 1
    assert "no mlportfolio projects found" in result.stderr
