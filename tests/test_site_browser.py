"""End to end: generate every project type, evaluate it, build the site and check it in a real browser.

Needs Chromium (Debian: ``apt-get install chromium``; or ``MLPORTFOLIO_CHROMIUM=/path``): the
tests are skipped, saying so, only when no browser binary is found. Playwright drives it;
axe-core (npm, installed on first use into pytest's cache) checks accessibility and contrast.
Screenshots at phone and desktop widths are written to ``$MLPORTFOLIO_TEST_ARTIFACTS`` (default:
a folder in pytest's temporary directory, printed in the report).
"""

from __future__ import annotations

import itertools
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from mlportfolio.catalog import load_catalog
from mlportfolio.create import NewProject, create_project
from mlportfolio.portfolio import Project, collect_projects
from mlportfolio.site import build_site, format_value, serve_site
from tests.portfolio_helpers import make_project

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("browser")]

AXE_VERSION = "4.14.1"
HOSTILE = '<img src=x onerror="document.title=\'pwned\'"><script>document.title="pwned"</script>'
VIEWPORTS = {"phone": (390, 844), "desktop": (1280, 900)}


def chromium() -> str | None:
    """The system Chromium: $MLPORTFOLIO_CHROMIUM, else the first of the usual names on PATH."""
    named = os.environ.get("MLPORTFOLIO_CHROMIUM")
    if named:
        return named if Path(named).is_file() else None
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    return None


def run(cmd: list[str], cwd: Path, env: dict[str, str] | None = None) -> None:
    done = subprocess.run(
        cmd, cwd=cwd, env=env, check=False, capture_output=True, text=True, timeout=900
    )
    assert done.returncode == 0, f"{' '.join(cmd)} failed:\n{done.stdout}\n{done.stderr}"


@dataclass
class Site:
    url: str
    directory: Path
    projects: list[Project]
    artifacts: Path


@pytest.fixture(scope="module")
def browser_path() -> str:
    path = chromium()
    if path is None:
        pytest.skip(
            "no Chromium found (apt-get install chromium, or set MLPORTFOLIO_CHROMIUM): "
            "the browser checks of the portfolio site did not run"
        )
    return path


@pytest.fixture(scope="module")
def axe_script(request: pytest.FixtureRequest) -> str:
    """axe-core's browser script, installed from npm into pytest's cache on first use."""
    cache = request.config.cache
    assert cache is not None
    folder = cache.mkdir(f"axe-core-{AXE_VERSION}")
    script = folder / "node_modules" / "axe-core" / "axe.min.js"
    if not script.is_file():
        npm = shutil.which("npm")
        if npm is None:
            pytest.fail("npm is needed to install axe-core for the accessibility checks")
        run(
            [
                npm,
                "install",
                "--silent",
                "--no-save",
                "--prefix",
                str(folder),
                f"axe-core@{AXE_VERSION}",
            ],
            folder,
        )
    return script.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def site(browser_path: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """Every type generated, trained and evaluated on its sample, plus two bad projects, served."""
    root = tmp_path_factory.mktemp("portfolio")
    venv = root / ".venv"
    from uv import find_uv_bin

    uv = find_uv_bin()
    run([uv, "venv", "--quiet", "--python", sys.executable, str(venv)], root)
    made = []
    for project_type in sorted(load_catalog()):
        path = root / project_type
        create_project(NewProject(project_type, path, defaults=True, git=False))
        made.append(path)
    run([uv, "pip", "install", "--quiet", "--python", str(venv), *(f"-e{p}" for p in made)], root)
    python = str(venv / "bin" / "python")
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    for path in made:
        package = str(collect_projects([path]).projects[0].answers["package_name"])
        for step in ("train", "evaluate"):
            run([python, "-m", package, step], path, env)
    make_project(root, "hostile", name=HOSTILE, readme=f"# x\n\nText {HOSTILE}\n")
    make_project(root, "broken", name="Broken Metrics", metrics="{")

    collection = collect_projects([root])
    directory = root / "site"
    build_site(collection.projects, directory, title="E2E portfolio")
    server = serve_site(directory, port=0)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
    )
    thread.start()
    artifacts = Path(os.environ.get("MLPORTFOLIO_TEST_ARTIFACTS") or root / "artifacts")
    artifacts.mkdir(parents=True, exist_ok=True)
    try:
        yield Site(
            f"http://127.0.0.1:{server.server_address[1]}/",
            directory,
            collection.projects,
            artifacts,
        )
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def browser(browser_path: str) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=browser_path)
        try:
            yield launched
        finally:
            launched.close()


