"""Rendering: the static site, the Markdown section, the Pages workflow, the preview server."""

from __future__ import annotations

import itertools
import subprocess
import sys
import threading
import urllib.request
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml

from mlportfolio.errors import UserError
from mlportfolio.portfolio import collect_projects
from mlportfolio.site import (
    MANIFEST,
    build_site,
    format_value,
    init_pages,
    markdown_escape,
    render_markdown,
    serve_site,
    write_markdown_section,
)
from tests.portfolio_helpers import ENVELOPE, envelope, make_project, tiny_png

HOSTILE = '<script>alert("name")</script><img src=x onerror=alert(1)>'
HOSTILE_README = (
    "# x\n\nSummary <script>alert('readme')</script> [click](javascript:alert(1)) "
    '<a href="https://evil.example">evil</a> {{ 7*7 }} | pipe\n'
)
ALLOWED_TAGS = {
    "html", "head", "meta", "title", "link", "body", "a", "header", "p", "main", "h1", "h2",
    "ul", "li", "article", "dl", "div", "dt", "dd", "span", "strong", "img", "footer", "code",
    "table", "caption", "thead", "tbody", "tr", "th", "td", "figure", "figcaption", "time",
}  # fmt: skip


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def _tags(html: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Tags()
    parser.feed(html)
    return parser.tags


@pytest.fixture
def projects(tmp_path: Path) -> Path:
    root = tmp_path / "projects"
    make_project(
        root,
        "good",
        name="Good Model",
        metrics=envelope(),
        readme="# Good\n\nPredicts well.\n",
        figures={"confusion_matrix.png": tiny_png(40, 30), "roc.png": tiny_png()},
        remote="https://github.com/ada/good.git",
    )
    make_project(root, "fresh", name="Fresh Project")
    make_project(root, "broken", name="Broken Metrics", metrics="{oops")
    return root


def test_site_has_a_card_per_project_and_a_page_each(projects: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    result = build_site(collect_projects([projects]).projects, site, title="Ada's work")

    assert sorted(p.relative_to(site).as_posix() for p in result.pages) == [
        "index.html",
        "projects/broken.html",
        "projects/fresh.html",
        "projects/good.html",
    ]
    index = (site / "index.html").read_text(encoding="utf-8")
    assert index.count('<li class="card">') == 3
    assert "Ada&#39;s work" in index
    assert "0.800" in index and "0.400" in index and "+100.0%" in index
    assert "logistic regression" in index and "majority class" in index
    assert "Not evaluated yet" in index
    assert "Metrics could not be read" in index and "not valid JSON" in index
    assert "fixture data" in index
    assert 'href="https://github.com/ada/good"' in index
    assert 'src="figures/good/confusion_matrix.png"' in index
    assert 'width="40" height="30"' in index
    assert (site / "figures" / "good" / "roc.png").read_bytes() == tiny_png()
    assert (site / "style.css").is_file()
    for tag, attrs in _tags(index):
        if tag in ("link", "img"):
            assert not str(attrs.get("href") or attrs.get("src")).startswith(("http", "//"))

    page = (site / "projects" / "good.html").read_text(encoding="utf-8")
    assert page.count("<table>") == 3  # test, validation and train metrics
    assert "logistic regression (chosen)" in page and "majority class (baseline)" in page
    assert "(baseline) (baseline)" not in page
    assert "0.990" in page and "0.812" in page  # train f1, test accuracy
    assert 'src="../figures/good/roc.png"' in page and 'href="../style.css"' in page
    assert "stratified 50/50 split" in page and "2026-11-29T12:00:00Z" in page


def test_every_image_has_alt_text_and_headings_are_in_order(projects: Path, tmp_path: Path) -> None:
    result = build_site(collect_projects([projects]).projects, tmp_path / "site")
    for page in result.pages:
        tags = _tags(page.read_text(encoding="utf-8"))
        assert all(attrs.get("alt") for tag, attrs in tags if tag == "img")
        levels = [int(tag[1]) for tag, _ in tags if tag in ("h1", "h2", "h3")]
        assert levels[0] == 1 and levels.count(1) == 1
        assert all(b - a <= 1 for a, b in itertools.pairwise(levels))


def test_hostile_names_readmes_and_labels_cannot_inject_markup(tmp_path: Path) -> None:
    evil = envelope(
        project={"name": HOSTILE, "type": "x", "package": "x"},
        models={
            "majority": {
                "label": '"><script>alert("label")</script>',
                "role": "baseline",
                "params": {},
                "metrics": {"train": {}, "test": {"f1": 0.1, "<b>bold</b>": 1.0}},
            },
            "logreg": ENVELOPE["models"]["logreg"],
        },
        data={**ENVELOPE["data"], "description": "<iframe src=//evil.example>"},
    )
    make_project(
        tmp_path / "p",
        "evil",
        name=HOSTILE,
        project_type="<b>type</b>",
        metrics=evil,
        readme=HOSTILE_README,
        remote='https://github.com/ada/evil"onmouseover="alert(1).git',
    )
    projects = collect_projects([tmp_path / "p"]).projects
    result = build_site(projects, tmp_path / "site", title=HOSTILE)

    for page in result.pages:
        html = page.read_text(encoding="utf-8")
        tags = _tags(html)
        assert {tag for tag, _ in tags} <= ALLOWED_TAGS
        for _, attrs in tags:
            assert not any(name.startswith("on") for name in attrs)
            assert not str(attrs.get("href", "")).startswith("javascript")
        assert "evil.example" not in [attrs.get("href") for _, attrs in tags]
        assert "&lt;script&gt;alert(&#34;name&#34;)&lt;/script&gt;" in html
    index = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    # the summary is text: the README's tags are dropped, the rest escaped
    assert "Summary alert(&#39;readme&#39;) click evil {{ 7*7 }} | pipe" in index

    section = render_markdown(projects)
    assert "<script" not in section and "<b>" not in section and "<iframe" not in section
    assert "\\[click\\](javascript:alert(1))" not in section  # no link survives
    assert all(line.count(" | ") == 4 for line in section.splitlines() if line.startswith("| "))


def test_rebuilding_removes_what_the_last_build_wrote_and_keeps_nothing_else(
    projects: Path, tmp_path: Path
) -> None:
    site = tmp_path / "site"
    collected = collect_projects([projects]).projects
    build_site(collected, site)
    mtime = (site / "index.html").stat().st_mtime_ns
    build_site(collected, site)
    assert (site / "index.html").stat().st_mtime_ns == mtime  # unchanged: not rewritten

    build_site([p for p in collected if p.slug != "good"], site)
    assert not (site / "projects" / "good.html").exists()
    assert not (site / "figures").exists()
    assert "good.html" not in (site / MANIFEST).read_text(encoding="utf-8")


def test_a_folder_that_is_not_a_site_is_refused_untouched(projects: Path, tmp_path: Path) -> None:
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "thesis.tex").write_text("years of work", encoding="utf-8")
    with pytest.raises(UserError, match="not empty and was not written"):
        build_site(collect_projects([projects]).projects, mine)
    assert [p.name for p in mine.iterdir()] == ["thesis.tex"]


def test_markdown_section_is_written_between_markers_idempotently(
    projects: Path, tmp_path: Path
) -> None:
    readme = tmp_path / "README.md"
    readme.write_text("# Ada\n\nHello.\n", encoding="utf-8")
    section = render_markdown(collect_projects([projects]).projects)

    assert write_markdown_section(readme, section) is True
    first = readme.read_text(encoding="utf-8")
    assert first.startswith("# Ada\n\nHello.\n\n<!-- portfolio:start -->")
    assert "| [Good Model](https://github.com/ada/good) | sentiment |" in first
    assert "f1 0.800 (logistic regression) vs 0.400 (majority class), +100.0%" in first
    assert "| Fresh Project | sentiment | - | not evaluated yet | not published |" in first
    assert "metrics unreadable" in first
    assert "actions/workflows/ci.yml/badge.svg" in first

    readme.write_text(first + "\nAfter the table.\n", encoding="utf-8")
    assert write_markdown_section(readme, section) is False
    assert readme.read_text(encoding="utf-8").endswith(
        "<!-- portfolio:end -->\n\nAfter the table.\n"
    )
    smaller = render_markdown(collect_projects([projects / "good"]).projects)
    assert write_markdown_section(readme, smaller) is True
    text = readme.read_text(encoding="utf-8")
    assert "Fresh Project" not in text and text.startswith("# Ada\n\nHello.\n\n")
    assert text.endswith("\n\nAfter the table.\n")


def test_broken_markers_are_refused_and_nothing_is_written(tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    broken = "<!-- portfolio:end -->\n<!-- portfolio:start -->\n"
    readme.write_text(broken, encoding="utf-8")
    with pytest.raises(UserError, match="fix the markers"):
        write_markdown_section(readme, "<!-- portfolio:start -->\n<!-- portfolio:end -->\n")
    assert readme.read_text(encoding="utf-8") == broken


def test_a_new_markdown_file_is_created(tmp_path: Path) -> None:
    target = tmp_path / "profile.md"
    assert write_markdown_section(target, "<!-- portfolio:start -->\nx\n<!-- portfolio:end -->\n")
    assert target.read_text(encoding="utf-8").startswith("<!-- portfolio:start -->")


def test_markdown_escape() -> None:
    assert markdown_escape("a|b *c* [d](e) <f>\nnext") == "a\\|b \\*c\\* \\[d\\](e) &lt;f&gt; next"


@pytest.mark.parametrize(
    ("value", "shown"),
    [(0.123456, "0.123"), (12.3456, "12.346"), (123.45, "123.5"), (12345.6, "12,346")],
)
def test_format_value(value: float, shown: str) -> None:
    assert format_value(value) == shown


def test_pages_workflow_is_valid_and_not_overwritten(tmp_path: Path) -> None:
    workflow, written = init_pages(tmp_path, "docs/site")
    assert written and workflow == tmp_path / ".github" / "workflows" / "pages.yml"
    loaded = yaml.safe_load(workflow.read_text(encoding="utf-8"))
    check = [
        sys.executable,
        "-m",
        "check_jsonschema",
        "--builtin-schema",
        "vendor.github-workflows",
    ]
    subprocess.run([*check, str(workflow)], check=True, capture_output=True)
    steps = loaded["jobs"]["deploy"]["steps"]
    assert {"path": "docs/site"} in [s.get("with") for s in steps]
    assert "${{ steps.deployment.outputs.page_url }}" in workflow.read_text(encoding="utf-8")
    assert init_pages(tmp_path, "docs/site") == (workflow, False)
    with pytest.raises(UserError, match="exists and differs"):
        init_pages(tmp_path, "site")
    with pytest.raises(UserError, match="inside this repository"):
        init_pages(tmp_path / "other", "../site")


def test_preview_server_serves_the_site_on_loopback(projects: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    build_site(collect_projects([projects]).projects, site)
    server = serve_site(site, port=0)
    host, port = server.server_address[:2]
    assert host == "127.0.0.1"
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
    )
    thread.start()
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/index.html", timeout=10) as reply:
            assert b"Good Model" in reply.read()
    finally:
        server.shutdown()
        server.server_close()
    with pytest.raises(UserError, match="no index\\.html"):
        serve_site(tmp_path, port=0)


def test_wide_figures_are_downscaled_when_pillow_is_installed(tmp_path: Path) -> None:
    image = pytest.importorskip("PIL.Image", reason="Pillow is optional: figures are then copied")
    buffer = tmp_path / "wide.png"
    image.new("RGB", (2400, 600), "white").save(buffer)
    make_project(
        tmp_path / "p", "wide", metrics=envelope(), figures={"wide.png": buffer.read_bytes()}
    )
    result = build_site(collect_projects([tmp_path / "p"]).projects, tmp_path / "site")
    assert result.notes == []
    with image.open(tmp_path / "site" / "figures" / "wide" / "wide.png") as copied:
        assert copied.size == (1200, 300)
    assert 'width="1200" height="300"' in (tmp_path / "site" / "index.html").read_text("utf-8")
