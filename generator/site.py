"""Render collected projects: a static site, a Markdown section for a profile README, a Pages workflow.

The site is plain HTML and one stylesheet made from Jinja2 templates shipped in the package, with
autoescaping on and a Content-Security-Policy that allows nothing but the site's own styles and
images: no scripts, no fonts or CDNs, so it makes no request outside itself. Every string comes
from a project (untrusted) and is escaped; file names are slugs chosen here.
"""

from __future__ import annotations

import importlib.util
import math
import os
import re
import shutil
import struct
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from .errors import UserError
from .portfolio import Evaluation, Project

TEMPLATES = Path(__file__).resolve().parent / "site_templates"
MANIFEST = ".mlportfolio-site"  # the files a build wrote: proof the folder is ours to rewrite
MAX_FIGURE_WIDTH = 1200  # px: wider figures are downscaled when Pillow is installed
MARK_START = "<!-- portfolio:start -->"
MARK_END = "<!-- portfolio:end -->"
PAGES_WORKFLOW = Path(".github") / "workflows" / "pages.yml"


@dataclass
class SiteResult:
    """What ``build_site`` wrote, and anything the user should know about it."""

    directory: Path
    pages: list[Path] = field(default_factory=list)
    figures: int = 0
    notes: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------------------------
# Numbers as the pages show them


def format_value(value: float) -> str:
    """A metric value, short: 3 decimals below 100, fewer above, thousands separated."""
    if math.isnan(value):  # never from a checked envelope; shown honestly anyway
        return "n/a"
    size = abs(value)
    if size >= 1000:
        return f"{value:,.0f}"
    if size >= 100:
        return f"{value:.1f}"
    return f"{value:.3f}"


def format_change(evaluation: Evaluation) -> str:
    """The chosen model's change against the baseline, e.g. ``+12.5%`` (or '' if undefined)."""
    change = evaluation.relative_change
    return "" if change is None else f"{change:+.1%}"


@cache
def _environment() -> Any:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        # HTML templates escape every value; the Markdown and YAML ones escape by hand
        autoescape=jinja2.select_autoescape(
            enabled_extensions=("html.j2",), disabled_extensions=("md.j2", "yml.j2"), default=True
        ),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["value"] = format_value
    env.filters["change"] = format_change
    return env


# --------------------------------------------------------------------------------------------
# The static site


def build_site(
    projects: Sequence[Project], directory: Path, *, title: str = "Machine-learning portfolio"
) -> SiteResult:
    """Write the site into ``directory``: ``index.html``, one page per project, figures, CSS.

    ``directory`` must be empty, new, or a site an earlier build wrote (it then loses the files
    that build wrote and this one does not); anything else is refused before writing.
    """
    _claim(directory)
    result = SiteResult(directory)
    # evaluated projects first, then those still to evaluate, then unreadable ones
    projects = sorted(projects, key=lambda p: (p.problem is not None, p.evaluation is None))
    slugs = _unique_slugs(projects)
    pillow = importlib.util.find_spec("PIL") is not None
    written: set[Path] = set()
    cards: list[dict[str, Any]] = []
    for project, slug in zip(projects, slugs, strict=True):
        figures = []
        for source in project.figures:
            target = Path("figures") / slug / source.name
            size = _copy_figure(source, directory / target, resize=pillow)
            written.add(target)
            result.figures += 1
            figures.append({"src": target.as_posix(), "name": _figure_title(source), "size": size})
        cards.append(
            {"project": project, "slug": slug, "page": f"projects/{slug}.html", "figures": figures}
        )
    if not pillow and result.figures:
        result.notes.append(
            "figures were copied at their own size (pip install Pillow to downscale large ones)"
        )
    env = _environment()
    pages = {
        Path("index.html"): env.get_template("index.html.j2").render(
            title=title, cards=cards, root=""
        )
    }
    for card in cards:
        pages[Path(card["page"])] = env.get_template("project.html.j2").render(
            title=title, card=card, root="../"
        )
    for asset in ("style.css", "favicon.svg"):
        pages[Path(asset)] = (TEMPLATES / asset).read_text(encoding="utf-8")
    for relative, text in pages.items():
        _write_if_changed(directory / relative, text)
        written.add(relative)
        if relative.suffix == ".html":
            result.pages.append(directory / relative)
    _prune(directory, written)
    return result