def open_page(browser: Any, url: str, viewport: tuple[int, int]) -> tuple[Any, list[str]]:
    """A loaded page and the problems seen: console errors, page errors, foreign requests."""
    context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]})
    page = context.new_page()
    problems: list[str] = []
    page.on(
        "console",
        lambda m: (
            problems.append(f"console {m.type}: {m.text}")
            if m.type in ("error", "warning")
            else None
        ),
    )
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    base = url.split("/", 3)[:3]
    page.on(
        "request",
        lambda r: (
            None if r.url.split("/", 3)[:3] == base else problems.append(f"request to {r.url}")
        ),
    )
    page.on("requestfailed", lambda r: problems.append(f"failed request {r.url}"))
    page.on(
        "response",
        lambda r: problems.append(f"HTTP {r.status} for {r.url}") if r.status >= 400 else None,
    )
    page.goto(url, wait_until="networkidle")
    for image in page.locator("img").all():  # lazy images load once scrolled to
        image.scroll_into_view_if_needed()
    page.wait_for_function("Array.from(document.images).every(i => i.complete)")
    page.evaluate("window.scrollTo(0, 0)")
    return page, problems


def check_accessibility(page: Any, axe_script: str) -> None:
    page.evaluate(axe_script)
    results = page.evaluate(
        "axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21aa', 'best-practice']}})"
    )
    violations = [
        f"{v['id']}: {v['help']} ({len(v['nodes'])}x, e.g. {v['nodes'][0]['html'][:120]})"
        for v in results["violations"]
    ]
    assert not violations, "\n".join(violations)
    checked = {rule["id"] for rule in results["passes"]} | {
        rule["id"] for rule in results["inapplicable"]
    }
    assert "color-contrast" in checked


def check_structure(page: Any) -> None:
    levels = page.eval_on_selector_all(
        "h1, h2, h3, h4", "els => els.map(e => Number(e.tagName[1]))"
    )
    assert levels[0] == 1 and levels.count(1) == 1, levels
    assert all(b - a <= 1 for a, b in itertools.pairwise(levels)), levels
    images = page.eval_on_selector_all(
        "img", "els => els.map(e => [e.getAttribute('alt'), e.complete && e.naturalWidth > 0])"
    )
    assert all(alt and loaded for alt, loaded in images), images
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the page is {overflow}px wider than the window"


@pytest.mark.parametrize("width", sorted(VIEWPORTS))
def test_index_shows_every_card_with_its_numbers(
    site: Site, browser: Any, axe_script: str, width: str
) -> None:
    page, problems = open_page(browser, site.url + "index.html", VIEWPORTS[width])
    page.screenshot(path=str(site.artifacts / f"index-{width}.png"), full_page=True)
    print(f"screenshots in {site.artifacts}")

    cards = page.locator("li.card")
    assert cards.count() == len(site.projects)
    evaluated = [p for p in site.projects if p.evaluation is not None]
    assert len(evaluated) == len(load_catalog())  # every generated type was evaluated
    for project in site.projects:
        card = cards.filter(has_text=project.name)
        assert card.count() == 1, project.name
        text = card.inner_text()
        if project.evaluation is not None:
            assert format_value(project.evaluation.chosen_value) in text
            assert format_value(project.evaluation.baseline_value) in text
            assert project.evaluation.metric in text
            assert card.locator("img").count() == 1
        elif project.problem:
            assert "Metrics could not be read" in text
        else:
            assert "Not evaluated yet" in text
    assert page.title() == "E2E portfolio"  # the hostile name ran nothing
    assert HOSTILE in cards.filter(has_text="pwned").first.inner_text()

    boxes = [cards.nth(i).bounding_box() for i in range(cards.count())]
    viewport_width = VIEWPORTS[width][0]
    assert all(box["x"] >= 0 and box["x"] + box["width"] <= viewport_width + 0.5 for box in boxes)
    columns = len({round(box["x"]) for box in boxes})
    assert columns == 1 if width == "phone" else columns >= 2

    check_structure(page)
    check_accessibility(page, axe_script)
    assert problems == []


def test_project_pages_show_every_metric_and_figure(
    site: Site, browser: Any, axe_script: str
) -> None:
    page, problems = open_page(browser, site.url + "index.html", VIEWPORTS["desktop"])
    for project in site.projects:
        page.goto(site.url + "index.html")
        page.locator("li.card").filter(has_text=project.name).locator("h2 a").click()
        page.wait_for_load_state("networkidle")
        for image in page.locator("img").all():
            image.scroll_into_view_if_needed()
        page.wait_for_function("Array.from(document.images).every(i => i.complete)")
        assert page.locator("h1").inner_text() == project.name
        body = page.locator("main").inner_text()
        if project.evaluation is not None:
            for model in project.evaluation.models:
                assert model.label in body
                for metric, value in model.test.items():
                    assert metric in body and format_value(value) in body
            assert page.locator("figure img").count() == len(project.figures)
        check_structure(page)
        check_accessibility(page, axe_script)
        if project.evaluation is not None:
            page.screenshot(
                path=str(site.artifacts / f"project-{project.slug}-desktop.png"), full_page=True
            )
    assert problems == []
