"""The one place that speaks to Copier: render, update, answers files, questions, errors.

Everything Copier-specific stays here, so the rest of mlportfolio works with plain data: a
:class:`~mlportfolio.templates.TemplateSource`, answers as dicts, and mlportfolio's own errors.
``import copier`` costs ~0.3 s, so it happens inside the functions that need it.
"""

from __future__ import annotations

import difflib
import functools
import io
import logging
import math
import os
import re
import shutil
import sys
import tempfile
import warnings
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, nullcontext, redirect_stderr
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml

from .errors import (
    GitError,
    Interrupted,
    InvalidAnswerError,
    UnsafeTemplateError,
    UserError,
)
from .templates import TemplateSource, git_environment
from .validation import check_package_name, shown

log = logging.getLogger(__name__)

ANSWERS_FILE = ".copier-answers.yml"
MAX_ANSWERS_BYTES = 1_000_000

_CASTS: dict[str, Callable[[Any], Any]] = {"int": int, "float": float, "str": str}
KIND_WORDS = {"int": "an integer", "float": "a number", "bool": "true or false", "str": "text"}
_BOOLEANS = {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False}


@dataclass(frozen=True)
class QuestionInfo:
    """One question as a project of a given type is asked it."""

    name: str
    help: str
    kind: str
    default: Any
    choices: tuple[Any, ...]


def one_line(message: str) -> str:
    """The last non-empty line of a (possibly multi-line) message: where tools put the reason."""
    lines = [line.strip() for line in message.strip().splitlines() if line.strip()]
    line = lines[-1] if lines else "unknown error"
    return line if len(line) <= 300 else line[:299] + "…"


@contextmanager
def copier_errors() -> Iterator[None]:
    """Map Copier's and Jinja's exceptions to mlportfolio's, as one line each."""
    from copier.errors import CopierAnswersInterrupt, CopierError
    from copier.errors import UnsafeTemplateError as CopierUnsafe
    from jinja2.exceptions import SecurityError, TemplateError
    from plumbum import ProcessExecutionError

    try:
        yield
    except CopierAnswersInterrupt as exc:  # Ctrl-C at a prompt; its repr is kilobytes long
        raise Interrupted("interrupted: nothing was written") from exc
    except CopierUnsafe as exc:
        raise UnsafeTemplateError(
            "the template runs code on your machine (tasks, migrations or Jinja extensions): "
            "read it, then pass --trust to allow it"
        ) from exc
    except ValueError as exc:
        # Copier raises a bare ValueError for a validator's message or a value that does not fit
        # the question's type; both name the field.
        raise InvalidAnswerError(one_line(str(exc))) from exc
    except ProcessExecutionError as exc:
        raise GitError(
            f"git failed while reading the template: {one_line(str(exc.stderr))}"
        ) from exc
    except (CopierError, SecurityError, TemplateError) as exc:
        raise UserError(f"template error: {one_line(str(exc))}") from exc


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


@contextmanager
def _copier(source: TemplateSource) -> Iterator[None]:
    """Everything a Copier call needs around it: error mapping, git redirection, quiet output."""
    with copier_errors(), git_environment(source.git_env), copier_output_to_log():
        yield


# --------------------------------------------------------------------------------------------
# Questions


def load_questions(root: Path) -> Mapping[str, Mapping[str, Any]]:
    """Every question of the template at ``root`` (common and per-type) by name, as written.

    Reads ``copier.yml`` and ``project_types/*/questions.yml`` the way Copier merges them,
    ignoring settings (keys starting with ``_``) and the ``!include`` document. ``new`` needs
    them three times: the files are parsed once per content, and the result is shared (read it,
    never change it).
    """
    files = [root / "copier.yml", *sorted(root.glob("project_types/*/questions.yml"))]
    return _parse_questions(tuple(path.read_bytes() for path in files if path.is_file()))


