"""Collect a person's mlportfolio projects: answers, evaluation envelope, summary, figures, URL.

Everything here reads what the projects already contain and never changes them: the answers
file (``.copier-answers.yml``, so a project made from a custom template counts too), the
evaluation envelope ``eval/metrics.json`` that every project type writes, the README's first
paragraph, ``eval/figures/`` and the ``origin`` remote. Nothing depends on the project type:
a type added tomorrow shows up as soon as it writes the envelope.

A project's contents are untrusted (a cloned repository could hold anything): sizes are
capped, links are never followed out of the project, and the renderers escape every string.
"""

from __future__ import annotations

import json
import math
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from .copier_adapter import ANSWERS_FILE, read_answers
from .errors import MlportfolioError

DEFAULT_DEPTH = 3  # how many folders below each PATH projects are looked for
ENVELOPE = Path("eval") / "metrics.json"
FIGURES = Path("eval") / "figures"
MAX_ENVELOPE_BYTES = 5_000_000
MAX_README_BYTES = 200_000
MAX_FIGURE_BYTES = 20_000_000
MAX_SUMMARY_CHARS = 320
# Raster images only: an SVG can carry script, and the site serves figures as files.
FIGURE_SIGNATURES = {
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".webp": (b"RIFF",),
    ".gif": (b"GIF87a", b"GIF89a"),
}
# Folders that never hold a project of their own and can be huge.
_PRUNED = {"node_modules", "__pycache__", "site-packages", "venv", "env", "build", "dist"}
_REMOTE = re.compile(
    r"^(?:(?:https?|ssh|git)://(?:[^@/]+@)?(?P<host1>[A-Za-z0-9.-]+)(?::\d+)?/"
    r"|(?:[^@/:]+@)?(?P<host2>[A-Za-z0-9.-]+):)"
    r"(?P<owner>[A-Za-z0-9_.-]+)/(?P<repo>[A-Za-z0-9_.-]+?)(?:\.git)?/?$"
)
_MARKDOWN_LINK = re.compile(r"!?\[([^\]]*)\]\((?:[^()]|\([^()]*\))*\)")
_MARKDOWN_MARKS = re.compile(r"(\*\*|__|`|<[^>]*>)")


@dataclass(frozen=True)
class ModelScores:
    """One model of an envelope: its label, role and metrics on each part of the split."""

    key: str
    label: str
    role: str
    train: Mapping[str, float]
    test: Mapping[str, float]
    validation: Mapping[str, float] | None = None

    def parts(self) -> list[tuple[str, Mapping[str, float]]]:
        """The parts of the split this model has metrics for, in train/validation/test order."""
        found = [("train", self.train), ("validation", self.validation), ("test", self.test)]
        return [(name, scores) for name, scores in found if scores is not None]


@dataclass(frozen=True)
class Evaluation:
    """What a project's ``eval/metrics.json`` says, as the portfolio shows it."""

    metric: str
    direction: Literal["higher", "lower"]
    chosen: ModelScores
    baseline: ModelScores
    models: tuple[ModelScores, ...]
    data_name: str
    data_description: str
    data_mode: str
    fixture: bool
    rows: int
    split_protocol: str
    split_sizes: Mapping[str, int]
    created: str

    @property
    def chosen_value(self) -> float:
        """The chosen model's test value of the primary metric."""
        return self.chosen.test[self.metric]

    @property
    def baseline_value(self) -> float:
        """The baseline's test value of the primary metric."""
        return self.baseline.test[self.metric]

    @property
    def beats_baseline(self) -> bool:
        """Whether the chosen model is strictly better than the baseline on the primary metric."""
        if self.direction == "higher":
            return self.chosen_value > self.baseline_value
        return self.chosen_value < self.baseline_value

    @property
    def verdict(self) -> Literal["better", "worse", "tie"]:
        """How the chosen model compares with the baseline on the primary metric."""
        if self.chosen_value == self.baseline_value:
            return "tie"
        return "better" if self.beats_baseline else "worse"

    @property
    def relative_change(self) -> float | None:
        """(chosen - baseline) / |baseline|, or None when the baseline is 0."""
        if self.baseline_value == 0:
            return None
        return (self.chosen_value - self.baseline_value) / abs(self.baseline_value)


@dataclass(frozen=True)
class Project:
    """One project as the portfolio and ``status`` see it."""

    path: Path
    name: str
    slug: str
    project_type: str  # "" when neither the answers nor the envelope name one
    summary: str
    answers: Mapping[str, Any]
    evaluation: Evaluation | None = None
    problem: str | None = None  # why eval/metrics.json could not be used, if it exists
    figures: tuple[Path, ...] = ()
    repo_url: str | None = None

    @property
    def template_version(self) -> str | None:
        """The template version the project was made or last updated from (``_commit``)."""
        commit = self.answers.get("_commit")
        return str(commit) if commit else None


