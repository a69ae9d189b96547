"""The git operations mlportfolio performs, through GitPython."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from .errors import GitError

FALLBACK_IDENTITY = ("mlportfolio", "mlportfolio@users.noreply.github.com")


def require_git() -> str:
    """Return the path of the git executable, or explain how to get it."""
    executable = os.environ.get("GIT_PYTHON_GIT_EXECUTABLE") or shutil.which("git")
    if not executable:
        raise GitError("git is not installed or not on PATH: install git, or pass --no-git")
    return executable


def _identity_env(repo_dir: Path, name: str, email: str) -> dict[str, str]:
    """Author/committer variables for a commit, but only where git config has no identity.

    A user's own ``user.name``/``user.email`` always wins; the answers fill in when git has none,
    so the first commit works on a fresh machine or in CI.
    """
    import git

    reader = git.Repo(repo_dir).config_reader()
    env: dict[str, str] = {}
    if not reader.has_option("user", "name") and "GIT_AUTHOR_NAME" not in os.environ:
        env["GIT_AUTHOR_NAME"] = env["GIT_COMMITTER_NAME"] = name
    if not reader.has_option("user", "email") and "GIT_AUTHOR_EMAIL" not in os.environ:
        env["GIT_AUTHOR_EMAIL"] = env["GIT_COMMITTER_EMAIL"] = email
    return env


def init_and_commit(repo_dir: Path, message: str, *, author: tuple[str, str]) -> str:
    """Make ``repo_dir`` a git repository (branch ``main``) whose first commit holds every file.

    Returns the commit's SHA.
    """
    require_git()
    import git

    try:
        repo = git.Repo.init(repo_dir, initial_branch="main")
        repo.git.add(A=True)
        with repo.git.custom_environment(**_identity_env(repo_dir, *author)):
            repo.git.commit("--quiet", "--no-verify", "-m", message)
        return str(repo.head.commit.hexsha)
    except git.GitCommandError as exc:
        detail = (exc.stderr or "").strip().splitlines()
        raise GitError(f"git {exc.command[1]} failed: {detail[-1] if detail else exc}") from exc


def global_config(key: str) -> str | None:
    """Read one value from the user's git config, or ``None`` when unset or git is missing."""
    import git

    if not shutil.which("git"):
        return None
    try:
        value = git.Git().config("--get", key)
    except git.GitCommandError:
        return None
    return str(value).strip() or None
