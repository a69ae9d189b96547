"""The git operations mlportfolio performs, through GitPython."""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import GitError, PushError, UserError

FALLBACK_IDENTITY = ("mlportfolio", "mlportfolio@users.noreply.github.com")


def require_git() -> str:
    """Return the path of the git executable, or explain how to get it."""
    executable = os.environ.get("GIT_PYTHON_GIT_EXECUTABLE") or shutil.which("git")
    if not executable:
        raise GitError("git is not installed or not on PATH: install git, or pass --no-git")
    return executable


def _git() -> Any:
    """The GitPython module, imported on first use (it costs ~80 ms) once git is known to exist."""
    require_git()
    # Without this, a missing git executable makes `import git` raise a multi-line ImportError.
    os.environ.setdefault("GIT_PYTHON_REFRESH", "quiet")
    import git

    return git


def failure_line(exc: Exception, *secrets: str) -> str:
    """The last line git wrote to stderr (what went wrong), with any secret removed."""
    from .github import redact

    git = _git()
    if isinstance(exc, git.GitCommandError):
        lines = [line for line in str(exc.stderr or "").strip().splitlines() if line.strip()]
        # git's reason is its `fatal:`/`error:` line; hints after it read as if all were well
        reasons = [
            line for line in lines if line.strip().lstrip("'").startswith(("fatal:", "error:"))
        ]
        text = (
            (reasons or lines)[-1 if not reasons else 0].strip()
            if lines
            else f"exit status {exc.status}"
        )
        text = text.removeprefix("stderr: ").strip().strip("'").strip()
    else:
        text = str(exc)
    return redact(text, *secrets)


def run(repo_dir: Path | None, *args: str, env: Mapping[str, str] | None = None) -> str:
    """Run one git command in ``repo_dir`` and return its output as git printed it.

    A failure becomes a one-line ``GitError`` naming the command and git's own reason.
    """
    git = _git()
    try:
        output = git.Git(repo_dir).execute(
            [require_git(), *args], env=dict(env or {}), strip_newline_in_stdout=False
        )
    except git.GitCommandError as exc:
        where = f" in {repo_dir}" if repo_dir else ""
        raise GitError(f"git {args[0]} failed{where}: {failure_line(exc)}") from None
    return str(output)


def credential_password(scheme: str, host: str) -> str | None:
    """The password git's credential helpers hold for ``scheme://host``, or ``None``.

    Never prompts (not on the terminal, not through an askpass program, not in a GUI), and
    never raises: a missing git, a failing helper or a slow one all mean "no credential".
    """
    try:
        git = _git()
    except GitError:
        return None
    request = f"protocol={scheme}\nhost={host}\n\n".encode()
    quiet = {
        "GIT_TERMINAL_PROMPT": "0",
        "GIT_ASKPASS": "",
        "SSH_ASKPASS": "",
        "GCM_INTERACTIVE": "never",
    }
    with tempfile.TemporaryFile() as stdin:
        stdin.write(request)
        stdin.seek(0)
        try:
            output = git.Git().execute(
                [require_git(), "credential", "fill"],
                istream=stdin,
                env=quiet,
                kill_after_timeout=20,
            )
        except (git.GitCommandError, OSError):
            return None
    for line in str(output).splitlines():
        key, _, value = line.partition("=")
        if key == "password" and value.strip():
            return value.strip()
    return None


def _identity_env(repo_dir: Path, name: str, email: str) -> dict[str, str]:
    """Author/committer variables for a commit, but only where git config has no identity.

    A user's own ``user.name``/``user.email`` always wins; the answers fill in when git has none,
    so the first commit works on a fresh machine or in CI.
    """
    configured = set(config_values(repo_dir, "user.name", "user.email"))
    env: dict[str, str] = {}
    if "user.name" not in configured and "GIT_AUTHOR_NAME" not in os.environ:
        env["GIT_AUTHOR_NAME"] = env["GIT_COMMITTER_NAME"] = name
    if "user.email" not in configured and "GIT_AUTHOR_EMAIL" not in os.environ:
        env["GIT_AUTHOR_EMAIL"] = env["GIT_COMMITTER_EMAIL"] = email
    return env