@dataclass(frozen=True)
class Skipped:
    """A path that was given or found but is not a usable project, and why."""

    path: Path
    reason: str


@dataclass(frozen=True)
class Collection:
    """The projects found, in a stable order, and the paths skipped."""

    projects: list[Project] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)


class MalformedEnvelopeError(MlportfolioError):
    """``eval/metrics.json`` exists but is not an envelope the portfolio can read."""


def collect_projects(paths: Sequence[Path] = (), *, max_depth: int = DEFAULT_DEPTH) -> Collection:
    """Find and read every project under ``paths`` (default: the current directory).

    A path that is a project is read; a folder that is not is searched ``max_depth`` levels
    down (hidden folders, virtual environments and the inside of projects are not searched).
    A path that holds no project, or a project whose answers cannot be read, is skipped with
    the reason.
    """
    roots = list(paths) or [Path()]
    found: list[Path] = []
    skipped: list[Skipped] = []
    for root in roots:
        if not root.exists():
            skipped.append(Skipped(root, "does not exist"))
        elif not root.is_dir():
            skipped.append(Skipped(root, "not a folder"))
        else:
            inside = list(find_project_dirs(root, max_depth))
            if inside:
                found.extend(inside)
            else:
                skipped.append(
                    Skipped(root, f"no {ANSWERS_FILE} here or up to {max_depth} folders below")
                )
    projects: list[Project] = []
    seen: set[Path] = set()
    for path in found:
        key = path.resolve()
        if key in seen:
            continue
        seen.add(key)
        try:
            projects.append(load_project(path))
        except MlportfolioError as exc:
            skipped.append(Skipped(path, str(exc)))
    projects.sort(key=lambda p: (p.name.casefold(), str(p.path)))
    return Collection(projects, skipped)


def find_project_dirs(root: Path, max_depth: int) -> Iterable[Path]:
    """Folders at most ``max_depth`` levels below ``root`` that hold an answers file.

    A project's own subfolders are not searched, and links to folders are not followed (they
    could loop or lead anywhere).
    """
    if (root / ANSWERS_FILE).is_file():
        yield root
        return
    if max_depth <= 0:
        return
    try:
        entries = sorted(os.scandir(root), key=lambda e: e.name)
    except OSError:
        return
    for entry in entries:
        if entry.name.startswith(".") or entry.name in _PRUNED:
            continue
        try:
            if entry.is_dir(follow_symlinks=False):
                yield from find_project_dirs(Path(entry.path), max_depth - 1)
        except OSError:
            continue


def load_project(path: Path) -> Project:
    """Read one project; a missing or malformed envelope is recorded, not raised.

    Raises:
        MlportfolioError: the answers file cannot be read (the project is then skipped).
    """
    answers = read_answers(path)
    evaluation: Evaluation | None = None
    problem: str | None = None
    envelope: Mapping[str, Any] = {}
    if (path / ENVELOPE).exists() or (path / ENVELOPE).is_symlink():
        try:
            if not _inside(path, path / ENVELOPE):
                raise MalformedEnvelopeError(f"{ENVELOPE} leads out of the project")
            envelope = read_envelope(path / ENVELOPE)
            evaluation = parse_envelope(envelope)
        except MalformedEnvelopeError as exc:
            problem = str(exc)
    described = envelope.get("project")
    if not isinstance(described, dict):
        described = {}
    name = _text(answers.get("project_name")) or _text(described.get("name")) or path.name
    project_type = _text(answers.get("project_type")) or _text(described.get("type"))
    summary = readme_summary(path) or _text(answers.get("description"))
    return Project(
        path=path,
        name=name,
        slug=slugify(_text(answers.get("project_slug")) or name),
        project_type=project_type,
        summary=summary,
        answers=answers,
        evaluation=evaluation,
        problem=problem,
        figures=tuple(find_figures(path)),
        repo_url=remote_url(path),
    )


def _text(value: Any) -> str:
    """A one-line string from an answer or envelope value; '' for anything else."""
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        return ""
    return " ".join(str(value).split())


def slugify(text: str) -> str:
    """A file-name-safe slug: lower-case letters, digits and single hyphens."""
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug[:60].strip("-") or "project"


# --------------------------------------------------------------------------------------------
# The evaluation envelope


