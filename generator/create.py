"""``mlportfolio new``: render the template for one project type into a fresh git repository."""

from __future__ import annotations

import difflib
import io
import logging
import re
import shutil
import sys
import tempfile
import warnings
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, redirect_stderr
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import gitops
from .catalog import get_project_type, load_questions
from .config import load_user_config
from .errors import (
    DestinationError,
    GitError,
    Interrupted,
    InvalidAnswerError,
    MlportfolioError,
    UnsafeTemplateError,
    UserError,
)
from .templates import (
    TemplateSource,
    builtin_source,
    git_environment,
    installed_copy_source,
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
_CASTS: dict[str, Callable[[Any], Any]] = {"int": int, "float": float, "str": str}
_KIND_WORDS = {"int": "an integer", "float": "a number", "bool": "true or false", "str": "text"}
_BOOLEANS = {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False}


def check_data(data: Mapping[str, Any], root: Path | None = None) -> dict[str, Any]:
    """Check answers given with ``--data`` against the template's questions and their types.

    Copier would silently ignore an unknown key (a typo such as ``licence``); this names it.
    ``root`` is a local template directory (default: the built-in template).
    """
    questions = load_questions(root)
    checked: dict[str, Any] = {}
    for key, value in data.items():
        if key == "project_type":
            raise InvalidAnswerError(
                "--data project_type: give the project type as the TYPE argument"
            )
        if key not in questions:
            close = difflib.get_close_matches(key, questions, n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            raise InvalidAnswerError(
                f"--data {key}: no such question{hint}; see `mlportfolio show TYPE` for the questions"
            )
        kind = str(questions[key].get("type", "str"))
        try:
            if kind == "bool":
                checked[key] = value if isinstance(value, bool) else _BOOLEANS[str(value).lower()]
            else:
                checked[key] = _CASTS.get(kind, str)(value)
        except (KeyError, ValueError):
            raise InvalidAnswerError(
                f"--data {key}: expected {_KIND_WORDS.get(kind, kind)}, got {value!r}"
            ) from None
    return checked


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
    checked = check_data(request.data, local_root) if local_root else dict(request.data)
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
    """Run Copier into ``target`` and return the answers it recorded."""
    import copier
    import yaml

    recorded: dict[str, str] = {}
    if source == builtin_source() and (shortcut := installed_copy_source()):
        plain_files, recorded = shortcut
        source = TemplateSource(str(plain_files))
    interactive = not defaults and sys.stdin.isatty()
    with copier_errors(), git_environment(source.git_env), copier_output_to_log():
        copier.run_copy(
            source.src_path,
            target,
            data=data,
            vcs_ref=source.vcs_ref,
            user_defaults=user_defaults,
            defaults=not interactive,
            quiet=True,
            unsafe=trust,
            cleanup_on_error=True,
        )
    answers_file = target / ".copier-answers.yml"
    if not answers_file.is_file():
        return {}
    if recorded:
        _record_source(answers_file, recorded)
    answers: dict[str, Any] = yaml.safe_load(answers_file.read_text(encoding="utf-8"))
    return answers


def _record_source(answers_file: Path, recorded: dict[str, str]) -> None:
    """Set ``_commit``/``_src_path`` as Copier writes them: sorted first, after the comment."""
    lines = answers_file.read_text(encoding="utf-8").splitlines(keepends=True)
    header = [line for line in lines if line.startswith("#")]
    body = [line for line in lines if not line.startswith(("#", *(f"{k}:" for k in recorded)))]
    entries = [f"{key}: {value}\n" for key, value in sorted(recorded.items())]
    answers_file.write_text("".join(header + entries + body), encoding="utf-8")


@contextmanager
def copier_errors() -> Iterator[None]:
    """Map Copier's and Jinja's exceptions to mlportfolio's, as one line each."""
    from copier.errors import CopierError
    from copier.errors import UnsafeTemplateError as CopierUnsafe
    from jinja2.exceptions import SecurityError, TemplateError
    from plumbum import ProcessExecutionError

    try:
        yield
    except CopierUnsafe as exc:
        raise UnsafeTemplateError(
            f"{_one_line(str(exc))}; read the template, then pass --trust to allow it"
        ) from exc
    except ValueError as exc:
        # Copier raises a bare ValueError for a validator's message or a value that does not fit
        # the question's type; both name the field.
        raise InvalidAnswerError(_one_line(str(exc))) from exc
    except ProcessExecutionError as exc:
        raise GitError(
            f"git failed while reading the template: {_one_line(str(exc.stderr))}"
        ) from exc
    except (CopierError, SecurityError, TemplateError) as exc:
        raise UserError(f"template error: {_one_line(str(exc))}") from exc


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


@contextmanager
def copier_output_to_log() -> Iterator[None]:
    """Route Copier's warnings and stderr notes (e.g. "using HEAD as ref") to the debug log.

    Prompts are unaffected: Copier asks its questions on stdout.
    """
    notes = io.StringIO()
    with warnings.catch_warnings(record=True) as caught, redirect_stderr(notes):
        warnings.simplefilter("always")
        yield
    for warning in caught:
        log.debug("copier: %s", warning.message)
    for line in notes.getvalue().splitlines():
        log.debug("copier: %s", line)


def _one_line(message: str) -> str:
    lines = [line.strip() for line in message.strip().splitlines() if line.strip()]
    return lines[-1] if lines else "unknown error"


__all__ = ["Created", "MlportfolioError", "NewProject", "create_project", "slugify"]