def _claim(directory: Path) -> None:
    if directory.exists() and not directory.is_dir():
        raise UserError(f"{directory} is a file, not a folder: choose another --output")
    if directory.is_dir() and any(directory.iterdir()) and not (directory / MANIFEST).is_file():
        raise UserError(
            f"{directory} is not empty and was not written by `mlportfolio portfolio`: choose "
            "another --output (nothing was written)"
        )
    directory.mkdir(parents=True, exist_ok=True)


def _prune(directory: Path, written: set[Path]) -> None:
    """Remove what the previous build wrote and this one did not; record this build's files."""
    manifest = directory / MANIFEST
    previous = manifest.read_text(encoding="utf-8").splitlines() if manifest.is_file() else []
    keep = {p.as_posix() for p in written}
    for name in previous:
        stale = directory / name
        if name in keep or ".." in Path(name).parts or Path(name).is_absolute():
            continue
        inside = stale.resolve().is_relative_to(directory.resolve())
        if inside and stale.is_file() and not stale.is_symlink():
            stale.unlink()
            for parent in stale.parents:
                if parent == directory or any(parent.iterdir()):
                    break
                parent.rmdir()
    manifest.write_text("".join(f"{name}\n" for name in sorted(keep)), encoding="utf-8")


def _unique_slugs(projects: Sequence[Project]) -> list[str]:
    used: dict[str, int] = {}
    slugs = []
    for project in projects:
        count = used.get(project.slug, 0)
        used[project.slug] = count + 1
        slugs.append(project.slug if count == 0 else f"{project.slug}-{count + 1}")
    return slugs


def _figure_title(path: Path) -> str:
    words = path.stem.replace("_", " ").replace("-", " ").strip()
    return (words[:1].upper() + words[1:]) or "Figure"


def _write_if_changed(path: Path, text: str) -> None:
    data = text.encode("utf-8")
    if path.is_file() and path.stat().st_size == len(data) and path.read_bytes() == data:
        return  # rebuilding an unchanged site rewrites nothing (and keeps modification times)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".part")
    partial.write_bytes(data)
    partial.replace(path)


def _copy_figure(source: Path, target: Path, *, resize: bool) -> tuple[int, int] | None:
    """Copy a figure (downscaled past ``MAX_FIGURE_WIDTH`` with Pillow); return its size in px."""
    stat = source.stat()
    fresh = target.is_file() and target.stat().st_mtime_ns == stat.st_mtime_ns
    target.parent.mkdir(parents=True, exist_ok=True)
    if resize:
        from PIL import Image

        with Image.open(source) as image:
            if not fresh:
                if image.width > MAX_FIGURE_WIDTH:
                    height = round(image.height * MAX_FIGURE_WIDTH / image.width)
                    image.resize((MAX_FIGURE_WIDTH, height), Image.Resampling.LANCZOS).save(target)
                else:
                    shutil.copyfile(source, target)
                os.utime(target, ns=(stat.st_atime_ns, stat.st_mtime_ns))
        with Image.open(target) as written:
            return written.width, written.height
    if not fresh:
        shutil.copyfile(source, target)
        os.utime(target, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    return png_size(target)


def png_size(path: Path) -> tuple[int, int] | None:
    """Width and height of a PNG from its header (None for other formats)."""
    with path.open("rb") as handle:
        head = handle.read(24)
    if len(head) < 24 or not head.startswith(b"\x89PNG\r\n\x1a\n") or head[12:16] != b"IHDR":
        return None
    width, height = struct.unpack(">II", head[16:24])
    return int(width), int(height)


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """Keep the terminal for the CLI's own output."""


def serve_site(directory: Path, port: int = 8000) -> ThreadingHTTPServer:
    """An HTTP server for ``directory`` on 127.0.0.1 (port 0: any free port), not yet serving."""
    if not (directory / "index.html").is_file():
        raise UserError(f"{directory} has no index.html: build the site first")
    root = str(directory.resolve())

    class Handler(_QuietHandler):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, directory=root, **kwargs)

    try:
        return ThreadingHTTPServer(("127.0.0.1", port), Handler)
    except OSError as exc:
        raise UserError(f"cannot serve on 127.0.0.1:{port} ({exc.strerror}): try --port") from None