def read_envelope(path: Path) -> dict[str, Any]:
    """Load ``eval/metrics.json`` as a JSON object, or say why it cannot be one."""
    if path.is_symlink() or not path.is_file():
        raise MalformedEnvelopeError(f"{ENVELOPE} is not a regular file")
    if path.stat().st_size > MAX_ENVELOPE_BYTES:
        raise MalformedEnvelopeError(f"{ENVELOPE} is larger than {MAX_ENVELOPE_BYTES:,} bytes")
    try:
        loaded = json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise MalformedEnvelopeError(f"{ENVELOPE} is not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise MalformedEnvelopeError(
            f"{ENVELOPE} is not valid JSON (line {exc.lineno}: {exc.msg})"
        ) from None
    if not isinstance(loaded, dict):
        raise MalformedEnvelopeError(f"{ENVELOPE} does not hold a JSON object")
    return loaded


def _get(envelope: Mapping[str, Any], dotted: str, kind: type | tuple[type, ...]) -> Any:
    value: Any = envelope
    for key in dotted.split("."):
        if not isinstance(value, dict) or key not in value:
            raise MalformedEnvelopeError(f"{ENVELOPE} lacks {dotted}")
        value = value[key]
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
        raise MalformedEnvelopeError(f"{ENVELOPE}: {dotted} has the wrong type")
    return value


def _scores(value: Any, where: str) -> dict[str, float]:
    if not isinstance(value, dict):
        raise MalformedEnvelopeError(f"{ENVELOPE}: {where} is not an object of metrics")
    scores: dict[str, float] = {}
    for name, number in value.items():
        if isinstance(number, bool) or not isinstance(number, int | float):
            raise MalformedEnvelopeError(f"{ENVELOPE}: {where}.{name} is not a number")
        if not math.isfinite(number):
            raise MalformedEnvelopeError(f"{ENVELOPE}: {where}.{name} is not finite")
        scores[str(name)] = float(number)
    return scores


def parse_envelope(envelope: Mapping[str, Any]) -> Evaluation:
    """The parts of an envelope the portfolio shows, checked (schema ``1.x``).

    Only what is shown is checked, so a newer minor version with more fields still reads.
    """
    version = _get(envelope, "schema_version", str)
    if not re.fullmatch(r"1\.\d+", version):
        raise MalformedEnvelopeError(
            f"{ENVELOPE} has schema_version {version[:20]!r}; this mlportfolio reads 1.x"
        )
    metric = _get(envelope, "primary_metric.name", str)
    direction = _get(envelope, "primary_metric.direction", str)
    if direction not in ("higher", "lower"):
        raise MalformedEnvelopeError(f"{ENVELOPE}: primary_metric.direction must be higher/lower")
    raw_models = _get(envelope, "models", dict)
    if not raw_models:
        raise MalformedEnvelopeError(f"{ENVELOPE}: models is empty")
    models = []
    for key, model in raw_models.items():
        where = f"models.{key}"
        if not isinstance(model, dict):
            raise MalformedEnvelopeError(f"{ENVELOPE}: {where} is not an object")
        metrics = _get(model, "metrics", dict)
        validation = metrics.get("validation")
        models.append(
            ModelScores(
                key=str(key),
                label=_text(model.get("label")) or str(key),
                role=_text(model.get("role")) or "model",
                train=_scores(metrics.get("train", {}), f"{where}.metrics.train"),
                test=_scores(metrics.get("test"), f"{where}.metrics.test"),
                validation=(
                    None
                    if validation is None
                    else _scores(validation, f"{where}.metrics.validation")
                ),
            )
        )
    by_key = {m.key: m for m in models}
    picked = {}
    for role in ("baseline", "chosen_model"):
        key = _get(envelope, role, str)
        if key not in by_key:
            raise MalformedEnvelopeError(f"{ENVELOPE}: {role} {key[:40]!r} is not among the models")
        if metric not in by_key[key].test:
            raise MalformedEnvelopeError(
                f"{ENVELOPE}: model {key[:40]!r} has no test {metric[:40]!r}, the primary metric"
            )
        picked[role] = by_key[key]
    created = _get(envelope, "created", str)
    split = _get(envelope, "split", dict)
    sizes = {
        part: int(split[f"{part}_size"])
        for part in ("train", "validation", "test")
        if isinstance(split.get(f"{part}_size"), int)
        and not isinstance(split.get(f"{part}_size"), bool)
    }
    return Evaluation(
        metric=metric,
        direction="higher" if direction == "higher" else "lower",
        chosen=picked["chosen_model"],
        baseline=picked["baseline"],
        models=tuple(models),
        data_name=_text(_get(envelope, "data.name", str)),
        data_description=_text(_get(envelope, "data.description", str)),
        data_mode=_text(_get(envelope, "data.mode", str)),
        fixture=_get(envelope, "data.fixture", bool),
        rows=_get(envelope, "data.rows", int),
        split_protocol=_text(_get(envelope, "split.protocol", str)),
        split_sizes=sizes,
        created=created if re.fullmatch(r"[0-9T:Z-]{1,25}", created) else "",
    )


