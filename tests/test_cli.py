from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from mlportfolio import __version__, create
from mlportfolio.cli import main, parse_data
from mlportfolio.errors import InvalidAnswerError, UnknownProjectTypeError

from .conftest import run_cli


def test_version() -> None:
    result = run_cli("--version")
    assert result.exit_code == 0
    assert __version__ in result.output


def test_help_documents_every_command_with_examples() -> None:
    result = run_cli("--help")
    assert result.exit_code == 0
    for command in ("list", "show", "new"):
        assert command in result.output
        sub = run_cli(command, "--help")
        assert sub.exit_code == 0
        assert "Example" in sub.output, f"{command} --help has no example"
    assert "Exit codes" in result.output


def test_list_shows_every_type() -> None:
    result = run_cli("list")
    assert result.exit_code == 0
    assert "recommender" in result.output and "MovieLens" in result.output


def test_show_lists_the_types_questions() -> None:
    result = run_cli("show", "recommender")
    assert result.exit_code == 0
    assert "top_k" in result.output and "package_name" in result.output


def test_unknown_type_is_one_line_with_exit_1() -> None:
    result = run_cli("new", "recomender", "--defaults")
    assert result.exit_code == 1
    assert result.stderr.strip().count("\n") == 0
    assert "did you mean 'recommender'" in result.stderr
    assert "Traceback" not in result.output


def test_new_prints_next_steps(in_tmp: Path) -> None:
    result = run_cli("new", "recommender", "--defaults", "--name", "Film Picks")
    assert result.exit_code == 0, result.output
    assert (in_tmp / "film-picks" / ".git").is_dir()
    assert "cd film-picks" in result.stdout
    assert "make train evaluate" in result.stdout


def test_new_without_a_terminal_uses_defaults(in_tmp: Path) -> None:
    # CliRunner's stdin is not a TTY: no prompt may block, defaults are used
    result = run_cli("new", "recommender", "out")
    assert result.exit_code == 0, result.output
    assert (in_tmp / "out" / "README.md").is_file()


def test_quiet_prints_nothing(in_tmp: Path) -> None:
    result = run_cli("new", "recommender", "out", "--defaults", "--quiet")
    assert result.exit_code == 0
    assert result.output == ""


def test_refusal_of_a_non_empty_destination(in_tmp: Path) -> None:
    (in_tmp / "out").mkdir()
    (in_tmp / "out" / "keep.txt").write_text("keep")
    result = run_cli("new", "recommender", "out", "--defaults")
    assert result.exit_code == 1
    assert "--force" in result.stderr
    assert (in_tmp / "out" / "keep.txt").read_text() == "keep"


def test_bad_data_value_names_the_field(in_tmp: Path) -> None:
    result = run_cli("new", "recommender", "out", "--defaults", "--data", "package_name=class")
    assert result.exit_code == 1
    assert "package_name" in result.stderr and "keyword" in result.stderr
    assert not (in_tmp / "out").exists()


def test_unknown_data_key_is_refused_with_a_suggestion(in_tmp: Path) -> None:
    result = run_cli("new", "recommender", "out", "--defaults", "--data", "licence=MIT")
    assert result.exit_code == 1
    assert "licence: no such question (did you mean 'license'?)" in result.stderr
    assert not (in_tmp / "out").exists()


def test_wrongly_typed_data_value_names_the_field(in_tmp: Path) -> None:
    result = run_cli("new", "recommender", "out", "--defaults", "--data", "top_k=abc")
    assert result.exit_code == 1
    assert "--data top_k: expected an integer, got 'abc'" in result.stderr


def test_debug_shows_the_traceback(in_tmp: Path) -> None:
    with pytest.raises(UnknownProjectTypeError):
        CliRunner().invoke(main, ["--debug", "new", "zzz"], catch_exceptions=False)


def test_debug_env_var_shows_the_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MLPORTFOLIO_DEBUG", "1")
    with pytest.raises(UnknownProjectTypeError):
        CliRunner().invoke(main, ["new", "zzz"], catch_exceptions=False)


def test_a_bug_is_one_line_with_exit_70(in_tmp: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(request: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(create, "create_project", broken)
    result = run_cli("new", "recommender", "--defaults")
    assert result.exit_code == 70
    assert "unexpected RuntimeError: boom" in result.stderr and "--debug" in result.stderr


def test_usage_error_exits_2() -> None:
    assert run_cli("new").exit_code == 2
    assert run_cli("new", "recommender", "--bogus").exit_code == 2


def test_parse_data() -> None:
    assert parse_data(["top_k=20", "author_name=Ada Lovelace", "description=a=b"]) == {
        "top_k": 20,
        "author_name": "Ada Lovelace",
        "description": "a=b",
    }
    with pytest.raises(InvalidAnswerError, match="KEY=VALUE"):
        parse_data(["oops"])


def test_importing_the_cli_does_not_import_copier() -> None:
    code = "import sys; from mlportfolio.cli import main; assert 'copier' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_ctrl_c_after_the_project_is_made_is_not_reported_D14(
    in_tmp: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """D14: once the project exists, a Ctrl-C while printing gives exit 0, not 130/"Aborted!"."""
    import os
    import signal

    from mlportfolio import create
    from mlportfolio.create import Created

    monkeypatch.setattr(
        create, "create_project", lambda request: Created(in_tmp / "p", {"project_name": "P"}, None)
    )
    real_secho = click.secho

    def interrupted_secho(*args: object, **kwargs: object) -> None:
        os.kill(os.getpid(), signal.SIGINT)
        real_secho(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(click, "secho", interrupted_secho)
    before = signal.getsignal(signal.SIGINT)
    result = run_cli("new", "recommender", "p", "--defaults")
    assert result.exit_code == 0, result.output
    assert signal.getsignal(signal.SIGINT) == before


def test_ctrl_c_at_a_prompt_is_one_short_line_D15() -> None:
    """D15: Copier's CopierAnswersInterrupt (a 3 KB repr) becomes `interrupted`, exit 130."""
    from copier.errors import CopierAnswersInterrupt

    from mlportfolio.copier_adapter import copier_errors
    from mlportfolio.errors import Interrupted

    with pytest.raises(Interrupted) as info, copier_errors():
        raise CopierAnswersInterrupt({"x": 1}, None, None)  # type: ignore[arg-type]
    assert info.value.exit_code == 130 and len(str(info.value)) < 80