def init_and_commit(repo_dir: Path, message: str, *, author: tuple[str, str]) -> str:
    """Make ``repo_dir`` a git repository (branch ``main``) whose first commit holds every file.

    Returns the commit's SHA.
    """
    run(repo_dir, "init", "--quiet", "--initial-branch=main")
    return commit_all(repo_dir, message, author=author)


def commit_all(repo_dir: Path, message: str, *, author: tuple[str, str]) -> str:
    """Stage every change in ``repo_dir`` and commit it; ``author`` fills in a missing identity.

    Returns the commit's SHA.
    """
    run(repo_dir, "add", "--all")
    env = _identity_env(repo_dir, *author)
    run(repo_dir, "commit", "--quiet", "--no-verify", "-m", message, env=env)
    return run(repo_dir, "rev-parse", "HEAD").strip()


def config_values(repo_dir: Path | None, *keys: str) -> dict[str, str]:
    """Read values from git config (the repository's, else the user's) in one call.

    Unset keys are left out; without git, nothing is set.
    """
    if not shutil.which("git") and not os.environ.get("GIT_PYTHON_GIT_EXECUTABLE"):
        return {}
    pattern = "^(" + "|".join(re.escape(key) for key in keys) + ")$"
    try:
        output = run(repo_dir, "config", "--get-regexp", pattern)
    except GitError:  # git exits 1 when no key matches
        return {}
    values = {}
    for line in output.splitlines():
        key, _, value = line.partition(" ")
        if value.strip():
            values[key] = value.strip()
    return values


def global_config(*keys: str) -> dict[str, str]:
    """Read values from the user's git config; unset keys (or no git) are left out."""
    return config_values(None, *keys)


# --------------------------------------------------------------------------------------------
# Publishing: inspect the local repository, set a remote, push with a token in the environment


@dataclass(frozen=True)
class LocalRepo:
    """What ``publish`` needs to know about the project's repository."""

    root: Path
    branch: str
    commit: str
    remotes: dict[str, str]


def inspect_repo(path: Path, branch: str | None = None) -> LocalRepo:
    """Check that ``path`` is a git repository ready to publish: a commit, a branch, clean.

    Raises:
        UserError: it is not, with the commands that fix it.
    """
    git = _git()
    try:
        repo = git.Repo(path, search_parent_directories=False)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        raise UserError(
            f"{path} is not a git repository: run `git init && git add -A && "
            "git commit -m 'Initial commit'` there first"
        ) from None
    with repo:
        if repo.bare:
            raise UserError(f"{path} is a bare repository: publish the project's work tree instead")
        try:
            head_commit = repo.head.commit
        except ValueError:
            raise UserError(
                f"{path} has no commits yet: run `git add -A && git commit -m 'Initial commit'`"
            ) from None
        if branch is None:
            if repo.head.is_detached:
                raise UserError(
                    "HEAD is detached: check out a branch (`git switch -c main`) or pass --branch"
                )
            branch = repo.active_branch.name
        elif branch not in repo.heads:
            known = ", ".join(h.name for h in repo.heads)
            raise UserError(f"there is no local branch '{branch}' (branches: {known})")
        if repo.is_dirty(untracked_files=True):
            changed = sorted(
                {d.a_path or d.b_path or "" for d in repo.index.diff(None)}
                | {d.a_path or d.b_path or "" for d in repo.index.diff("HEAD")}
                | set(repo.untracked_files)
            )
            shown = ", ".join(changed[:5]) + (", …" if len(changed) > 5 else "")
            raise UserError(
                f"the work tree has uncommitted changes ({shown}): commit them "
                "(`git add -A && git commit`) or stash them (`git stash -u`), then re-run"
            )
        commit = (
            str(repo.heads[branch].commit.hexsha) if branch in repo.heads else head_commit.hexsha
        )
        remotes = {r.name: next(iter(r.urls), "") for r in repo.remotes}
        return LocalRepo(Path(repo.working_tree_dir or path), branch, commit, remotes)


