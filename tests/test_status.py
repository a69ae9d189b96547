"""``status``: template version and updates, evaluation, data, remote, work tree."""

from __future__ import annotations

from pathlib import Path

import git

import mlportfolio
from mlportfolio.status import collect_status
from tests.helpers import git_save
from tests.portfolio_helpers import ENVELOPE, envelope, make_project


def _real_data() -> dict[str, object]:
    return envelope(data={**ENVELOPE["data"], "fixture": False, "mode": "full"})


def test_status_of_a_published_evaluated_repository(tmp_path: Path) -> None:
    git.Git().config("--global", "user.name", "Tester")
    git.Git().config("--global", "user.email", "tester@example.com")
    path = make_project(tmp_path, "recs", metrics=_real_data(), answers={"_commit": "v0.1.0"})
    git_save(path, "first")
    with git.Repo(path) as repo:
        repo.create_remote("origin", "git@github.com:ada/recs.git")

    [row], skipped = collect_status([tmp_path])

    assert skipped == []
    assert row.name == "Recs" and row.project_type == "sentiment"
    assert row.template_version == "v0.1.0"
    assert row.latest_version == f"v{mlportfolio.__version__}" and row.update_available is True
    assert row.evaluated == "2026-11-29T12:00:00Z"
    assert (row.data, row.data_mode) == ("real", "full")
    assert row.published == "https://github.com/ada/recs"
    assert row.clean is True and row.notes == ()

    (path / "notes.txt").write_text("draft", encoding="utf-8")
    [row], _ = collect_status([tmp_path])
    assert row.clean is False


def test_status_of_a_fresh_folder_without_git_or_metrics(tmp_path: Path) -> None:
    make_project(tmp_path, "fresh", answers={"_commit": f"v{mlportfolio.__version__}"})
    [row], _ = collect_status([tmp_path])
    assert row.update_available is False
    assert (row.evaluated, row.data, row.published, row.clean) == (None, None, None, None)
    assert row.notes == ("not evaluated yet",)


def test_status_reports_what_it_cannot_know(tmp_path: Path) -> None:
    path = make_project(tmp_path, "odd", metrics="{", answers={"_src_path": "not a template"})
    (path / ".copier-answers.yml").write_text(
        (path / ".copier-answers.yml").read_text(encoding="utf-8").replace("_commit: v0.2.0\n", ""),
        encoding="utf-8",
    )
    [row], _ = collect_status([tmp_path])
    assert row.update_available is None and row.template_version is None
    assert any("update check" in note and "_commit" in note for note in row.notes)
    assert any("not valid JSON" in note for note in row.notes)
