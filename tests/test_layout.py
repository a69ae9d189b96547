"""The template's layout: each type's folder reaches its projects, and nothing else does.

Renders every type quickly (no git, no install) with Copier through the one adapter. The module
runs on one xdist worker: its renders and Copier dry runs are cached per worker, so one worker
makes each of them once.
"""

from __future__ import annotations

import ast
import functools
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import jinja2
import pytest
import yaml

from mlportfolio.catalog import load_catalog
from mlportfolio.copier_adapter import QuestionInfo, applicable_questions, load_questions, render
from mlportfolio.templates import TEMPLATE_PARTS, TemplateSource, template_root

pytestmark = pytest.mark.xdist_group("layout")

ROOT = template_root()
TYPES = sorted(load_catalog())
NOT_COPIED = {"type.yml", "questions.yml", "_parts", '{{ "." }}', "__pycache__"}
# A long name, as a long project name gives: the project must stay ruff-clean with it (imports of
# the package that fit on one line with a short name do not with this one)
PACKAGE = "forecast_of_international_airline_demand"


OPTIONS = ("monitoring", "tracking")  # the production options, off by default
# A file or folder a project gets only for some answers: `{% if monitoring %}drift.py{% endif %}`,
# `{% if engine == 'spark' %}spark.py{% endif %}`
CONDITIONAL = re.compile(r"\{%\s*if\b.*?%\}(.*?)\{%\s*endif\s*%\}")


def project_path(path: str, answers: dict[str, object] | None) -> str | None:
    """The path a template file gets in a project (``None``: not there for these answers).

    Without ``answers`` every conditional file is listed under the name it has when present.
    """
    path = (
        path.removesuffix(".jinja")
        .replace("{{ package_name }}", PACKAGE)
        .replace("{{ _copier_conf.answers_file }}", ".copier-answers.yml")
    )
    if answers is None:
        return CONDITIONAL.sub(r"\1", path)
    rendered = jinja2.Environment(undefined=jinja2.StrictUndefined).from_string(path)
    target = rendered.render(answers)
    return None if "" in target.split("/") else target


def type_files(project_type: str, answers: dict[str, object] | None = None) -> dict[str, Path]:
    """The files a type's folder adds, by the path they get in a project."""
    folder = ROOT / "project_types" / project_type
    files = {}
    for path in folder.rglob("*"):
        relative = path.relative_to(folder)
        if NOT_COPIED.intersection(relative.parts) or path.is_dir():
            continue
        target = project_path(str(relative), answers)
        if target is not None:
            files[target] = path
    return files


def answers_of(project: Path) -> dict[str, object]:
    return dict(yaml.safe_load((project / ".copier-answers.yml").read_text()))


def common_files(answers: dict[str, object] | None = None) -> set[str]:
    """The files template/ gives every project, by the path they get in a project."""
    base = ROOT / "template"
    found = (
        project_path(str(p.relative_to(base)), answers) for p in base.rglob("*") if p.is_file()
    )
    return {p for p in found if p is not None and "__pycache__" not in p}


@pytest.fixture(scope="session")
def plain_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The template's files outside git: Copier renders them without cloning the repository."""
    copy = tmp_path_factory.mktemp("template")
    for part in TEMPLATE_PARTS:
        source = ROOT / part
        if source.is_dir():
            ignore = shutil.ignore_patterns("__pycache__")
            shutil.copytree(source, copy / part, symlinks=True, ignore=ignore)
        else:
            shutil.copy2(source, copy / part)
    return copy


PLAIN: list[Path] = []
RENDERS: dict[tuple[str, tuple[tuple[str, object], ...]], Path] = {}


def rendered(tmp_path: Path, project_type: str, **data: object) -> Path:
    target = tmp_path / "project"
    render(
        TemplateSource(str(PLAIN[0])),
        target,
        {"project_type": project_type, "package_name": PACKAGE, **data},
        {},
        defaults=True,
    )
    return target


def rendered_once(
    tmp_path_factory: pytest.TempPathFactory, project_type: str, **data: object
) -> Path:
    """A project for these answers, rendered once per worker: tests only read it."""
    key = (project_type, tuple(sorted(data.items())))
    if key not in RENDERS:
        RENDERS[key] = rendered(tmp_path_factory.mktemp(project_type), project_type, **data)
    return RENDERS[key]


@pytest.fixture(scope="session", autouse=True)
def _use_plain_template(plain_template: Path) -> None:
    PLAIN[:] = [plain_template]


@functools.cache
def asked(project_type: str) -> dict[str, QuestionInfo]:
    return applicable_questions(project_type, ROOT)  # a Copier dry run: once per worker