# --------------------------------------------------------------------------------------------
# The Markdown section of a profile README


def markdown_escape(text: str) -> str:
    """Text that GitHub's Markdown shows literally: no markup, links, HTML or table breaks."""
    text = " ".join(text.split())
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    for char in "\\`*_[]!|~":
        text = text.replace(char, "\\" + char)
    return text


def render_markdown(projects: Sequence[Project]) -> str:
    """The portfolio as a Markdown table, between the marker comments."""
    template = _environment().get_template("section.md.j2")
    return str(template.render(projects=projects, md=markdown_escape, metric_cell=_metric_cell))


def _metric_cell(project: Project) -> str:
    evaluation = project.evaluation
    if project.problem:
        return "metrics unreadable"
    if evaluation is None:
        return "not evaluated yet"
    change = format_change(evaluation)
    text = (
        f"{evaluation.metric} {format_value(evaluation.chosen_value)} "
        f"({evaluation.chosen.label}) vs {format_value(evaluation.baseline_value)} "
        f"({evaluation.baseline.label}){f', {change}' if change else ''}"
    )
    return markdown_escape(text)


def write_markdown_section(path: Path, section: str) -> bool:
    """Put ``section`` between the portfolio markers of ``path``; True if the file changed.

    The rest of the file is kept byte for byte; without markers the section is appended, and a
    new file is created. Markers out of order or repeated are refused (nothing is written).
    """
    if path.is_symlink():
        raise UserError(f"{path} is a symbolic link: give the file itself")
    if path.exists() and not path.is_file():
        raise UserError(f"{path} is not a file")
    old = path.read_text(encoding="utf-8") if path.exists() else ""
    starts, ends = old.count(MARK_START), old.count(MARK_END)
    if starts == ends == 0:
        new = old + ("\n" if old and not old.endswith("\n") else "") + ("\n" if old else "")
        new += section
    elif starts == ends == 1 and old.index(MARK_START) < old.index(MARK_END):
        before, rest = old.split(MARK_START, 1)
        after = rest.split(MARK_END, 1)[1]
        new = before + section.rstrip("\n") + after
    else:
        raise UserError(
            f"{path} must hold {MARK_START} once, before {MARK_END} once (it has {starts} and "
            f"{ends}): fix the markers; nothing was written"
        )
    if new == old:
        return False
    partial = path.with_name(path.name + ".part")
    partial.write_text(new, encoding="utf-8")
    partial.replace(path)
    return True


# --------------------------------------------------------------------------------------------
# GitHub Pages


def init_pages(repository: Path, site: str = "site") -> tuple[Path, bool]:
    """Write the GitHub Pages workflow that publishes the committed ``site`` folder.

    Returns the workflow's path and whether it was written (False: already identical). A
    different workflow already there is refused.
    """
    target, text = check_pages(repository, site)
    if text is None:
        return target, False
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    return target, True


def check_pages(repository: Path, site: str = "site") -> tuple[Path, str | None]:
    """The Pages workflow's path and text (None: already there), or why it cannot be written."""
    if not re.fullmatch(r"[A-Za-z0-9_][A-Za-z0-9_./-]*", site) or ".." in Path(site).parts:
        raise UserError(
            f"the site folder {site!r} must be inside this repository (the current folder), "
            "as a relative path"
        )
    text = str(_environment().get_template("pages.yml.j2").render(site=Path(site).as_posix()))
    target = repository / PAGES_WORKFLOW
    if target.is_file():
        if target.read_text(encoding="utf-8") == text:
            return target, None
        raise UserError(f"{target} exists and differs: remove it to write the Pages workflow")
    return target, text
