from __future__ import annotations

from pathlib import Path

import pytest

from mlportfolio import gitops
from mlportfolio.errors import GitError


def test_a_failing_git_command_is_one_line_with_gits_reason(tmp_path: Path) -> None:
    with pytest.raises(GitError) as info:
        gitops.run(tmp_path, "rev-parse", "HEAD")
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(f"git rev-parse failed in {tmp_path}: ")
    assert "not a git repository" in message


def test_run_returns_output_as_git_printed_it(tmp_path: Path) -> None:
    gitops.run(tmp_path, "init", "--quiet")
    (tmp_path / "a.txt").write_text("x")
    assert gitops.run(tmp_path, "status", "--porcelain") == "?? a.txt\n"


def test_init_and_commit_with_identity_from_answers(tmp_path: Path) -> None:
    (tmp_path / "f.txt").write_text("x")
    sha = gitops.init_and_commit(tmp_path, "first", author=("Ada", "ada@example.org"))
    assert gitops.run(tmp_path, "log", "-1", "--format=%an <%ae> %H").strip() == (
        f"Ada <ada@example.org> {sha}"
    )


def test_config_values_are_empty_when_unset(tmp_path: Path) -> None:
    assert gitops.global_config("github.user") == {}
    gitops.run(None, "config", "--global", "github.user", "octocat")
    assert gitops.global_config("github.user", "user.name") == {"github.user": "octocat"}