def auth_env(url: str, token: str) -> dict[str, str]:
    """Environment that makes git send ``token`` to ``url`` and to nothing else.

    The token travels as an ``http.<url>.extraheader`` through ``GIT_CONFIG_COUNT`` variables:
    never in argv (visible to every user in ``ps``), never in ``.git/config``, never in the
    remote URL. An empty value first clears headers that other config (e.g. actions/checkout)
    set for the same host; ``credential.helper`` is reset so no helper stores or offers
    credentials, and prompts are disabled so a rejected token fails instead of waiting.
    """
    import base64

    basic = base64.b64encode(f"x-access-token:{token}".encode()).decode()
    settings = [
        (f"http.{url}.extraheader", ""),
        (f"http.{url}.extraheader", f"AUTHORIZATION: basic {basic}"),
        ("credential.helper", ""),
    ]
    env = {
        "GIT_TERMINAL_PROMPT": "0",
        "GIT_ASKPASS": "",
        "SSH_ASKPASS": "",
        "GCM_INTERACTIVE": "never",
    }
    try:
        start = int(os.environ.get("GIT_CONFIG_COUNT", "0"))
    except ValueError:
        start = 0
    for index, (key, value) in enumerate(settings, start=start):
        env[f"GIT_CONFIG_KEY_{index}"] = key
        env[f"GIT_CONFIG_VALUE_{index}"] = value
    env["GIT_CONFIG_COUNT"] = str(start + len(settings))
    return env


def remote_heads(root: Path, url: str, env: dict[str, str], token: str) -> dict[str, str]:
    """The branches of the repository at ``url`` and their commits (``git ls-remote --heads``)."""
    git = _git()

    try:
        with git.Repo(root) as repo:
            out = repo.git.ls_remote("--heads", "--", url, env=env)
    except git.GitCommandError as exc:
        raise GitError(f"cannot read {url}: {failure_line(exc, token)}") from None
    heads: dict[str, str] = {}
    for line in str(out).splitlines():
        sha, _, ref = line.partition("\t")
        if ref.startswith("refs/heads/"):
            heads[ref.removeprefix("refs/heads/")] = sha.strip()
    return heads


def is_ancestor(root: Path, ancestor: str, descendant: str) -> bool:
    """Whether commit ``ancestor`` exists here and is in the history of ``descendant``."""
    git = _git()

    with git.Repo(root) as repo:
        try:
            repo.git.merge_base("--is-ancestor", ancestor, descendant)
        except git.GitCommandError:
            return False
    return True


def set_remote(root: Path, name: str, url: str) -> str:
    """Make remote ``name`` point at ``url``; returns ``added``, ``updated`` or ``unchanged``."""
    git = _git()

    with git.Repo(root) as repo:
        try:
            if name not in [r.name for r in repo.remotes]:
                repo.create_remote(name, url)
                return "added"
            if next(iter(repo.remote(name).urls), "") == url:
                return "unchanged"
            repo.remote(name).set_url(url)
            return "updated"
        except git.GitCommandError as exc:
            raise GitError(f"cannot set remote {name}: {failure_line(exc)}") from None


def push(root: Path, remote: str, branch: str, env: dict[str, str], token: str) -> None:
    """Push ``branch`` to ``remote`` with upstream tracking; never forced.

    Raises:
        PushError: the remote refused (e.g. not a fast-forward) or the push failed.
    """
    git = _git()

    from .github import redact

    with git.Repo(root) as repo:
        try:
            repo.git.push(
                "--set-upstream",
                "--porcelain",
                remote,
                f"refs/heads/{branch}:refs/heads/{branch}",
                env=env,
            )
        except git.GitCommandError as exc:
            text = redact(f"{exc.stdout or ''}\n{exc.stderr or ''}", token)
            if "[rejected]" in text or "non-fast-forward" in text or "fetch first" in text:
                raise PushError(
                    f"the push of {branch} was rejected: {remote} has commits that {branch} does "
                    "not have (not a fast-forward); nothing was overwritten. Run `git pull "
                    f"--rebase {remote} {branch}` to combine them, then re-run"
                ) from None
            raise PushError(f"git push failed: {failure_line(exc, token)}") from None
