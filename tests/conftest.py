"""Shared fixtures: an isolated git identity and a helper to run the CLI in-process."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from importlib.metadata import version
from pathlib import Path
from types import CodeType
from typing import Any

import jinja2
import pytest
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, settings

from mlportfolio.cli import main

# Property-based tests: a few examples by default (the fast tier stays fast), many with
# `python -m pytest --hypothesis-profile=long`. Each example renders a project (~0.5 s).
_SLOW_OK = [HealthCheck.too_slow, HealthCheck.function_scoped_fixture, HealthCheck.data_too_large]
settings.register_profile("fast", max_examples=8, deadline=None, suppress_health_check=_SLOW_OK)
settings.register_profile("long", max_examples=400, deadline=None, suppress_health_check=_SLOW_OK)
settings.load_profile("fast")


def _memoize_jinja_compiles() -> None:
    """Compile each Jinja source once per process, not once per render (what Copier does).

    Copier builds a new Jinja environment per run and compiles every path and file again:
    ~780 compiles per render of a project, ~255 distinct, and the same ones in every test that
    renders. Compiling is ~65 % of a render's CPU, all of it deterministic: the code object
    depends only on the source, the name it is compiled under and the environment's settings,
    all in the key below. So the tests render every file, through Copier's own environment, as
    `new` does; only the parse and code generation of a source already compiled the same way is
    skipped. A compile error is never cached (it raises before the store). Renders in
    subprocesses (the console-script and terminal tests) run without it.

    The file name is left out of the key: a render from a source checkout loads its templates
    from a new staging copy each time, so the key would never match. It only names the code
    object's file; Jinja's error messages and traceback rewriting read the template's own
    ``filename``, not the code object's.
    """
    compile_source: Callable[..., Any] = jinja2.Environment.compile
    compiled: dict[tuple[object, ...], CodeType] = {}

    def compile_once(
        env: jinja2.Environment,
        source: Any,
        name: str | None = None,
        filename: str | None = None,
        raw: bool = False,
        defer_init: bool = False,
    ) -> Any:
        if raw or not isinstance(source, str):
            return compile_source(env, source, name, filename, raw, defer_init)
        autoescape = env.autoescape(name) if callable(env.autoescape) else env.autoescape
        key = (
            type(env),
            source,
            name,
            defer_init,
            env.block_start_string,
            env.block_end_string,
            env.variable_start_string,
            env.variable_end_string,
            env.comment_start_string,
            env.comment_end_string,
            env.line_statement_prefix,
            env.line_comment_prefix,
            env.trim_blocks,
            env.lstrip_blocks,
            env.newline_sequence,
            env.keep_trailing_newline,
            tuple(sorted(env.extensions)),
            env.optimized,
            env.is_async,
            autoescape,
            getattr(env.finalize, "__qualname__", env.finalize),
            frozenset(env.filters),
            frozenset(env.tests),
        )
        code = compiled.get(key)
        if code is None:
            code = compiled[key] = compile_source(env, source, name, filename, raw, defer_init)
        return code

    jinja2.Environment.compile = compile_once  # type: ignore[method-assign,assignment]


_memoize_jinja_compiles()


@pytest.fixture(autouse=True)
def isolated_git(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Give every test its own empty global git config, as on a fresh machine."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(home / ".gitconfig"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for name in (
        "GIT_AUTHOR_NAME",
        "GIT_AUTHOR_EMAIL",
        "GIT_COMMITTER_NAME",
        "GIT_COMMITTER_EMAIL",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("MLPORTFOLIO_DEBUG", raising=False)


@pytest.fixture
def in_tmp(tmp_path: Path) -> Iterator[Path]:
    """Run the test from inside an empty temporary directory."""
    previous = Path.cwd()
    os.chdir(tmp_path)
    try:
        yield tmp_path
    finally:
        os.chdir(previous)


def pytest_configure(config: pytest.Config) -> None:
    """Refuse a distributed run that would ignore the e2e modules' xdist_group marks.

    pytest-xdist 3.8 groups tests through a node-id suffix that pytest 9.2 no longer reads
    (pytest-xdist#1386): each grouped module's expensive fixtures would then be built on every
    worker at once, racing each other, instead of once.
    """
    if config.getoption("dist", "no") != "loadgroup":
        return
    xdist = tuple(int(part) for part in version("pytest-xdist").split(".")[:2])
    if pytest.version_tuple[:2] >= (9, 2) and xdist <= (3, 8):
        raise pytest.UsageError(
            "pytest-xdist 3.8 ignores xdist_group with pytest 9.2 (pytest-xdist#1386): "
            'pip install "pytest<9.2", or run with -n 0'
        )


def run_cli(*args: str, input: str | None = None) -> Result:
    """Invoke ``mlportfolio`` in-process and return its result (stdout and stderr kept apart)."""
    return CliRunner().invoke(main, list(args), input=input, catch_exceptions=False)
