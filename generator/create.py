"""``mlportfolio new``: render the template for one project type into a fresh git repository."""

from __future__ import annotations

import logging
import os
import re
import shutil
import socket
import sys
import tempfile
import unicodedata
import zlib
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from . import copier_adapter, gitops, validation
from .catalog import get_project_type
from .config import PER_PROJECT, check_stored, config_path, load_user_config
from .errors import DestinationError, Interrupted, InvalidAnswerError, MlportfolioError, UserError
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
    return defaults | _checked_user_config(root)


def _checked_user_config(root: Path | None) -> dict[str, Any]:
    """The user's stored defaults, each known question's value cast to its type (D21).

    A value that does not fit is an error naming the file and the key, not Copier's bare
    ``invalid literal for int()``.
    """
    stored = load_user_config()
    for key in PER_PROJECT:
        if key in stored:
            raise UserError(
                f"{config_path()}: {key} differs for every project and cannot be a default: "
                f"run `mlportfolio config unset {key}`"
            )
    questions = copier_adapter.load_questions(root or template_root())
    for key, value in stored.items():
        kind = str(questions.get(key, {}).get("type", ""))
        if kind not in ("int", "float", "bool"):
            continue
        try:
            stored[key] = copier_adapter.cast_answer(kind, value)
        except (KeyError, ValueError, TypeError, OverflowError):
            raise UserError(
                f"{config_path()}: defaults.{key} is {validation.shown(value)}, not "
                f"{copier_adapter.KIND_WORDS[kind]}: fix it with `mlportfolio config set {key} "
                f"VALUE` or `mlportfolio config unset {key}`"
            ) from None
    return stored


def create_project(request: NewProject) -> Created:
    """Generate a project as ``request`` says and return where it went.

    The template is rendered (and committed) in a temporary sibling of the destination and
    moved into place only when complete, so an error or Ctrl-C leaves nothing half-made. Only
    one ``new`` at a time works on a destination: a second one fails at once.
    """
    source, local_root = _template_of(request)
    if local_root is not None and (local_root / "project_types").is_dir():
        known = get_project_type(request.project_type, local_root)
        request = replace(request, project_type=known.name)  # an alias names its type
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
    if destination is not None:
        _check_destination(destination, force=request.force)
    if request.git:
        gitops.require_git()
    parent = destination.parent if destination else Path.cwd()
    if request.dry_run:
        with ExitStack() as nothing_to_lock:
            return _create_in(
                request, source, data, user_defaults, destination, None, nothing_to_lock, local_root
            )
    made = _make_parents(parent)
    try:
        with ExitStack() as locks:
            if destination is not None:
                locks.enter_context(_destination_lock(destination))
                _check_destination(destination, force=request.force)
            return _create_in(
                request, source, data, user_defaults, destination, parent, locks, local_root
            )
    except BaseException:
        _remove_empty(made)
        raise


