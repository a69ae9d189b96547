"""``mlportfolio status``: where each project stands (template, evaluation, data, remote, work tree)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from .errors import MlportfolioError
from .portfolio import DEFAULT_DEPTH, Project, Skipped, collect_projects


@dataclass(frozen=True)
class ProjectStatus:
    """One row of ``mlportfolio status``; None means "unknown" (the note says why)."""

    path: str
    name: str
    project_type: str
    template_version: str | None
    latest_version: str | None
    update_available: bool | None
    evaluated: str | None  # the envelope's "created", UTC
    data: str | None  # "fixture" or "real"
    data_mode: str | None  # "sample" or "full"
    published: str | None  # the remote's web address
    clean: bool | None  # None when the project is not a git repository
    notes: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """The row as plain JSON-ready data."""
        row = asdict(self)
        row["notes"] = list(self.notes)
        return row


def project_status(project: Project) -> ProjectStatus:
    """The status of one collected project; nothing is changed."""
    from .update import check_update

    notes: list[str] = []
    latest: str | None = None
    available: bool | None = None
    try:
        update = check_update(project.path)
        latest, available = update.latest, update.available
    except MlportfolioError as exc:
        notes.append(f"update check: {exc}")
    evaluation = project.evaluation
    if project.problem:
        notes.append(project.problem)
    elif evaluation is None:
        notes.append("not evaluated yet")
    return ProjectStatus(
        path=str(project.path),
        name=project.name,
        project_type=project.project_type,
        template_version=project.template_version,
        latest_version=latest,
        update_available=available,
        evaluated=evaluation.created or None if evaluation else None,
        data=("fixture" if evaluation.fixture else "real") if evaluation else None,
        data_mode=evaluation.data_mode if evaluation else None,
        published=project.repo_url,
        clean=work_tree_clean(project.path),
        notes=tuple(notes),
    )


def work_tree_clean(path: Path) -> bool | None:
    """Whether the project's git work tree has no changes; None if it is not a repository."""
    if not (path / ".git").exists():
        return None
    from .gitops import run

    try:
        return not run(path, "status", "--porcelain", "--untracked-files=normal").strip()
    except MlportfolioError:
        return None


def collect_status(
    paths: Sequence[Path] = (), *, max_depth: int = DEFAULT_DEPTH
) -> tuple[list[ProjectStatus], list[Skipped]]:
    """The status of every project under ``paths`` (as ``collect_projects`` finds them)."""
    collection = collect_projects(paths, max_depth=max_depth)
    return [project_status(p) for p in collection.projects], collection.skipped