def questions_with_choices(project_type: str) -> dict[str, tuple[object, ...]]:
    """Each question of the type that has choices: its choices, the default first."""
    return {
        q.name: (q.default, *(c for c in q.choices if c != q.default))
        for q in asked(project_type).values()
        if q.choices
    }


def defaults(project_type: str) -> dict[str, object]:
    return {name: choices[0] for name, choices in questions_with_choices(project_type).items()}


@pytest.fixture(scope="module", params=TYPES)
def project(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    # the default answers: the same render as the first of the choice renders below
    return rendered_once(tmp_path_factory, str(request.param))


def project_type_of(project: Path) -> str:
    return str(yaml.safe_load((project / ".copier-answers.yml").read_text())["project_type"])


def test_no_path_is_given_by_both_template_and_a_type() -> None:
    for project_type in TYPES:
        clash = common_files() & set(type_files(project_type))
        assert not clash, f"{project_type} and template/ both write {sorted(clash)}"


def test_the_project_is_ruff_clean_with_a_long_package_name(project: Path) -> None:
    ruff = shutil.which("ruff", path=str(Path(sys.executable).parent))
    assert ruff, "ruff (a dev dependency) is not installed next to python"
    for check in (["check", "--quiet", "--no-cache"], ["format", "--check", "--no-cache"]):
        done = subprocess.run(
            [ruff, *check, "."], cwd=project, capture_output=True, text=True, check=False
        )
        assert done.returncode == 0, f"ruff {check[0]} in {project}:\n{done.stdout}{done.stderr}"


def test_every_file_of_the_type_reaches_its_project(project: Path) -> None:
    project_type = project_type_of(project)
    for target, source in type_files(project_type, answers_of(project)).items():
        assert (project / target).is_file(), f"{source} did not reach the project as {target}"
        if source.suffix != ".jinja":  # copied byte for byte, binary or not
            assert (project / target).read_bytes() == source.read_bytes(), target


def test_no_file_of_another_type_reaches_the_project(project: Path) -> None:
    project_type = project_type_of(project)
    own = set(type_files(project_type)) | common_files()
    for other in TYPES:
        for target in set(type_files(other)) - own:
            assert not (project / target).exists(), f"{other}'s {target} is in a {project_type}"


def test_nothing_but_the_type_and_the_common_skeleton(project: Path) -> None:
    project_type = project_type_of(project)
    answers = answers_of(project)
    expected = set(type_files(project_type, answers)) | common_files(answers)
    present = {str(p.relative_to(project)) for p in project.rglob("*") if p.is_file()}
    assert present == expected


@pytest.fixture(scope="module", params=TYPES)
def with_options(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Each type with every production option on: one render per type."""
    options = dict.fromkeys(OPTIONS, True)
    return rendered_once(tmp_path_factory, str(request.param), **options)


def test_options_add_their_files_and_stay_ruff_clean(with_options: Path) -> None:
    test_nothing_but_the_type_and_the_common_skeleton(with_options)
    test_the_project_is_ruff_clean_with_a_long_package_name(with_options)
    parses(with_options)
    for name in ("drift.py", "monitor.py", "tracking.py"):
        assert (with_options / "src" / PACKAGE / name).is_file()
    pyproject = tomllib.loads((with_options / "pyproject.toml").read_text(encoding="utf-8"))
    requirements = " ".join(pyproject["project"]["dependencies"])
    assert "mlflow" in requirements and "scipy" in requirements
    makefile = (with_options / "Makefile").read_text(encoding="utf-8")
    assert "\nmonitor:" in makefile and "\nui:" in makefile
    workflow = yaml.safe_load((with_options / ".github/workflows/monitor.yml").read_text())
    assert "schedule" in workflow[True]  # YAML 1.1 reads the key `on` as true
    for doc in ("README.md", "MODEL_CARD.md"):
        text = (with_options / doc).read_text(encoding="utf-8")
        assert "## Monitoring" in text and "MLflow" in text, doc


def test_options_off_leave_no_trace(project: Path) -> None:
    """Default answers: no file, import, dependency, target or line of either option."""
    words = re.compile(
        r"mlflow|make monitor|make ui|drift\.py|monitoring\.yaml|tracking\.yaml", re.IGNORECASE
    )
    for path in project.rglob("*"):
        if path.is_file() and path.suffix != ".png" and path.name != "digits.zip":
            text = path.read_text(encoding="utf-8", errors="replace")
            assert not words.search(text), f"{path.relative_to(project)}: {words.search(text)}"


def parses(project: Path) -> None:
    for path in project.rglob("*"):
        if path.suffix == ".toml":
            tomllib.loads(path.read_text(encoding="utf-8"))
        elif path.suffix in (".yml", ".yaml"):
            list(yaml.safe_load_all(path.read_text(encoding="utf-8")))
        elif path.suffix == ".py":
            ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def renders_per_type() -> int:
    """How many renders cover every choice of every type: the most choices a question has.

    Read from the question files, not from Copier's dry runs, so that collecting the module
    (in every xdist worker) runs no Copier. A type whose questions have fewer choices repeats
    its first answers in its last renders: those are cached, not rendered again.
    """
    questions = load_questions(ROOT)
    return max(
        len(questions[name].get("choices") or ()) for name in set(questions) - {"project_type"}
    )


@pytest.mark.parametrize("render", range(renders_per_type()))
@pytest.mark.parametrize("project_type", TYPES)
def test_every_choice_of_every_type_renders_valid_files(
    tmp_path_factory: pytest.TempPathFactory, project_type: str, render: int
) -> None:
    """Render i answers each question with its i-th choice (its default first, and from the
    start again when a question has fewer choices than the longest one): every choice of every
    question in as few renders as the longest question has choices; render 0 is the default
    project the other tests read.
    """
    questions = questions_with_choices(project_type)
    assert max(map(len, questions.values())) <= renders_per_type(), "a choice is never rendered"
    answers = {name: choices[render % len(choices)] for name, choices in questions.items()}
    given = {k: v for k, v in answers.items() if v != defaults(project_type)[k]}
    project = rendered_once(tmp_path_factory, project_type, **given)
    recorded = yaml.safe_load((project / ".copier-answers.yml").read_text())
    assert {key: recorded[key] for key in answers} == answers
    parses(project)
    if "python_version" in answers:
        value = str(answers["python_version"])
        # one schema check is enough: the matrix, longest for the lowest version, is what varies
        lowest = value == "3.11"
        ci_tests_every_supported_python(
            project, value, validate=project_type == TYPES[0] and lowest
        )


def ci_tests_every_supported_python(project: Path, lowest: str, *, validate: bool) -> None:
    """The CI matrix runs every choice from python_version up; lint runs pre-commit."""
    workflow_file = project / ".github" / "workflows" / "ci.yml"
    workflow = yaml.safe_load(workflow_file.read_text(encoding="utf-8"))
    choices = asked(TYPES[0])["python_version"].choices
    supported = [v for v in map(str, choices) if version(v) >= version(lowest)]
    assert workflow["jobs"]["test"]["strategy"]["matrix"]["python-version"] == supported
    steps = [step.get("run", "") for step in workflow["jobs"]["lint"]["steps"]]
    assert any(run.startswith("pre-commit run --all-files") for run in steps)
    if validate:  # GitHub's workflow schema, as the generated CI checks itself
        check = shutil.which("check-jsonschema", path=str(Path(sys.executable).parent))
        assert check, "check-jsonschema (a dev dependency) is not installed next to python"
        result = subprocess.run(
            [check, "--builtin-schema", "vendor.github-workflows", str(workflow_file)],
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, result.stdout + result.stderr


def version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split("."))


def test_generated_docs_say_how_each_type_tunes_and_list_its_tests(project: Path) -> None:
    project_type = project_type_of(project)
    readme = (project / "README.md").read_text(encoding="utf-8")
    makefile = (project / "Makefile").read_text(encoding="utf-8")
    tune_lines = [line for line in (readme + makefile).splitlines() if "make tune" in line]
    tune_lines += [line for line in makefile.splitlines() if line.startswith("tune:")]
    tune_source = (project / "src" / PACKAGE / "tune.py").read_text(encoding="utf-8")
    if "cross_val" not in tune_source and "CV" not in tune_source:  # a hold-out search
        assert not [line for line in tune_lines if "cross-valid" in line or " CV" in line]
    # prose above the results table states no ranking the table can contradict
    prose = " ".join(readme.split("<!-- results:start -->")[0].split())
    assert "ranks far worse" not in prose
    if project_type == "recommender":
        assert "the table below comes from the data you ran" in prose
    # the layout line names exactly the type's own test files
    type_yml = yaml.safe_load((ROOT / "project_types" / project_type / "type.yml").read_text())
    named = set(re.findall(r"[a-z]+", type_yml["layout"]["tests"])) - {"and", "tests"}
    shipped = {p.stem.removeprefix("test_") for p in (project / "tests").glob("test_*.py")}
    assert named == shipped - {p for p in shipped if p.startswith("core_")}
