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


# The production options (yes/no questions, off by default) and the sets of them the choice
# renders turn on, render i of a type the set i (modulo): none, all, and the API alone (docker
# serves the API, so it needs api)
OPTIONS = ("api", "docker", "monitoring", "tracking")
OPTION_SETS: tuple[tuple[str, ...], ...] = ((), OPTIONS, ("api",))
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
    """The project's answers; an option it was not asked about (docker without api) is off."""
    recorded = yaml.safe_load((project / ".copier-answers.yml").read_text())
    return dict.fromkeys(OPTIONS, False) | recorded


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
    ruff_is_clean(project)


def ruff_is_clean(project: Path) -> None:
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
    has_exactly_its_answers_files(project)


def has_exactly_its_answers_files(project: Path) -> None:
    """The type's and template/'s files that the project's answers select, and nothing else."""
    answers = answers_of(project)
    expected = set(type_files(project_type_of(project), answers)) | common_files(answers)
    present = {str(p.relative_to(project)) for p in project.rglob("*") if p.is_file()}
    assert present == expected


def test_option_files_are_named_for_one_answer_each() -> None:
    # so that the file sets below prove each option brings its own files and no other's
    condition = re.compile(r"\{% if (\w+)(?: == '[\w-]+')? %\}")
    for folder in ("template", *(f"project_types/{t}" for t in TYPES)):
        for path in (ROOT / folder).rglob("*"):
            tags = re.findall(r"\{%.*?%\}", path.name)
            if tags:
                assert len(tags) == 2 and tags[1] == "{% endif %}", path
                assert (match := condition.fullmatch(tags[0])), path
                assert match.group(1) in (*OPTIONS, "engine"), path


# Words only an option's files and lines contain: with the option off, no file has one (but the
# answers file, which records every answer)
ANSWERS = ".copier-answers.yml"
TRACES = {
    "api": re.compile(r"fastapi|uvicorn|schemathesis|httpx2|serve_predict|\.serve\b|make serve"),
    "docker": re.compile(r"docker|hadolint", re.IGNORECASE),
    "monitoring": re.compile(r"make monitor|drift\.py|monitoring\.yaml|evidently", re.IGNORECASE),
    "tracking": re.compile(r"mlflow|make ui|tracking\.yaml", re.IGNORECASE),
}


def options_bring_their_files_and_nothing_else(
    project: Path, project_type: str, options: tuple[str, ...]
) -> None:
    has_exactly_its_answers_files(project)
    for path in project.rglob("*"):
        if (
            path.is_file()
            and path.suffix in (".py", ".md", ".toml", ".yml", ".yaml", ".cfg", "")
            and path.name != ANSWERS
        ):
            text = path.read_text(encoding="utf-8", errors="replace")
            for option in set(OPTIONS) - set(options):
                trace = TRACES[option].search(text)
                assert not trace, f"{option}=false, but {path.name} says {trace.group()!r}"
    if options:  # option code, like the type's, stays clean with a long package name
        ruff_is_clean(project)
    if "docker" in options:
        dockerfile_is_sound(project)
        if project_type == TYPES[0]:  # the docker job keeps the workflow valid
            workflow_is_valid(project / ".github" / "workflows" / "ci.yml")
    if "monitoring" in options and "tracking" in options:
        monitoring_and_tracking_are_wired(project)


def dockerfile_is_sound(project: Path) -> None:
    """Multi-stage, a pinned slim base, runtime dependencies only, non-root, a health check."""
    text = (project / "Dockerfile").read_text(encoding="utf-8")
    instructions = [line.split(maxsplit=1) for line in text.splitlines() if line[:1].isupper()]
    stages = [args for op, args in instructions if op == "FROM"]
    base = next(args for op, args in instructions if op == "ARG" and "PYTHON_IMAGE" in args)
    assert len(stages) == 2 and stages[0].endswith(" AS build")
    assert re.fullmatch(r"PYTHON_IMAGE=python:3\.1[1-3]-slim-\w+", base), base
    installs = [args for op, args in instructions if op == "RUN" and "pip install" in args]
    assert installs == ["/opt/venv/bin/pip install ."]  # no [dev] extra in the image
    users = [args for op, args in instructions if op == "USER"]
    assert users and users[-1].split(":")[0] not in ("0", "root")
    assert re.search(r"^HEALTHCHECK .*\n.*http://127\.0\.0\.1:8000/health", text, re.MULTILINE)
    assert ["COPY", "models/ models/"] in instructions
    ignored = (project / ".dockerignore").read_text(encoding="utf-8").splitlines()
    assert next(line for line in ignored if line and line[0] != "#") == "*"  # allow-list


def monitoring_and_tracking_are_wired(project: Path) -> None:
    """Their modules, dependencies, make targets, scheduled workflow and documentation."""
    for name in ("drift.py", "monitor.py", "tracking.py"):
        assert (project / "src" / PACKAGE / name).is_file()
    pyproject = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))
    requirements = " ".join(pyproject["project"]["dependencies"])
    assert "mlflow" in requirements and "scipy" in requirements
    makefile = (project / "Makefile").read_text(encoding="utf-8")
    assert "\nmonitor:" in makefile and "\nui:" in makefile
    workflow = yaml.safe_load((project / ".github/workflows/monitor.yml").read_text())
    assert "schedule" in workflow[True]  # YAML 1.1 reads the key `on` as true
    for doc in ("README.md", "MODEL_CARD.md"):
        text = (project / doc).read_text(encoding="utf-8")
        assert "## Monitoring" in text and "MLflow" in text, doc


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
    assert len(OPTION_SETS) <= renders_per_type(), "an option set is never rendered"
    answers = {name: choices[render % len(choices)] for name, choices in questions.items()}
    options = OPTION_SETS[render % len(OPTION_SETS)]
    given = {k: v for k, v in answers.items() if v != defaults(project_type)[k]}
    given |= dict.fromkeys(options, True)
    project = rendered_once(tmp_path_factory, project_type, **given)
    recorded = yaml.safe_load((project / ".copier-answers.yml").read_text())
    assert {key: recorded[key] for key in answers} == answers
    assert {o for o in OPTIONS if recorded.get(o)} == set(options)
    parses(project)
    options_bring_their_files_and_nothing_else(project, project_type, options)
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
    if validate:
        workflow_is_valid(workflow_file)


def workflow_is_valid(workflow_file: Path) -> None:
    """GitHub's workflow schema accepts it, as the generated CI checks itself."""
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
