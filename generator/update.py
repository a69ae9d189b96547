"""``mlportfolio update``: bring a generated project up to a newer template, keeping the user's edits.

Copier's three-way update renders the project's recorded template version and the new one and
applies the difference to the project. Copier reports success even when that leaves conflicts, so
this module looks for them itself (unmerged index entries, conflict markers, ``.rej`` files).
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import __version__, copier_adapter, validation
from .errors import Interrupted, UpdateConflictError, UserError
from .gitops import commit_all
from .gitops import run as git_run
from .templates import (
    CANONICAL_URL,
    TemplateSource,
    bundled_versions,
    check_git_value,
    git_environment,
    source_for,
    template_root,
)

CONFLICT_MARKER = re.compile(r"^(<{7} |>{7} )", re.MULTILINE)
TEMPLATE_URL = re.compile(r"^(https?|ssh|git|file)://[^\s]+$|^[\w.-]+@[\w.-]+:[^\s]+$|^gh:|^gl:")
VERSION = re.compile(r"^v?(\d+(?:\.\d+)*)")


@dataclass(frozen=True)
class UpdateRequest:
    """What ``mlportfolio update`` was asked to do."""

    path: Path
    to: str | None = None
    data: Mapping[str, Any] = field(default_factory=dict)
    dry_run: bool = False
    commit: bool = False
    trust: bool = False


@dataclass(frozen=True)
class UpdateResult:
    """What the update changed (or, with ``dry_run``, would change)."""

    from_ref: str
    to_ref: str
    changed: list[str]
    diff: str = ""
    commit: str | None = None
    conflicts: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class UpdateStatus:
    """Whether a newer template version than the project's exists."""

    current: str
    latest: str

    @property
    def available(self) -> bool:
        """True when ``latest`` is newer than ``current``."""
        return version_key(self.latest) > version_key(self.current)


def version_key(ref: str) -> tuple[int, ...]:
    """Order ``v1.2.3`` / ``1.2.3`` / ``v1.2.3-4-gabcdef`` refs by their version numbers."""
    match = VERSION.match(ref)
    return tuple(int(part) for part in match.group(1).split(".")) if match else ()


def read_answers(project: Path) -> dict[str, Any]:
    """The project's recorded answers, or why it cannot be updated."""
    answers = copier_adapter.read_answers(project)
    if not answers.get("_src_path") or not answers.get("_commit"):
        raise UserError(
            f"{project / copier_adapter.ANSWERS_FILE} lacks _src_path or _commit: the project's "
            "template version is unknown"
        )
    src = str(answers["_src_path"])
    where = project / copier_adapter.ANSWERS_FILE
    check_git_value(src, f"{where}: _src_path")
    check_git_value(str(answers["_commit"]), f"{where}: _commit", ref=True)
    local = Path(src).expanduser()
    is_template_dir = local.is_dir() and any(
        (local / name).is_file() for name in ("copier.yml", "copier.yaml")
    )
    if not (TEMPLATE_URL.match(src) or is_template_dir):
        raise UserError(
            f"{project / copier_adapter.ANSWERS_FILE}: _src_path {src[:80]!r} is neither a git URL "
            "nor a template directory (with a copier.yml): restore it from git"
        )
    return answers


def _require_clean_repository(project: Path) -> None:
    if not (project / ".git").exists():
        raise UserError(
            f"{project} is not a git repository; updates need one: git init && git add -A && git commit"
        )
    _refuse_links_out_of(project)
    dirty = [line[3:] for line in git_run(project, "status", "--porcelain").splitlines()]
    if dirty:
        listed = ", ".join(dirty[:8]) + (f" and {len(dirty) - 8} more" if len(dirty) > 8 else "")
        raise UserError(f"uncommitted changes in {listed}: commit or stash them, then update")


def _refuse_links_out_of(project: Path) -> None:
    """Refuse to update a project with a tracked link that leads outside it.

    The update writes template files into the project; through such a link it would write
    (or read) a file anywhere the user can (a cloned, hostile project could carry one).
    """
    listed = git_run(project, "ls-files", "-s", "-z")
    root = project.resolve()
    for entry in listed.split("\0"):
        mode, _, rest = entry.partition(" ")
        if mode != "120000":
            continue
        name = rest.partition("\t")[2]
        target = (project / name).resolve()
        if not target.is_relative_to(root) or target == root:
            raise UserError(
                f"{name} in {project} is a link to {str(target)[:80]}, outside the project: an "
                "update could write through it; replace the link with a file, commit, then update"
            )


