"""Property-based: whatever the answers, ``new`` refuses them in one line or makes a sound project.

Hypothesis generates answers with unicode, control characters, quotes, backslashes, Jinja, YAML
and TOML syntax and very long strings. ``new`` must either exit 1 with one line on stderr, or
produce a project whose TOML, YAML and Python files all parse (and, in the e2e tier, which
``pip install --no-deps -e .`` installs). The default run tries a few examples; for many more:
``python -m pytest tests/test_properties.py --hypothesis-profile=long``.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import event, given
from hypothesis import strategies as st

from .conftest import run_cli

NASTY = [
    "",
    " ",
    "\\",
    '"',
    "'",
    '"""',
    "'''",
    "\\n",
    "\n",
    "\r\n",
    "\t",
    "\x00",
    "\x01",
    "\x7f",
    "\u2028",
    "\ufeff",
    "{{ 7 * 7 }}",
    "{% raw %}",
    "{{ '\\x41' }}",
    "${{ secrets.X }}",
    "#",
    ": ",
    "- ",
    "[",
    "]]",
    "&anchor",
    "*alias",
    "!!python/object:os.system",
    "--upload-pack=touch pwned",
    "-",
    "é",
    "日本語",
    "😀",
    "\U0010ffff",
    "a" * 400,
]

# Anything at all, and text without control characters (which the template refuses), so that
# many examples get past validation and test the escaping of quotes, backslashes and Jinja.
printable_nasty = [n for n in NASTY if not any(ord(c) < 32 or ord(c) == 127 for c in n)]
anything = st.one_of(
    st.text(max_size=40),
    st.lists(st.sampled_from(NASTY), min_size=1, max_size=4).map("".join),
    st.tuples(st.text(max_size=10), st.sampled_from(NASTY), st.text(max_size=10)).map("".join),
    st.integers(min_value=1, max_value=6000).map(lambda n: "x" * n),
)
printable = st.one_of(
    st.text(st.characters(blacklist_categories=("Cc", "Cs")), min_size=1, max_size=60),
    st.lists(st.sampled_from(printable_nasty), min_size=1, max_size=5).map("".join),
)
text = st.integers(0, 9).flatmap(lambda i: anything if i < 3 else printable)
valid_number = st.integers(min_value=1, max_value=5).map(str)
bad_number = st.one_of(
    st.integers(min_value=-(2**40), max_value=2**40).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.sampled_from(["nan", "-inf", "1e400", "0x10", "1_000", "true", "~", "[1]", "{a: 1}"]),
    anything,
)
number = st.integers(0, 9).flatmap(lambda i: valid_number if i < 8 else bad_number)
answers = st.fixed_dictionaries(
    {},
    optional={
        "project_name": text,
        "description": text,
        "author_name": text,
        "author_email": st.one_of(text, text.map(lambda t: f"{t}@example.com")),
        "github_user": text,
        "package_name": st.one_of(text, st.from_regex(r"[a-z_][a-z0-9_]{0,20}", fullmatch=True)),
        "project_slug": st.one_of(text, st.from_regex(r"[a-z0-9][a-z0-9-]{0,30}", fullmatch=True)),
        "seed": number,
        "top_k": number,
        "relevance_threshold": number,
        "license": st.one_of(st.sampled_from(["MIT", "Apache-2.0", "BSD-3-Clause"]), text),
    },
)


def parse_all(project: Path) -> None:
    """Every TOML, YAML and Python file of the project parses."""
    checked = 0
    for path in project.rglob("*"):
        if ".git" in path.parts or not path.is_file():
            continue
        if path.suffix == ".toml":
            tomllib.loads(path.read_text(encoding="utf-8"))
        elif path.suffix in (".yml", ".yaml"):
            list(yaml.safe_load_all(path.read_text(encoding="utf-8")))
        elif path.suffix == ".py":
            ast.parse(path.read_text(encoding="utf-8"))
        else:
            continue
        checked += 1
    assert checked > 10


def generate(data: dict[str, Any], where: Path) -> Path | None:
    """Run `new` with ``data``; the project's path, or ``None`` after a one-line refusal."""
    args = ["new", "recommender", str(where / "p"), "--defaults", "--no-git", "-q"]
    for key, value in data.items():
        args += ["--data", f"{key}={value}"]
    result = run_cli(*args)
    if result.exit_code != 0:
        assert result.exit_code == 1, (data, result.output)
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: "), (data, result.stderr)
        assert len(lines[0]) < 600, lines[0]
        assert sorted(where.iterdir()) == [], (data, list(where.iterdir()))
        event(f"refused: {lines[0].split(':')[1].strip()[:40]}")
        return None
    event("created")
    return where / "p"


@given(data=answers)
def test_new_refuses_in_one_line_or_makes_a_project_that_parses(data: dict[str, Any]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        project = generate(data, Path(tmp))
        if project is not None:
            parse_all(project)
            # Jinja in an answer is text, never evaluated
            readme = (project / "README.md").read_text(encoding="utf-8")
            assert (
                "{{" not in str(data.get("project_name", "")) or "49" not in readme.split("\n")[0]
            )


@pytest.mark.e2e
@given(data=answers)
def test_generated_projects_install_with_pip(data: dict[str, Any]) -> None:
    """The e2e half: a project `new` accepts installs with `pip install --no-deps -e .`."""
    with tempfile.TemporaryDirectory() as tmp:
        project = generate(data, Path(tmp))
        if project is None:
            return
        parse_all(project)
        venv = Path(tmp) / "venv"
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        python = venv / ("Scripts" if os.name == "nt" else "bin") / "python"
        done = subprocess.run(
            [str(python), "-m", "pip", "install", "--quiet", "--no-deps", "-e", str(project)],
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, (data, done.stderr[-2000:])