def _create_in(
    request: NewProject,
    source: TemplateSource,
    data: dict[str, Any],
    user_defaults: dict[str, Any],
    destination: Path | None,
    parent: Path | None,
    locks: ExitStack,
    root: Path | None,
) -> Created:
    """Render into a staging folder in ``parent``, check, commit and move into place.

    With ``parent`` None (a dry run) the staging folder is in the system's temporary directory
    and nothing near DEST is touched.
    """
    if parent is not None:
        _remove_stale_staging(parent)
    try:
        staging = Path(tempfile.mkdtemp(prefix=_staging_prefix(), dir=parent))
    except OSError as exc:
        raise DestinationError(f"cannot write in {parent}: {_reason(exc)}") from None
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
        validation.check_answers(answers)
        validation.check_rendered(staging / "project")
        if request.destination is None:
            final = _resolve_destination(request, answers)
            if final is None:
                raise UserError(
                    "the template has no project_name or project_slug to name the directory "
                    "after: give DEST"
                )
            if final != destination:
                locks.enter_context(_destination_lock(final))
            destination = final
            _check_destination(destination, force=request.force)
        assert destination is not None
        commit = None
        rendered = staging / "project"
        files = tuple(
            sorted(str(f.relative_to(rendered)) for f in rendered.rglob("*") if not f.is_dir())
        )
        replaced = tuple(name for name in files if (destination / name).is_file())
        if request.dry_run:
            return Created(
                destination, answers, None, _warnings(answers, root), files, replaced, True
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
        _move_into_place(staging / "project", destination, git=request.git)
    except KeyboardInterrupt as exc:
        raise Interrupted("interrupted: nothing was written") from exc
    except OSError as exc:
        where = destination or parent
        raise DestinationError(
            f"cannot write {where}: {_reason(exc)}; nothing was written"
        ) from None
    finally:
        with deferred_interrupts():
            shutil.rmtree(staging, ignore_errors=True)
    warnings = _warnings(answers, root)
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


def _reason(exc: OSError) -> str:
    """An OSError's reason without its (possibly long) file names."""
    return exc.strerror or type(exc).__name__


def _make_parents(parent: Path) -> list[Path]:
    """Create ``parent`` and the folders above it that are missing; return those made."""
    missing = []
    current = parent
    while not current.exists() and current != current.parent:
        missing.append(current)
        current = current.parent
    if current.exists() and not current.is_dir():
        raise DestinationError(f"{current} is not a directory; choose another destination")
    try:
        for folder in reversed(missing):
            folder.mkdir()
    except OSError as exc:
        _remove_empty(missing)
        raise DestinationError(f"cannot create {parent}: {_reason(exc)}") from None
    return missing


def _remove_empty(folders: list[Path]) -> None:
    """Remove the folders ``_make_parents`` made (deepest first) if they are still empty."""
    for folder in folders:
        try:
            folder.rmdir()
        except OSError:
            return


# --------------------------------------------------------------------------------------------
# One `new` at a time per destination, and no staging folders left behind


def _staging_prefix() -> str:
    host = zlib.crc32(socket.gethostname().encode()) & 0xFFFF
    return f".mlportfolio-{host:04x}-{os.getpid()}-"


_STAGING = re.compile(r"^\.mlportfolio-([0-9a-f]{4})-(\d+)-")


def _remove_stale_staging(parent: Path) -> None:
    """Remove staging folders of earlier runs on this machine that were killed (SIGKILL).

    A folder's name holds its run's host and process id; one whose process is gone is stale.
    """
    if os.name != "posix":
        return
    host = _staging_prefix().split("-")[1]
    try:
        entries = list(parent.iterdir())
    except OSError:
        return
    for entry in entries:
        match = _STAGING.match(entry.name)
        if not match or match[1] != host or int(match[2]) == os.getpid():
            continue
        try:
            os.kill(int(match[2]), 0)
        except ProcessLookupError:
            log.debug("removing %s, left by a killed run", entry)
            shutil.rmtree(entry, ignore_errors=True)
        except OSError:
            continue


@contextmanager
def _destination_lock(destination: Path) -> Iterator[None]:
    """Hold an exclusive lock for ``destination``, or fail at once if another run holds it."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: no lock
        yield
        return
    lock_path = destination.parent / f".{destination.name}.mlportfolio-lock"
    try:
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as exc:
        raise DestinationError(f"cannot write in {destination.parent}: {_reason(exc)}") from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            # the file may have been removed (and made anew) by the run that held it
            if os.fstat(fd).st_ino != lock_path.stat().st_ino:
                raise BlockingIOError
        except (BlockingIOError, FileNotFoundError):
            raise DestinationError(
                f"another mlportfolio is creating {destination} right now; wait for it, "
                "then choose another directory"
            ) from None
        try:
            yield
        finally:
            with deferred_interrupts():
                lock_path.unlink(missing_ok=True)
    finally:
        os.close(fd)


@contextmanager
def deferred_interrupts() -> Iterator[list[int]]:
    """Hold Ctrl-C back while the body runs (a few renames that must not be cut in half).

    Yields a list that holds the signal number if one arrived; the body is complete then, so
    the interrupt is dropped (logged) rather than reported for work that was done.
    """
    import signal
    import threading

    received: list[int] = []
    if threading.current_thread() is not threading.main_thread():
        yield received
        return

    def hold(signum: int, frame: object) -> None:
        received.append(signum)

    previous = signal.signal(signal.SIGINT, hold)
    try:
        yield received
    finally:
        signal.signal(signal.SIGINT, previous)
        if received:
            log.info("Ctrl-C arrived while the project was being moved into place; it is complete")


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


def _resolve_destination(request: NewProject, answers: Mapping[str, Any]) -> Path | None:
    """DEST, else the slug's folder in the current directory; ``None`` if nothing names it."""
    if request.destination is not None:
        return request.destination.expanduser().resolve()
    name = answers.get("project_slug") or slugify(str(answers.get("project_name") or ""))
    return Path.cwd() / str(name) if name else None


def _check_destination(destination: Path, *, force: bool) -> None:
    if destination.is_file():
        raise DestinationError(f"{destination} is a file; choose a directory that does not exist")
    if os.path.lexists(destination) and not destination.is_dir():
        raise DestinationError(
            f"{destination} exists and is not a directory; choose a directory that does not exist"
        )
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
        plain_files, record = plain_copy_source(target.parent / "template", data["project_type"])
        source = TemplateSource(str(plain_files))
    return copier_adapter.render(
        source, target, data, user_defaults, defaults=defaults, trust=trust, record=record
    )


def _move_into_place(rendered: Path, destination: Path, *, git: bool = True) -> None:
    """Move the finished project to ``destination``, all or nothing.

    A missing destination is made in one rename. An existing one (empty, or non-empty with
    ``--force``) keeps its own mode and owner and receives the project's files: every file is
    first copied next to its target under a temporary name, and only when all are there are
    they renamed into place, with Ctrl-C held back. A failure or Ctrl-C before that removes the
    copies and leaves the destination as it was. Files of the user's that the project does not
    have stay untouched; ``--force`` never writes through a symbolic link or replaces a folder,
    and in a git repository it never replaces a file with uncommitted changes.
    """
    if not os.path.lexists(destination):
        with deferred_interrupts():
            rendered.rename(destination)
        return
    entries = _entries(rendered)
    _preflight(destination, entries)
    if git and (destination / ".git").exists():
        _refuse_uncommitted(destination, [rel for rel, kind in entries if kind != "dir"])
    staged = _stage(rendered, destination, entries)
    with deferred_interrupts():
        _commit_staged(destination, staged)


def _stage(
    rendered: Path, destination: Path, entries: list[tuple[Path, str]]
) -> list[tuple[Path, Path]]:
    """Copy every file next to its target under a temporary name; undo it all on any failure."""
    staged: list[tuple[Path, Path]] = []
    made: list[Path] = []
    try:
        for relative, kind in entries:
            target = destination / relative
            if kind == "dir":
                if not target.is_dir():
                    target.mkdir()
                    made.append(target)
                continue
            temporary = target.with_name(f".{target.name}.mlportfolio-new")
            if os.path.lexists(temporary):
                _remove(temporary)
            staged.append((temporary, target))
            if kind == "tree":
                shutil.copytree(rendered / relative, temporary, symlinks=True)
            else:
                # a link stays a link: never the file it points to (D9)
                shutil.copy2(rendered / relative, temporary, follow_symlinks=False)
    except BaseException:
        for temporary, _ in staged:
            _remove(temporary)
        for folder in reversed(made):
            with suppress(OSError):
                folder.rmdir()
        raise
    return staged


def _commit_staged(destination: Path, staged: list[tuple[Path, Path]]) -> None:
    """Rename the staged copies over their targets; on a failure, say exactly what was written."""
    for done, (temporary, target) in enumerate(staged):
        try:
            temporary.replace(target)
        except OSError as exc:
            for leftover, _ in staged[done:]:
                _remove(leftover)
            written = ", ".join(str(t.relative_to(destination)) for _, t in staged[:done])
            raise DestinationError(
                f"cannot write {target}: {_reason(exc)}; {done} of {len(staged)} project "
                f"files were written ({written or 'none'})"
            ) from None
        log.debug("wrote %s", target.relative_to(destination))


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        with suppress(OSError):
            path.unlink()


def _entries(rendered: Path) -> list[tuple[Path, str]]:
    """The rendered project's entries, parents first: ``dir``, ``file``, ``link`` or ``tree``.

    The project's own ``.git`` is one ``tree``; links are never followed.
    """
    found: list[tuple[Path, str]] = []

    def walk(folder: Path) -> None:
        for entry in sorted(os.scandir(folder), key=lambda e: e.name):
            relative = Path(entry.path).relative_to(rendered)
            if entry.is_symlink():
                found.append((relative, "link"))
            elif entry.is_dir(follow_symlinks=False):
                if relative == Path(".git"):
                    found.append((relative, "tree"))
                    continue
                found.append((relative, "dir"))
                walk(Path(entry.path))
            else:
                found.append((relative, "file"))

    walk(rendered)
    return found


def _preflight(destination: Path, entries: list[tuple[Path, str]]) -> None:
    """Refuse, before writing anything, what would write outside DEST or replace a folder."""
    for relative, kind in entries:
        target = destination / relative
        if not os.path.lexists(target):
            continue
        shown = relative.as_posix()
        if target.is_symlink():
            raise DestinationError(
                f"{destination}/{shown} is a symbolic link; --force never writes through links "
                "(it could write outside the destination): remove or rename it, then re-run"
            )
        if kind == "dir" and not target.is_dir():
            raise DestinationError(
                f"{destination}/{shown} is a file where the project has a folder: remove or "
                "rename it, then re-run"
            )
        if kind == "tree":
            raise DestinationError(f"{destination}/{shown} exists; nothing was written")
        if kind != "dir" and not target.is_file():
            raise DestinationError(
                f"{destination}/{shown} is a folder or special file where the project has a "
                "file: remove or rename it, then re-run"
            )


def _refuse_uncommitted(destination: Path, files: list[Path]) -> None:
    """In a git DEST, refuse to replace a file that has uncommitted changes or is untracked."""
    try:
        status = gitops.run(destination, "status", "--porcelain=v1", "-z", "--untracked-files=all")
    except MlportfolioError:
        return  # not a usable repository: the plain --force rules apply
    dirty = {entry[3:] for entry in status.split("\0") if len(entry) > 3}
    replaced = sorted(
        rel.as_posix() for rel in files if rel.as_posix() in dirty and (destination / rel).exists()
    )
    if replaced:
        shown = ", ".join(replaced[:5]) + (
            f" and {len(replaced) - 5} more" if len(replaced) > 5 else ""
        )
        raise DestinationError(
            f"{destination} has uncommitted changes in {shown}, which the project would "
            "replace: commit or stash them (`git stash -u`), then re-run"
        )


__all__ = ["Created", "MlportfolioError", "NewProject", "create_project", "slugify"]