def latest_version(answers: Mapping[str, Any]) -> str:
    """The newest template version available for a project with these answers."""
    src = str(answers["_src_path"])
    if src == CANONICAL_URL:
        return f"v{__version__}"
    # `--` keeps a value from the answers file from being read as an option (--upload-pack=...)
    tags = git_run(Path.cwd(), "ls-remote", "--tags", "--refs", "--", src)
    versions = [line.rsplit("refs/tags/", 1)[-1] for line in tags.splitlines()]
    versions = [v for v in versions if version_key(v)]
    if not versions:
        raise UserError(f"the template {src} has no version tags (v1.2.3); nothing to compare")
    return max(versions, key=version_key)


def check_update(project: Path) -> UpdateStatus:
    """Compare the project's template version with the newest available."""
    answers = read_answers(project)
    source = source_for(str(answers["_src_path"]))
    with git_environment(source.git_env):
        return UpdateStatus(current=str(answers["_commit"]), latest=latest_version(answers))


def update_project(request: UpdateRequest) -> UpdateResult:
    """Update ``request.path`` to the template version ``request.to`` (default: the newest)."""
    project = request.path.resolve()
    answers = read_answers(project)
    _require_clean_repository(project)
    source = source_for(str(answers["_src_path"]))
    with git_environment(source.git_env):
        target = _target_ref(request.to, answers)
    current = str(answers["_commit"])
    _require_known_version(current, answers)
    if version_key(current) > version_key(target) and request.to is not None:
        raise UserError(
            f"--to {target}: the project already uses template {current} and an update cannot "
            f"go back; {_available_text(answers, source)}"
        )
    if version_key(current) > version_key(target):
        raise UserError(
            f"the project uses template {current}, newer than {target}: upgrade mlportfolio "
            f"to a release that has {current}"
        )
    if request.to is not None:
        _require_available(target, answers, source)
    # the questions to check --data against: the built-in template's, or a local template's
    root = template_root() if answers["_src_path"] == CANONICAL_URL else Path(source.src_path)
    project_type = answers.get("project_type")
    data = (
        copier_adapter.check_data(
            request.data, root, str(project_type) if project_type else None, answers=answers
        )
        if root.is_dir()
        else dict(request.data)
    )
    if request.dry_run:
        with tempfile.TemporaryDirectory() as tmp:
            clone = Path(tmp) / project.name
            git_run(project, "clone", "--quiet", str(project), str(clone))
            changed, conflicts, _ = _apply_update(clone, source, target, data, request.trust)
            git_run(clone, "add", "--intent-to-add", "--all")
            diff = git_run(clone, "diff", "--no-color")
        # with conflicts too: the diff is what the user needs to see then (D13)
        return UpdateResult(current, target, changed, diff=diff, conflicts=conflicts)
    try:
        changed = _run_update(project, source, target, data, request.trust)
    except KeyboardInterrupt:
        # the work tree was clean before: say how to get back to it, not "nothing was written"
        raise Interrupted(
            "interrupted: the update may be partly applied; `git reset --hard && git clean -fd` "
            "restores the project as it was"
        ) from None
    # an answer changed with --data must not leave a file the project cannot parse, least of
    # all in a commit: the update stays in the work tree for the user to fix or abandon
    try:
        validation.check_files(project, [Path(name) for name in changed])
    except UserError as exc:
        raise UserError(
            f"{exc}; nothing was committed: `git reset --hard && git clean -fd` abandons the update"
        ) from None
    commit = None
    if request.commit and changed:
        author = (str(answers.get("author_name", "")), str(answers.get("author_email", "")))
        commit = commit_all(project, commit_message(current, target, data), author=author)
    return UpdateResult(current, target, changed, commit=commit)


def commit_message(current: str, target: str, data: Mapping[str, Any]) -> str:
    """The commit message of an update: a template update, a change of answers, or both."""
    answers = ", ".join(f"{key}={value}" for key, value in data.items())
    if current == target:
        return f"Change the mlportfolio answers: {answers} (template {target})"
    message = f"Update the mlportfolio template to {target}"
    return f"{message}, with {answers}" if answers else message


def available_versions(answers: Mapping[str, Any], source: TemplateSource) -> list[str]:
    """The template versions an update of a project with these answers can go to."""
    if answers["_src_path"] == CANONICAL_URL:
        return bundled_versions()
    with git_environment(source.git_env):
        tags = git_run(Path.cwd(), "ls-remote", "--tags", "--refs", "--", source.src_path)
    versions = {line.rsplit("refs/tags/", 1)[-1] for line in tags.splitlines()}
    return sorted((v for v in versions if version_key(v)), key=version_key)