# --------------------------------------------------------------------------------------------
# README summary, figures and the published URL


def readme_summary(project: Path) -> str:
    """The README's first paragraph of prose (not a heading, badge, comment or list), as text."""
    readme = project / "README.md"
    if readme.is_symlink() or not readme.is_file() or not _inside(project, readme):
        return ""
    try:
        with readme.open(encoding="utf-8", errors="replace") as handle:
            text = handle.read(MAX_README_BYTES)
    except OSError:
        return ""
    text = re.sub(r"<!--.*?-->", "", text, flags=re.DOTALL)
    for block in re.split(r"\n\s*\n", text):
        lines = [line.strip() for line in block.strip().splitlines()]
        if not lines or lines[0].startswith(("#", "[![", "![", "```", "|", "- ", "* ", ">", "<")):
            continue
        plain = _MARKDOWN_MARKS.sub("", _MARKDOWN_LINK.sub(r"\1", " ".join(lines)))
        plain = " ".join(plain.split())
        if len(plain) > MAX_SUMMARY_CHARS:
            plain = plain[: MAX_SUMMARY_CHARS - 1].rsplit(" ", 1)[0] + "…"
        return plain
    return ""


def find_figures(project: Path) -> list[Path]:
    """The raster figures in ``eval/figures/``: regular files inside the project, checked by content."""
    folder = project / FIGURES
    if not folder.is_dir() or not _inside(project, folder):
        return []
    figures = []
    for path in sorted(folder.iterdir()):
        signatures = FIGURE_SIGNATURES.get(path.suffix.lower())
        if signatures is None or path.is_symlink() or not path.is_file():
            continue
        try:
            if path.stat().st_size > MAX_FIGURE_BYTES:
                continue
            with path.open("rb") as handle:
                head = handle.read(12)
        except OSError:
            continue
        if head.startswith(signatures) and (
            path.suffix.lower() != ".webp" or head[8:12] == b"WEBP"
        ):
            figures.append(path)
    return figures


def _inside(project: Path, path: Path) -> bool:
    """Whether ``path`` really lies in ``project`` (no link along the way leads out of it)."""
    try:
        return path.resolve().is_relative_to(project.resolve())
    except OSError:
        return False


def remote_url(project: Path, remote: str = "origin") -> str | None:
    """The web address of the project's ``origin`` remote, without any credentials; None if none.

    Read from ``.git/config`` directly: one git process per project would dominate the build
    of a large portfolio. Git's own URL forms (https, ssh, scp-like) are understood.
    """
    config = _git_config(project)
    if config is None:
        return None
    section = re.search(
        rf'^\s*\[remote\s+"{re.escape(remote)}"\]\s*$(.*?)(?=^\s*\[|\Z)',
        config,
        flags=re.MULTILINE | re.DOTALL,
    )
    if not section:
        return None
    url = re.search(r"^\s*url\s*=\s*(\S+)\s*$", section.group(1), flags=re.MULTILINE)
    return web_url(url.group(1)) if url else None


def _git_config(project: Path) -> str | None:
    dot_git = project / ".git"
    try:
        if dot_git.is_file():  # a worktree or submodule: "gitdir: <path>"
            pointer = dot_git.read_text(encoding="utf-8").strip().removeprefix("gitdir:").strip()
            git_dir = (project / pointer).resolve()
            common = git_dir / "commondir"
            if common.is_file():
                git_dir = (git_dir / common.read_text(encoding="utf-8").strip()).resolve()
            dot_git = git_dir
        config = dot_git / "config"
        if not config.is_file():
            return None
        return config.read_text(encoding="utf-8", errors="replace")[:MAX_README_BYTES]
    except OSError:
        return None


def web_url(remote: str) -> str | None:
    """``https://host/owner/repo`` for a git remote URL (credentials dropped), or None."""
    match = _REMOTE.match(remote.strip())
    if not match:
        return None
    host = (match.group("host1") or match.group("host2")).lower()
    if host in ("localhost", "127.0.0.1") or "." not in host:
        return None  # a local or test remote: nothing a reader could open
    return f"https://{host}/{match.group('owner')}/{match.group('repo')}"