@functools.lru_cache(maxsize=4)
def _parse_questions(texts: tuple[bytes, ...]) -> Mapping[str, Mapping[str, Any]]:
    # libyaml's parser where PyYAML has it: copier.yml's validators make the pure-Python one slow
    class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
        """Treats ``!include`` as an empty document; the included files are read below."""

    _Loader.add_constructor("!include", lambda loader, node: None)
    questions: dict[str, Mapping[str, Any]] = {}
    for text in texts:
        for document in yaml.load_all(text.decode("utf-8"), Loader=_Loader):
            for name, spec in (document or {}).items():
                if not name.startswith("_"):
                    questions[name] = spec if isinstance(spec, dict) else {"default": spec}
    return MappingProxyType(questions)


def is_computed(spec: Mapping[str, Any]) -> bool:
    """A question with ``when: false`` is computed by the template, never asked or answered."""
    return spec.get("when") is False or str(spec.get("when", "")).strip().lower() == "false"


def check_data(
    data: Mapping[str, Any],
    root: Path,
    project_type: str | None = None,
    *,
    origin: str = "--data",
    answers: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Check answers given with ``--data`` against the template's questions and their types.

    Copier silently ignores an unknown key (a typo such as ``licence``) and an answer to a
    question that ``when`` hides; this names both. With ``project_type``, a question of another
    type is refused too. A question may depend on another answer (``docker`` is asked only with
    ``api``): the given answers count, over ``answers`` (those a project has recorded), when it
    is decided which questions apply. ``origin`` is where the answers came from, as messages
    name it.
    """
    questions = load_questions(root)
    checked: dict[str, Any] = {}
    for key, value in data.items():
        if key == "project_type":
            raise InvalidAnswerError(
                f"{origin} project_type: give the project type as the TYPE argument"
            )
        if key not in questions or is_computed(questions[key]):
            answerable = [name for name, spec in questions.items() if not is_computed(spec)]
            close = difflib.get_close_matches(key, answerable, n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            raise InvalidAnswerError(
                f"{origin} {key}: no such question{hint}; see `mlportfolio show TYPE` for the questions"
            )
        kind = str(questions[key].get("type", "str"))
        try:
            checked[key] = cast_answer(kind, value)
        except (KeyError, ValueError, TypeError, OverflowError):
            raise InvalidAnswerError(
                f"{origin} {key}: expected {KIND_WORDS.get(kind, kind)}, got {shown(value)}"
            ) from None
        if key == "package_name":
            check_package_name(str(checked[key]))
    # asking Copier costs a dry run: only when an answer's question has a condition
    if project_type and any("when" in questions[key] for key in checked):
        recorded = {
            k: v for k, v in (answers or {}).items() if k in questions and k != "project_type"
        }
        applicable = applicable_questions(project_type, root, {**recorded, **checked})
        for key in checked:
            if key not in applicable:
                raise InvalidAnswerError(
                    f"{origin} {key}: {_why_not_asked(questions[key], project_type)}"
                )
    return checked


def _why_not_asked(spec: Mapping[str, Any], project_type: str) -> str:
    """Why a question with a ``when`` is not asked: it is another type's, or needs an answer."""
    when = str(spec.get("when", "")).strip().removeprefix("{{").removesuffix("}}").strip()
    if "project_type" in when:
        return (
            f"not a question of the {project_type} type (it belongs to another type); "
            f"see `mlportfolio show {project_type}`"
        )
    if re.fullmatch(r"\w+", when):
        return f"needs {when}=true (add --data {when}=true)"
    return f"not asked with these answers (it is asked when {when})"


def cast_answer(kind: str, value: Any) -> Any:
    """``value`` as the question's ``kind`` wants it; raises ``ValueError`` where it does not fit.

    Nothing is truncated or guessed: ``1.5`` is no integer, ``true`` is no number, and NaN or
    infinity is no usable number (a comparison with NaN is always false, so a range check in
    a validator would let it through).
    """
    if kind == "bool":
        return value if isinstance(value, bool) else _BOOLEANS[str(value).lower()]
    if kind in ("int", "float") and isinstance(value, bool):
        raise ValueError(value)
    if kind == "int":
        if isinstance(value, float):
            if not value.is_integer():
                raise ValueError(value)
            return int(value)
        return int(str(value).strip())
    if kind == "float":
        number = float(value)
        if not math.isfinite(number):
            raise ValueError(value)
        return number
    return _CASTS.get(kind, str)(value)


def validate_answers(data: Mapping[str, Any], root: Path, project_types: list[str]) -> None:
    """Check ``data`` with the template's own rules (choices, validators), as ``new`` would.

    Copier decides, in a dry run per type in ``project_types`` until one asks every question in
    ``data``; an answer Copier refuses raises :class:`InvalidAnswerError` with its reason.
    """
    for project_type in project_types:
        answers = _dry_run(root, {**data, "project_type": project_type})
        if not set(data) & answers.hidden:
            return


def _dry_run(
    root: Path, data: Mapping[str, Any], user_defaults: Mapping[str, Any] | None = None
) -> Any:
    """Copier's answers (an ``AnswersMap``) for a dry run of ``root`` with ``data``, defaults."""
    import copier

    target = Path(tempfile.mkdtemp(prefix="mlportfolio-questions-"))
    try:
        _copy_questionnaire(root, target / "template")
        with _copier(TemplateSource(str(target / "template"))):
            worker = copier.run_copy(
                str(target / "template"),
                target / "project",
                data=dict(data),
                user_defaults=dict(user_defaults or {}),
                defaults=True,
                pretend=True,
                quiet=True,
            )
    finally:
        shutil.rmtree(target, ignore_errors=True)
    return worker.answers


def applicable_questions(
    project_type: str, root: Path, user_defaults: Mapping[str, Any] | None = None
) -> dict[str, QuestionInfo]:
    """The questions a project of ``project_type`` is asked, in order, with their defaults.

    Copier itself decides: a dry run (``pretend``) of a copy with that type answers every
    question with its default (``user_defaults`` first, as ``new`` gives them) and hides those
    whose ``when`` is false for it.
    """
    questions = load_questions(root)
    answers = _dry_run(root, {"project_type": project_type}, user_defaults)
    asked: dict[str, QuestionInfo] = {}
    for name, spec in questions.items():
        if name == "project_type" or name in answers.hidden or is_computed(spec):
            continue
        choices = spec.get("choices") or ()
        values = tuple(choices.values() if isinstance(choices, dict) else choices)
        asked[name] = QuestionInfo(
            name=name,
            help=str(spec.get("help", "")),
            kind=str(spec.get("type", "str")),
            default=answers.combined.get(name),
            choices=values,
        )
    return asked


def _copy_questionnaire(root: Path, target: Path) -> None:
    """Copy what Copier needs to ask the template's questions: its YAML files, in their folders.

    That is copier.yml, included question files and data files that defaults read; nothing to
    render.
    A dry run from this copy is fast and never clones ``root``, even when it is a git repository.
    """
    for folder, subfolders, files in os.walk(root):
        # hidden folders (.git, .venv, caches) hold nothing Copier reads to ask questions: not
        # even walked (a checkout's .venv is ~10,000 paths, half a dry run's time)
        # (links to folders are listed but not walked: os.walk does not follow them)
        subfolders[:] = [name for name in subfolders if not name.startswith(".")]
        wanted = [
            Path(folder, name)
            for name in files
            if name.endswith((".yml", ".yaml"))
            and name[0] != "."
            and not Path(folder, name).is_symlink()
        ]
        if not wanted:
            continue  # only folders with something to read are made: a checkout has hundreds
        copy = target / Path(folder).relative_to(root)
        copy.mkdir(parents=True, exist_ok=True)
        for path in wanted:
            shutil.copyfile(path, copy / path.name)


# --------------------------------------------------------------------------------------------
# Answers files


def read_answers(project: Path) -> dict[str, Any]:
    """The answers a project recorded in its answers file, or why they cannot be read."""
    answers_file = project / ANSWERS_FILE
    if answers_file.is_symlink():
        raise UserError(
            f"{answers_file} is a symbolic link: answers are read only from a regular file in "
            "the project; restore it from git"
        )
    if not answers_file.is_file():
        raise UserError(
            f"{project} was not made by mlportfolio (no {ANSWERS_FILE}); nothing to update"
        )
    if answers_file.stat().st_size > MAX_ANSWERS_BYTES:
        raise UserError(f"{answers_file} is too large to be an answers file: restore it from git")
    try:
        answers = yaml.safe_load(answers_file.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        reason = one_line(str(exc)) if isinstance(exc, yaml.YAMLError) else "not UTF-8 text"
        raise UserError(
            f"{answers_file} is not valid YAML ({reason}): restore it from git"
        ) from None
    if not isinstance(answers, dict):
        raise UserError(f"{answers_file} does not hold answers: restore it from git")
    return answers


def _record_source(answers_file: Path, recorded: Mapping[str, str]) -> None:
    """Set ``_commit``/``_src_path`` as Copier writes them: sorted first, after the comment."""
    lines = answers_file.read_text(encoding="utf-8").splitlines(keepends=True)
    header = [line for line in lines if line.startswith("#")]
    body = [line for line in lines if not line.startswith(("#", *(f"{k}:" for k in recorded)))]
    entries = [f"{key}: {value}\n" for key, value in sorted(recorded.items())]
    answers_file.write_text("".join(header + entries + body), encoding="utf-8")


# --------------------------------------------------------------------------------------------
# Rendering and updating


def render(
    source: TemplateSource,
    target: Path,
    data: Mapping[str, Any],
    user_defaults: Mapping[str, Any],
    *,
    defaults: bool,
    trust: bool = False,
    record: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """Render ``source`` into ``target`` (a new directory) and return the recorded answers.

    Without ``defaults`` and on a terminal, Copier asks the questions. ``record`` sets
    ``_src_path``/``_commit`` in the answers file (for a render from plain files that stand for
    a tagged release).
    """
    import copier

    interactive = not defaults and sys.stdin.isatty()
    plain = not trust and source.vcs_ref is None and _plain_directory(source.src_path)
    with _copier(source), _git_hidden_from_copier() if plain else nullcontext():
        copier.run_copy(
            source.src_path,
            target,
            data=dict(data),
            vcs_ref=source.vcs_ref,
            user_defaults=dict(user_defaults),
            defaults=not interactive,
            quiet=True,
            unsafe=trust,
            cleanup_on_error=True,
        )
    answers_file = target / ANSWERS_FILE
    if not answers_file.is_file():
        return {}
    if record:
        _record_source(answers_file, record)
    return read_answers(target)


def _plain_directory(src_path: str) -> bool:
    """Whether Copier reads ``src_path`` as plain files: a local folder that is no git root."""
    return Path(src_path).is_dir() and not (Path(src_path) / ".git").exists()


@contextmanager
def _git_hidden_from_copier() -> Iterator[None]:
    """Leave git off Copier's ``PATH`` while it renders plain files into a new folder.

    Copier then has no use for git, except one ``git config core.fileMode`` call per rendered
    file (which matters only for files a destination repository already tracks, and a new
    folder has none): ~50 processes, a sixth of a built-in ``new``. Copier supports machines
    without git, and skips that call there. Without ``--trust`` nothing else (a task, a
    migration) can run that would need the ``PATH``.
    """
    from plumbum import local

    folders = str(local.env.get("PATH", "")).split(os.pathsep)
    without_git = [folder for folder in folders if not shutil.which("git", path=folder)]
    with local.env(PATH=os.pathsep.join(without_git)):
        yield


@contextmanager
def _private_tempdir() -> Iterator[None]:
    """Give Copier's temporary clones and renders a folder of their own, removed at the end.

    Copier cleans up after itself, but not when Ctrl-C lands at the wrong moment of an update
    (D14: each such run left a temporary folder behind); removing the parent always works.
    """
    private = tempfile.mkdtemp(prefix="mlportfolio-update-")
    previous = tempfile.tempdir
    tempfile.tempdir = private
    try:
        yield
    finally:
        tempfile.tempdir = previous
        shutil.rmtree(private, ignore_errors=True)


def update(
    project: Path, source: TemplateSource, vcs_ref: str, data: Mapping[str, Any], *, trust: bool
) -> None:
    """Run Copier's three-way update of ``project`` to ``vcs_ref``; conflicts stay inline.

    Copier reports success even when it leaves conflicts: the caller looks for them.
    """
    import copier

    with _copier(source), _private_tempdir():
        copier.run_update(
            project,
            data=dict(data),
            vcs_ref=vcs_ref,
            defaults=True,
            overwrite=True,
            quiet=True,
            unsafe=trust,
            conflict="inline",
            skip_answered=True,
        )