def _available_text(answers: Mapping[str, Any], source: TemplateSource) -> str:
    versions = available_versions(answers, source)
    if not versions:
        return "no template versions are available here (`mlportfolio versions` lists them)"
    return f"available: {', '.join(versions)}"


def _require_available(target: str, answers: Mapping[str, Any], source: TemplateSource) -> None:
    versions = available_versions(answers, source)
    if versions and target not in versions:
        raise UserError(
            f"--to {target}: no such template version; available: {', '.join(versions)}"
        )


def _require_known_version(current: str, answers: Mapping[str, Any]) -> None:
    """A three-way update needs the project's own template version: say so if it is missing."""
    if answers["_src_path"] != CANONICAL_URL:
        return
    carried = bundled_versions()
    if carried and current not in carried:
        listed = ", ".join(carried)
        raise UserError(
            f"the project was made from template {current}, which this mlportfolio "
            f"({__version__}) does not carry (it has {listed}): an update needs the project's "
            f"own version to keep your edits; install a mlportfolio release that has "
            f"{current} (pip install 'mlportfolio=={current.removeprefix('v')}') and update "
            "with it"
        )


def _target_ref(to: str | None, answers: Mapping[str, Any]) -> str:
    if to is None:
        return latest_version(answers)
    check_git_value(to, "--to", ref=True)
    return to if to.startswith("v") or not version_key(to) else f"v{to}"


def _run_update(
    project: Path, source: TemplateSource, target: str, data: dict[str, Any], trust: bool
) -> list[str]:
    """Run Copier's update in ``project``; return the changed files or raise on conflicts."""
    changed, conflicts, kept = _apply_update(project, source, target, data, trust)
    if conflicts:
        kept_note = (
            f"; {', '.join(kept)} would have been deleted with your edits in them, so they "
            "were kept: move your edits where the template now has them, then delete them"
            if kept
            else ""
        )
        raise UpdateConflictError(
            f"updated to {target} with conflicts in {', '.join(conflicts)}: resolve the "
            "<<<<<<< markers (and any .rej file), then git add and commit"
            f"{kept_note}; `git reset --hard && git clean -fd` abandons the update"
        )
    return changed


def _apply_update(
    project: Path, source: TemplateSource, target: str, data: dict[str, Any], trust: bool
) -> tuple[list[str], list[str], list[str]]:
    """Run Copier's update; return the changed files, the conflicts and the edited files kept.

    Copier deletes a file the new render no longer has (e.g. the old package after
    ``--data package_name=...``) even when the user edited it (D8): such a file is restored
    and counted as a conflict.
    """
    copier_adapter.update(project, source, target, data, trust=trust)
    kept = []
    for code, name in _status(project):
        if code == " D" and _edited_since_created(project, name):
            git_run(project, "checkout", "HEAD", "--", name)
            kept.append(name)
    changed = sorted({name for _, name in _status(project)})
    conflicts = sorted({*_conflicts(project, changed), *kept})
    return changed, conflicts, kept


def _status(project: Path) -> list[tuple[str, str]]:
    """``git status`` as (two-letter code, path) pairs; paths unquoted, renames by new path."""
    entries = git_run(project, "status", "--porcelain=v1", "-z", "--untracked-files=all")
    result: list[tuple[str, str]] = []
    parts = iter(entries.split("\0"))
    for entry in parts:
        if len(entry) < 4:
            continue
        result.append((entry[:2], entry[3:]))
        if "R" in entry[:2] or "C" in entry[:2]:
            next(parts, None)  # the old path of a rename or copy
    return result


def _edited_since_created(project: Path, name: str) -> bool:
    """Whether ``name`` at HEAD differs from the version that first added it to the project."""
    added = git_run(project, "log", "--diff-filter=A", "--format=%H", "HEAD", "--", name).split()
    if not added:
        return True  # history unknown: assume the user's
    first = git_run(project, "rev-parse", f"{added[-1]}:{name}").strip()
    return first != git_run(project, "rev-parse", f"HEAD:{name}").strip()


def _conflicts(project: Path, changed: list[str]) -> list[str]:
    unmerged = {line.split("\t", 1)[-1] for line in git_run(project, "ls-files", "-u").splitlines()}
    found = set(unmerged)
    for name in changed:
        path = project / name
        if name.endswith(".rej"):
            found.add(name.removesuffix(".rej"))
        elif path.is_file():
            try:
                if CONFLICT_MARKER.search(path.read_text(encoding="utf-8")):
                    found.add(name)
            except UnicodeDecodeError:
                continue
    return sorted(found)
