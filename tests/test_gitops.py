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


def _credential_helper(tmp_path: Path, body: str) -> None:
    helper = tmp_path / "helper"
    helper.write_text(f"#!/bin/sh\n{body}")
    helper.chmod(0o755)
    (Path.home() / ".gitconfig").write_text(f"[credential]\n\thelper = {helper}\n")


def test_credential_password_asks_the_helper_for_that_host(tmp_path: Path) -> None:
    asked = tmp_path / "asked"
    _credential_helper(tmp_path, f"cat > {asked}\necho username=me\necho password=s3cret\n")
    assert gitops.credential_password("https", "ghe.example.com") == "s3cret"
    assert "host=ghe.example.com" in asked.read_text().splitlines()


def test_credential_password_is_none_when_the_helper_knows_nothing(tmp_path: Path) -> None:
    _credential_helper(tmp_path, "cat >/dev/null\nexit 1\n")
    assert gitops.credential_password("https", "github.com") is None
