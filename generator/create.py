"""``mlportfolio new``: render the template for one project type into a fresh git repository."""

from __future__ import annotations

import logging
import re
import shutil
import sys
import tempfile
import unicodedata
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import copier_adapter, gitops
from .catalog import get_project_type
from .config import PER_PROJECT, check_stored, config_path, load_user_config
from .errors import DestinationError, Interrupted, InvalidAnswerError, MlportfolioError, UserError
from .templates import TemplateSource, builtin_source, plain_copy_source, template_root

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
    dry_run: bool = False


@dataclass(frozen=True)
class Created:
    """What ``mlportfolio new`` made (with ``dry_run``: would make; nothing was written)."""

    path: Path
    answers: Mapping[str, Any]
    commit: str | None
    warnings: tuple[str, ...] = ()
    files: tuple[str, ...] = ()
    replaced: tuple[str, ...] = ()
    dry_run: bool = False


# letters that Unicode does not decompose into an ASCII letter and a mark
_TRANSLITERATE = str.maketrans(
    {
        "ß": "ss",
        "æ": "ae",
        "œ": "oe",
        "þ": "th",
        "đ": "d",
        "ð": "d",
        "\u0131": "i",  # dotless i
        "ł": "l",
        "ø": "o",
        "ŧ": "t",
    }
)


def slugify(name: str) -> str:
    """Turn a human project name into a directory and repository name.

    Accented Latin letters are transliterated ("Élan" -> "elan"), as the template's own
    ``project_slug`` default does; other characters become hyphens.
    """
    lowered = name.strip().lower().translate(_TRANSLITERATE)
    ascii_only = unicodedata.normalize("NFKD", lowered).encode("ascii", "ignore").decode()
    return SLUG_PATTERN.sub("-", ascii_only).strip("-")


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
    stored = load_user_config()
    for key in PER_PROJECT:
        if key in stored:
            raise UserError(
                f"{config_path()}: {key} differs for every project and cannot be a default: "
                f"run `mlportfolio config unset {key}`"
            )
    return defaults | stored


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
    user_defaults = question_defaults(request.project_type, local_root) | _dest_slug(request)
    # Without DEST the directory is named after the answered slug, which a prompt may change:
    # check the default's now (no point asking questions for a taken name), the answer's later.
    destination = _resolve_destination(request, {**user_defaults, **data})
    _check_destination(destination, force=request.force)
    if request.git:
        gitops.require_git()

    if not request.dry_run:
        destination.parent.mkdir(parents=True, exist_ok=True)
    # a dry run renders in the system's temporary directory: nothing near DEST is touched
    staging_parent = None if request.dry_run else destination.parent
    staging = Path(tempfile.mkdtemp(prefix=".mlportfolio-", dir=staging_parent))
    try:
        with _blame_the_config(data):
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
        rendered = staging / "project"
        files = tuple(
            sorted(str(f.relative_to(rendered)) for f in rendered.rglob("*") if not f.is_dir())
        )
        replaced = tuple(name for name in files if (destination / name).is_file())
        if request.dry_run:
            return Created(
                destination, answers, None, _warnings(answers, local_root), files, replaced, True
            )
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
    warnings = _warnings(answers, local_root)
    return Created(destination, answers, commit, warnings, files, replaced)


PLACEHOLDERS = ("author_name", "author_email", "github_user")


def _warnings(answers: Mapping[str, Any], root: Path | None) -> tuple[str, ...]:
    """What the user should fix before publishing: placeholders, a Python newer than theirs."""
    questions = copier_adapter.load_questions(root) if root is not None else {}
    warnings = []
    used = [
        f"{key} {answers[key]!r}"
        for key in PLACEHOLDERS
        if key in answers and answers[key] == questions.get(key, {}).get("default")
    ]
    if used:
        warnings.append(
            f"placeholders used: {', '.join(used)} (README badge and links, LICENSE, "
            "pyproject.toml): set yours once with `mlportfolio config set KEY VALUE`, then fix "
            "this project with `mlportfolio update --data KEY=VALUE --commit`"
        )
    wanted = str(answers.get("python_version", ""))
    running = running_python()
    if re.fullmatch(r"\d+\.\d+", wanted) and _version(wanted) > _version(running):
        warnings.append(
            f"python_version {wanted} is newer than this Python ({running}): the project needs "
            f"Python {wanted} (`make setup` uses uv, which can install it, when uv is present)"
        )
    return tuple(warnings)


def running_python() -> str:
    """This interpreter's ``major.minor``."""
    return f"{sys.version_info.major}.{sys.version_info.minor}"


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split("."))


def read_data_file(path: Path, project_type: str) -> dict[str, Any]:
    """Answers from a YAML file; Copier's own keys (``_commit``, ...) are left out.

    Another project's ``.copier-answers.yml`` works: its ``project_type`` must be TYPE.
    """
    import yaml

    try:
        loaded = yaml.safe_load(path.expanduser().read_text(encoding="utf-8"))
    except OSError as exc:
        raise UserError(f"--data-file {path}: cannot be read ({exc.strerror})") from None
    except (yaml.YAMLError, UnicodeDecodeError):
        raise UserError(f"--data-file {path}: not valid YAML") from None
    if not isinstance(loaded, dict):
        raise UserError(f"--data-file {path}: expected a mapping of question: answer")
    data = {str(k): v for k, v in loaded.items() if not str(k).startswith("_")}
    if data.pop("project_type", project_type) != project_type:
        raise UserError(
            f"--data-file {path}: answers for a {loaded['project_type']} project, not {project_type}"
        )
    return data


def _dest_slug(request: NewProject) -> dict[str, str]:
    """The directory the user chose names the repository, unless they named the project."""
    if request.destination is None or {"project_name", "project_slug"} & set(request.data):
        return {}
    slug = slugify(request.destination.expanduser().resolve().name)
    return {"project_slug": slug} if slug else {}


@contextmanager
def _blame_the_config(data: Mapping[str, Any]) -> Iterator[None]:
    """Copier names a refused question: say so when its value came from the user's config."""
    try:
        yield
    except InvalidAnswerError as exc:
        key = re.search(r"'(\w+)'", str(exc))
        if key and key[1] in load_user_config() and key[1] not in data:
            raise InvalidAnswerError(check_stored(key[1], str(exc))) from exc
        raise


def _template_of(request: NewProject) -> tuple[TemplateSource, Path | None]:
    """The template to render and, unless it is a remote URL, the local root to check against."""
    if request.template is None:
        return builtin_source(), template_root()
    local = Path(request.template).expanduser()
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
