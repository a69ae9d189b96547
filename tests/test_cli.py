from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from mlportfolio import __version__, create
from mlportfolio.catalog import load_catalog
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


def test_list_shows_every_type(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("COLUMNS", raising=False)  # piped: the full 120-column table
    result = run_cli("list")
    assert result.exit_code == 0
    assert "recommender" in result.output and "MovieLens" in result.output


def test_show_lists_the_types_questions_with_their_defaults() -> None:
    result = run_cli("show", "recommender-system")  # by its alias
    assert result.exit_code == 0
    assert result.output.startswith("recommender: ")
    assert "also called: recommender-system" in result.output
    assert "top_k" in result.output and "package_name" in result.output
    assert "(default: 10)" in result.output and "(default: 'movie_recommender')" in result.output


def test_list_fits_80_columns(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    lines = run_cli("list").stdout.splitlines()
    # a title, a header and a footer, and at most two lines a type
    assert max(len(line) for line in lines) <= 80 and len(lines) <= 3 + 2 * len(load_catalog())
    assert any(line.startswith("recommender ") for line in lines)


def test_new_and_show_help_list_the_types() -> None:
    for command in ("new", "show"):
        help_text = run_cli(command, "--help").stdout
        assert "Types (TYPE):" in help_text
        assert "recommender" in help_text and "sentiment" in help_text


def test_debug_is_accepted_after_the_subcommand(in_tmp: Path) -> None:
    with pytest.raises(UnknownProjectTypeError):
        run_cli("new", "zzz", "--defaults", "--debug")
    # after "--" it is an argument, not the option
    assert run_cli("new", "--", "--debug").exit_code == 1


def test_new_dry_run_lists_the_files_and_writes_nothing(in_tmp: Path) -> None:
    (in_tmp / "mine").mkdir()
    (in_tmp / "mine" / "README.md").write_text("mine\n")
    result = run_cli("new", "recommender", "mine", "-l", "--force", "--dry-run")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("Dry run: would create Movie Recommender in mine, ")
    assert "  README.md (replaces yours)" in lines and "  Makefile" in lines
    assert sorted(p.name for p in in_tmp.rglob("*")) == ["README.md", "mine"]
    assert (in_tmp / "mine" / "README.md").read_text() == "mine\n"


def test_new_takes_answers_from_a_data_file_and_data_wins(in_tmp: Path) -> None:
    answers = in_tmp / "answers.yml"
    answers.write_text(
        "_commit: v0.1.0\nproject_type: recommender\nproject_name: Film Picks\ntop_k: 20\nseed: 7\n"
    )
    result = run_cli(
        "new",
        "recommender-system",  # an alias: the data file's recommender answers still fit
        "--data-file",
        str(answers),
        "-l",
        "--no-git",
        "-q",
        "--data",
        "top_k=30",
    )
    assert result.exit_code == 0, result.output
    recorded = (in_tmp / "film-picks" / ".copier-answers.yml").read_text()
    assert "top_k: 30" in recorded and "seed: 7" in recorded
    assert "project_type: recommender\n" in recorded
    wrong = run_cli("new", "sentiment", "--data-file", str(answers), "-l", "--dry-run")
    assert wrong.exit_code == 1
    assert wrong.stderr.strip().endswith("answers for a recommender project, not sentiment")


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
    steps = result.stdout.splitlines()
    commit = next(i for i, line in enumerate(steps) if "git commit" in line)
    assert commit < next(i for i, line in enumerate(steps) if "mlportfolio publish" in line)


def test_force_names_the_files_it_replaced(in_tmp: Path) -> None:
    (in_tmp / "mine").mkdir()
    (in_tmp / "mine" / "README.md").write_text("mine\n")
    (in_tmp / "mine" / "NOTES.md").write_text("kept\n")
    result = run_cli("new", "recommender", "mine", "-l", "--force", "--no-git")
    assert result.exit_code == 0, result.output
    assert "replaced your README.md with the project's (--force)" in result.stderr
    assert "NOTES.md" not in result.stderr


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


def test_versions_lists_the_carried_template_versions(monkeypatch: pytest.MonkeyPatch) -> None:
    from mlportfolio import templates

    monkeypatch.setattr(templates, "bundled_versions", lambda: ["v0.1.0", f"v{__version__}"])
    result = run_cli("versions")
    assert result.exit_code == 0
    assert result.stdout.splitlines() == ["v0.1.0", f"v{__version__} (installed)"]
    monkeypatch.setattr(templates, "bundled_versions", list)
    assert "source checkout" in run_cli("versions").stdout


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
