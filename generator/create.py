"""``mlportfolio new``: render the template for one project type into a fresh git repository."""

from __future__ import annotations

import logging
import re
import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import copier_adapter, gitops
from .catalog import get_project_type
from .config import load_user_config
from .errors import DestinationError, Interrupted, MlportfolioError, UserError
from .templates import (
    TemplateSource,
    builtin_source,
    check_git_value,
    plain_copy_source,
    template_root,
)

log = logging.getLogger(__name__)

SLUG_PATTERN = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True)
class NewProject:
    """What ``mlportfolio new`` was asked to make."""

    project_type: str
    destination: Path | None = None
    data: Mapping[str, Any] = field(default_factory=dict)
    defaults: bool = False
    force: bool = False
    git: bool = True
    template: str | None = None
    vcs_ref: str | None = None
    trust: bool = False


@dataclass(frozen=True)
class Created:
    """What ``mlportfolio new`` made."""

    path: Path
    answers: Mapping[str, Any]
    commit: str | None


def slugify(name: str) -> str:
    """Turn a human project name into a directory and repository name."""
    return SLUG_PATTERN.sub("-", name.strip().lower()).strip("-")


GIT_DEFAULTS = {
    "author_name": "user.name",
    "author_email": "user.email",
    "github_user": "github.user",
}


def question_defaults(project_type: str, root: Path | None = None) -> dict[str, Any]:
    """Defaults for the questions: the type's project name, git identity, then the user config."""
    defaults: dict[str, Any] = {}
    if root is None or (root / "project_types" / project_type / "type.yml").is_file():
        known = get_project_type(project_type, root)
        defaults["project_name"] = known.default_project_name
        if known.default_description:
            defaults["description"] = known.default_description
    from_git = gitops.global_config(*GIT_DEFAULTS.values())
    defaults |= {
        key: from_git[git_key] for key, git_key in GIT_DEFAULTS.items() if git_key in from_git
    }
    return defaults | load_user_config()


def create_project(request: NewProject) -> Created:
    """Generate a project as ``request`` says and return where it went.

    The template is rendered (and committed) in a temporary sibling of the destination and
    moved into place only when complete, so an error or Ctrl-C leaves nothing half-made.
    """
    source, local_root = _template_of(request)
    if local_root is not None and (local_root / "project_types").is_dir():
        get_project_type(request.project_type, local_root)
    checked = (
        copier_adapter.check_data(request.data, local_root, request.project_type)
        if local_root
        else dict(request.data)
    )
    data = {**checked, "project_type": request.project_type}
    user_defaults = question_defaults(request.project_type, local_root)
    # Without DEST the directory is named after the answered slug, which a prompt may change:
    # check the default's now (no point asking questions for a taken name), the answer's later.
    destination = _resolve_destination(request, {**user_defaults, **data})
    _check_destination(destination, force=request.force)
    if request.git:
        gitops.require_git()

    destination.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".mlportfolio-", dir=destination.parent))
    try:
        answers = _render(
            source,
            staging / "project",
            data,
            user_defaults,
            defaults=request.defaults,
            trust=request.trust,
        )
        if request.destination is None:
            destination = _resolve_destination(request, answers)
            _check_destination(destination, force=request.force)
        commit = None
        if request.git and not (destination / ".git").exists():
            commit = gitops.init_and_commit(
                staging / "project",
                f"Create {answers.get('project_name', destination.name)} from mlportfolio's "
                f"{request.project_type} template",
                author=(
                    str(answers.get("author_name", gitops.FALLBACK_IDENTITY[0])),
                    str(answers.get("author_email", gitops.FALLBACK_IDENTITY[1])),
                ),
            )
        _move_into_place(staging / "project", destination)
    except KeyboardInterrupt as exc:
        raise Interrupted("interrupted: nothing was written") from exc
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return Created(path=destination, answers=answers, commit=commit)


def _template_of(request: NewProject) -> tuple[TemplateSource, Path | None]:
    """The template to render and, unless it is a remote URL, the local root to check against."""
    if request.vcs_ref is not None:
        check_git_value(request.vcs_ref, "--vcs-ref", ref=True)
    if request.template is None:
        return builtin_source(), template_root()
    check_git_value(request.template, "--template")
    template = request.template
    if template.startswith("file://"):  # Copier wants a local template as a directory
        from urllib.parse import urlsplit
        from urllib.request import url2pathname

        template = url2pathname(urlsplit(template).path)
    local = Path(template).expanduser()
    if local.is_dir():
        if not (local / "copier.yml").is_file() and not (local / "copier.yaml").is_file():
            raise UserError(f"{local} is not a Copier template: it has no copier.yml")
        return TemplateSource(str(local.resolve()), request.vcs_ref), local.resolve()
    if re.match(r"^(https?|ssh|git|file)://|^[\w.-]+@[\w.-]+:|^gh:|^gl:", request.template):
        return TemplateSource(request.template, request.vcs_ref), None
    raise UserError(f"--template {request.template}: no such directory, and not a git URL")


def _resolve_destination(request: NewProject, answers: Mapping[str, Any]) -> Path:
    if request.destination is not None:
        return request.destination.expanduser().resolve()
    slug = str(answers.get("project_slug") or slugify(str(answers["project_name"])))
    return Path.cwd() / slug


def _check_destination(destination: Path, *, force: bool) -> None:
    if destination.is_file():
        raise DestinationError(f"{destination} is a file; choose a directory that does not exist")
    if destination.is_dir() and any(destination.iterdir()) and not force:
        raise DestinationError(
            f"{destination} exists and is not empty; choose another directory or pass --force "
            "to add the project to it (existing files that the project does not contain are kept)"
        )


def _render(
    source: TemplateSource,
    target: Path,
    data: dict[str, Any],
    user_defaults: dict[str, Any],
    *,
    defaults: bool,
    trust: bool = False,
) -> dict[str, Any]:
    """Render the template into ``target`` and return the answers it recorded."""
    record: dict[str, str] = {}
    if source == builtin_source():
        plain_files, record = plain_copy_source(target.parent / "template")
        source = TemplateSource(str(plain_files))
    return copier_adapter.render(
        source, target, data, user_defaults, defaults=defaults, trust=trust, record=record
    )


def _move_into_place(rendered: Path, destination: Path) -> None:
    """Move the finished project to ``destination``.

    A missing or empty destination is replaced in one rename. An existing, non-empty one (only
    reached with ``--force``) receives the project's files; files of the user's that the project
    does not have stay untouched.
    """
    if not destination.exists():
        rendered.rename(destination)
        return
    if not any(destination.iterdir()):
        destination.rmdir()
        rendered.rename(destination)
        return
    rendered_git = rendered / ".git"
    if rendered_git.is_dir():  # only rendered when the destination is not a repository yet
        shutil.copytree(rendered_git, destination / ".git")
    for source in sorted(rendered.rglob("*")):
        relative = source.relative_to(rendered)
        if source.is_dir() or relative.parts[0] == ".git":
            continue
        target = destination / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)
        log.debug("wrote %s", relative)


__all__ = ["Created", "MlportfolioError", "NewProject", "create_project", "slugify"]
