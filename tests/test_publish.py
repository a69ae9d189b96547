"""``mlportfolio publish`` end to end against a fake GitHub with real smart-HTTP pushes."""

from __future__ import annotations

import json
import logging
import subprocess
from collections.abc import Iterator
from pathlib import Path

import git
import pytest
from click.testing import CliRunner, Result

from mlportfolio import gitops
from mlportfolio.cli import main
from mlportfolio.errors import PushError
from mlportfolio.publish import normalise_topics

from .fake_github import TOKEN, FakeGitHub, Server, isolate_tokens, primary_rate_limit, write_script

RECOMMENDER_TOPICS = [
    "machine-learning",
    "recommender-system",
    "collaborative-filtering",
    "movielens",
    "python",
]
IDENTITY = {
    "GIT_AUTHOR_NAME": "Ada",
    "GIT_AUTHOR_EMAIL": "ada@example.com",
    "GIT_COMMITTER_NAME": "Ada",
    "GIT_COMMITTER_EMAIL": "ada@example.com",
}


def sh(*args: str, cwd: Path) -> str:
    return subprocess.run(args, cwd=cwd, check=True, capture_output=True, text=True).stdout.strip()


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    isolate_tokens(tmp_path, monkeypatch)
    for key, value in IDENTITY.items():
        monkeypatch.setenv(key, value)


@pytest.fixture
def fake(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeGitHub]:
    fake = FakeGitHub(tmp_path / "server")
    server = Server(fake)
    fake.add_token(TOKEN)
    fake.orgs.add("ml-lab")
    monkeypatch.setenv("GITHUB_API_URL", fake.api_url)
    monkeypatch.setenv("GH_ENTERPRISE_TOKEN", TOKEN)  # 127.0.0.1 is not github.com
    try:
        yield fake
    finally:
        server.close()
    assert fake.violations == []


def make_project(
    path: Path,
    *,
    project_type: str = "recommender",
    commit: bool = True,
    readme: str = "# Recs\n",
    github_user: str = "octocat",
    slug: str = "movie-recs",
) -> Path:
    path.mkdir(parents=True)
    sh("git", "init", "--quiet", "--initial-branch=main", cwd=path)
    (path / "README.md").write_text(readme)
    (path / ".copier-answers.yml").write_text(
        "# Changes here will be overwritten by Copier\n"
        f"project_slug: {slug}\ndescription: Recommend   movies\n  from ratings.\n"
        f"project_type: {project_type}\ngithub_user: {github_user}\n"
    )
    if commit:
        sh("git", "add", "-A", cwd=path)
        sh("git", "commit", "--quiet", "-m", "Initial commit", cwd=path)
    return path


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return make_project(tmp_path / "movie-recs")


def publish(project: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["publish", str(project), *args], catch_exceptions=False)


def clone_back(fake: FakeGitHub, owner: str, name: str, dest: Path) -> Path:
    sh("git", "clone", "--quiet", str(fake.bare(owner, name)), str(dest), cwd=dest.parent)
    return dest


def head(path: Path, ref: str = "HEAD") -> str:
    return sh("git", "rev-parse", ref, cwd=path)


# -- the happy path -------------------------------------------------------------------------


def test_publish_creates_pushes_and_tracks(project: Path, fake: FakeGitHub, tmp_path: Path) -> None:
    result = publish(project, "--yes")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip().splitlines()[-1] == f"{fake.url}/octocat/movie-recs"
    assert "Created private repository octocat/movie-recs" in result.stderr

    post, put = fake.changing_requests()
    assert (post.method, post.path) == ("POST", "/user/repos")
    assert post.body == {
        "name": "movie-recs",
        "private": True,
        "auto_init": False,
        "description": "Recommend movies from ratings.",
    }
    assert (put.path, put.body) == (
        "/repos/octocat/movie-recs/topics",
        {"names": RECOMMENDER_TOPICS},
    )

    clone = clone_back(fake, "octocat", "movie-recs", tmp_path / "clone")
    assert head(clone) == head(project)
    assert sh("git", "diff", "--stat", head(project), cwd=clone) == ""
    repo = git.Repo(project)
    assert repo.remote("origin").url == f"{fake.url}/octocat/movie-recs.git"
    assert repo.active_branch.tracking_branch() is not None
    assert str(repo.active_branch.tracking_branch()) == "origin/main"
    # The push authenticated the way GitHub expects; the API got a bearer token.
    assert fake.pushes() and all(auth.lower().startswith("basic ") for _, _, auth in fake.pushes())


def test_json_result_and_options(tmp_path: Path, fake: FakeGitHub) -> None:
    # links rendered for the organisation's repository, as `update --data` would make them
    project = make_project(tmp_path / "recs", github_user="ml-lab", slug="recs-2025")
    result = publish(
        project,
        "--yes",
        "--json",
        "--org",
        "ml-lab",
        "--name",
        "recs-2025",
        "--public",
        "--description",
        "Mine",
        "--homepage",
        "https://example.com",
        "--topic",
        "Machine Learning",
        "--topic",
        "PyTorch_2",
        "--topic",
        "machine-learning",
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["full_name"] == "ml-lab/recs-2025"
    assert data["created"] and data["pushed"] and not data["private"] and not data["dry_run"]
    assert data["topics"] == ["machine-learning", "pytorch-2"]
    assert data["commit"] == head(project)
    post = fake.changing_requests()[0]
    assert post.path == "/orgs/ml-lab/repos"
    assert post.body["homepage"] == "https://example.com" and post.body["private"] is False


def test_topic_normalisation() -> None:
    assert normalise_topics([" Deep Learning ", "C++", "x" * 60, "--a--", "ok", "OK"]) == [
        "deep-learning",
        "c",
        "x" * 50,
        "a",
        "ok",
    ]
    assert len(normalise_topics([f"t{i}" for i in range(30)])) == 20


def test_unknown_project_type_has_no_default_topics(tmp_path: Path, fake: FakeGitHub) -> None:
    project = make_project(tmp_path / "p", project_type="no-such-type")
    assert publish(project, "--yes").exit_code == 0
    assert [r.method for r in fake.changing_requests()] == ["POST"]


# -- dry run and confirmation ---------------------------------------------------------------


def test_dry_run_changes_nothing(project: Path, fake: FakeGitHub) -> None:
    config_before = (project / ".git" / "config").read_text()
    result = publish(project, "--dry-run")
    assert result.exit_code == 0, result.output
    assert fake.changing_requests() == []
    assert fake.git_requests == []
    assert fake.repos == {}
    assert (project / ".git" / "config").read_text() == config_before
    assert "POST /user/repos" in result.stdout
    assert "PUT /repos/octocat/movie-recs/topics" in result.stdout
    assert "git push --set-upstream origin refs/heads/main:refs/heads/main" in result.stdout
    assert {r.path for r in fake.requests} == {"/user", "/repos/octocat/movie-recs"}


def test_dry_run_works_without_a_token(
    project: Path, fake: FakeGitHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GH_ENTERPRISE_TOKEN")
    result = publish(project, "--dry-run", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["dry_run"] and data["full_name"] == "<your-user>/movie-recs"
    assert fake.requests == []


def test_no_yes_without_a_terminal_asks_for_it(project: Path, fake: FakeGitHub) -> None:
    result = publish(project)
    assert result.exit_code == 1
    assert "pass --yes" in result.stderr
    assert fake.changing_requests() == []


# -- local preconditions --------------------------------------------------------------------


def test_not_a_repository(tmp_path: Path, fake: FakeGitHub) -> None:
    (tmp_path / "plain").mkdir()
    result = publish(tmp_path / "plain", "--yes")
    assert result.exit_code == 1 and "not a git repository: run `git init" in result.stderr


def test_no_commits(tmp_path: Path, fake: FakeGitHub) -> None:
    project = make_project(tmp_path / "p", commit=False)
    result = publish(project, "--yes")
    assert result.exit_code == 1 and "has no commits yet" in result.stderr
    assert fake.requests == []


def test_dirty_work_tree(project: Path, fake: FakeGitHub) -> None:
    (project / "README.md").write_text("changed\n")
    (project / "new.txt").write_text("new\n")
    result = publish(project, "--yes")
    assert result.exit_code == 1
    assert "uncommitted changes (README.md, new.txt)" in result.stderr
    assert "git stash -u" in result.stderr
    assert fake.requests == []


def test_detached_head_and_unknown_branch(project: Path, fake: FakeGitHub) -> None:
    assert publish(project, "--yes", "--branch", "nope").exit_code == 1
    sh("git", "checkout", "--quiet", "--detach", cwd=project)
    result = publish(project, "--yes")
    assert result.exit_code == 1 and "HEAD is detached" in result.stderr


def test_invalid_name(project: Path, fake: FakeGitHub) -> None:
    result = publish(project, "--yes", "--name", "no spaces/please")
    assert result.exit_code == 1 and "not a valid repository name" in result.stderr


def test_remote_pointing_elsewhere_is_left_alone(project: Path, fake: FakeGitHub) -> None:
    sh("git", "remote", "add", "origin", "https://user:pw@example.com/other/repo.git", cwd=project)
    result = publish(project, "--yes")
    assert result.exit_code == 1
    assert "remote 'origin' already points to https://example.com/other/repo.git" in result.stderr
    assert "pw" not in result.stderr
    assert fake.changing_requests() == []


# -- GitHub's errors ------------------------------------------------------------------------


def test_no_token(project: Path, fake: FakeGitHub, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GH_ENTERPRISE_TOKEN")
    result = publish(project, "--yes")
    assert result.exit_code == 3
    assert "no GitHub token found" in result.stderr and "gh auth login" in result.stderr
    assert fake.requests == []


def test_bad_credentials(project: Path, fake: FakeGitHub, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GH_ENTERPRISE_TOKEN", "ghp_revoked")
    result = publish(project, "--yes")
    assert result.exit_code == 3
    assert "401 Bad credentials" in result.stderr and "GH_ENTERPRISE_TOKEN" in result.stderr
    assert "ghp_revoked" not in result.output


def test_classic_token_without_repo_scope(project: Path, fake: FakeGitHub) -> None:
    fake.tokens[TOKEN].scopes = ("read:user", "gist")
    result = publish(project, "--yes")
    assert result.exit_code == 3
    assert "'repo' scope" in result.stderr and "read:user, gist" in result.stderr
    assert fake.repos == {}


def test_fine_grained_token_without_permission(project: Path, fake: FakeGitHub) -> None:
    fake.tokens[TOKEN].kind = "fine-grained"
    fake.tokens[TOKEN].permissions = frozenset({"contents:write"})
    result = publish(project, "--yes")
    assert result.exit_code == 3
    assert "administration=write" in result.stderr
    assert "'Administration: write' and 'Contents: write'" in result.stderr


def test_unknown_org(project: Path, fake: FakeGitHub) -> None:
    result = publish(project, "--yes", "--org", "no-such-org")
    assert result.exit_code == 3 and "organisation 'no-such-org' not found" in result.stderr
    assert fake.changing_requests() == []


def test_name_exists_found_before_creating(project: Path, fake: FakeGitHub) -> None:
    fake.add_repo("octocat", "movie-recs")
    result = publish(project, "--yes")
    assert result.exit_code == 3
    assert "already exists" in result.stderr and "--if-exists use" in result.stderr
    assert "--name" in result.stderr
    assert fake.changing_requests() == []


def test_name_exists_422_from_post(project: Path, fake: FakeGitHub) -> None:
    fake.add_repo("octocat", "movie-recs")
    fake.force("GET", "/repos/octocat/movie-recs", 404, {"message": "Not Found"})
    result = publish(project, "--yes")
    assert result.exit_code == 3
    assert "'movie-recs' already exists" in result.stderr and "--if-exists use" in result.stderr
    assert [r.method for r in fake.changing_requests()] == ["POST"]


def test_rate_limit_says_when_it_resets(project: Path, fake: FakeGitHub) -> None:
    fake.force("POST", "/user/repos", *primary_rate_limit(reset_in=600))
    result = publish(project, "--yes")
    assert result.exit_code == 3
    assert "rate limit" in result.stderr and "UTC (in about 10 min)" in result.stderr
    assert len(fake.changing_requests()) == 1 and fake.repos == {}


def test_network_unreachable(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    from mlportfolio import github

    monkeypatch.setattr(github, "BACKOFF_S", 0.0)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.setenv("GH_ENTERPRISE_TOKEN", TOKEN)
    result = publish(project, "--yes", "--api-url", f"http://127.0.0.1:{port}/api/v3")
    assert result.exit_code == 3 and "cannot be reached" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


# -- pushes: failures, re-runs, refusing to overwrite ---------------------------------------


def test_push_failure_after_create_then_rerun_with_if_exists_use(
    project: Path, fake: FakeGitHub, tmp_path: Path
) -> None:
    fake.git_down = True
    failed = publish(project, "--yes")
    assert failed.exit_code == 3
    message = failed.stderr.strip()
    assert len(message.splitlines()) == 1
    assert "repository octocat/movie-recs was created" in message
    assert "re-run `mlportfolio publish --if-exists use`" in message
    assert ("octocat", "movie-recs") in fake.repos

    fake.git_down = False
    again = publish(project, "--yes")  # without --if-exists use: refuses, suggests it
    assert again.exit_code == 3 and "--if-exists use" in again.stderr

    finished = publish(project, "--yes", "--if-exists", "use", "--json")
    assert finished.exit_code == 0, finished.output
    data = json.loads(finished.stdout)
    assert not data["created"] and data["pushed"]
    assert [r.method for r in fake.changing_requests()] == ["POST", "PUT"]  # no second POST
    assert head(clone_back(fake, "octocat", "movie-recs", tmp_path / "clone")) == head(project)


def test_rerun_after_success_is_idempotent(project: Path, fake: FakeGitHub) -> None:
    assert publish(project, "--yes").exit_code == 0
    config = (project / ".git" / "config").read_text()
    again = publish(project, "--yes", "--if-exists", "use")
    assert again.exit_code == 0, again.output
    assert "Used existing private repository octocat/movie-recs" in again.stderr
    assert [r.method for r in fake.changing_requests()] == ["POST", "PUT"]
    assert (project / ".git" / "config").read_text() == config


def test_use_existing_empty_repo_and_push_new_commits(project: Path, fake: FakeGitHub) -> None:
    fake.add_repo("octocat", "movie-recs", topics=["kept"])
    assert publish(project, "--yes", "--if-exists", "use").exit_code == 0
    assert fake.changing_requests() == []  # topics it already has are kept
    (project / "more.txt").write_text("more\n")
    sh("git", "add", "more.txt", cwd=project)
    sh("git", "commit", "--quiet", "-m", "More", cwd=project)
    assert publish(project, "--yes", "--if-exists", "use").exit_code == 0
    assert sh("git", "rev-parse", "main", cwd=fake.bare("octocat", "movie-recs")) == head(project)


def test_existing_repo_with_other_history_is_never_overwritten(
    project: Path, fake: FakeGitHub, tmp_path: Path
) -> None:
    bare = fake.add_repo("octocat", "movie-recs")
    other = make_project(tmp_path / "other", readme="# Someone else's\n")
    sh("git", "push", "--quiet", str(bare), "main", cwd=other)
    before = sh("git", "rev-parse", "main", cwd=bare)

    result = publish(project, "--yes", "--if-exists", "use")
    assert result.exit_code == 3
    assert "already has commits that main does not have" in result.stderr
    assert "nothing was pushed or overwritten" in result.stderr
    assert sh("git", "rev-parse", "main", cwd=bare) == before
    assert fake.pushes() == []


def test_non_fast_forward_push_is_rejected_not_forced(tmp_path: Path) -> None:
    """Even if the remote moved after the check, git's own refusal surfaces, nothing is lost."""
    project = make_project(tmp_path / "p")
    bare = tmp_path / "remote.git"
    sh("git", "init", "--bare", "--quiet", str(bare), cwd=tmp_path)
    other = make_project(tmp_path / "other", readme="# Someone else's\n")
    sh("git", "push", "--quiet", str(bare), "main", cwd=other)
    before = sh("git", "rev-parse", "main", cwd=bare)
    gitops.set_remote(project, "origin", str(bare))
    env = gitops.auth_env(str(bare), TOKEN)
    with pytest.raises(PushError, match=r"not a fast-forward.*nothing was overwritten"):
        gitops.push(project, "origin", "main", env, TOKEN)
    assert sh("git", "rev-parse", "main", cwd=bare) == before


def test_stale_extraheader_in_config_does_not_break_the_push(
    project: Path, fake: FakeGitHub, tmp_path: Path
) -> None:
    """actions/checkout leaves an extraheader in .git/config; ours replaces it for the push."""
    sh(
        "git",
        "config",
        f"http.{fake.url}/.extraheader",
        "AUTHORIZATION: basic c3RhbGU=",
        cwd=project,
    )
    result = publish(project, "--yes")
    assert result.exit_code == 0, result.output
    assert head(clone_back(fake, "octocat", "movie-recs", tmp_path / "clone")) == head(project)


# -- the token goes nowhere it should not ---------------------------------------------------


@pytest.fixture
def recorded_git(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Path, Path]]:
    """Route every git command through a wrapper that logs its argv; trace git's children too."""
    argv_log, trace = tmp_path / "git-argv.log", tmp_path / "git-trace.log"
    real_git = sh("sh", "-c", "command -v git", cwd=tmp_path)
    wrapper = write_script(
        tmp_path / "git-wrapper", f'printf "%s\\n" "$*" >> {argv_log}\nexec {real_git} "$@"\n'
    )
    monkeypatch.setenv("GIT_PYTHON_GIT_EXECUTABLE", str(wrapper))
    monkeypatch.setenv("GIT_TRACE", str(trace))
    git.refresh(str(wrapper))
    try:
        yield argv_log, trace
    finally:
        monkeypatch.delenv("GIT_PYTHON_GIT_EXECUTABLE")
        git.refresh(real_git)


def test_token_never_leaks(
    project: Path,
    fake: FakeGitHub,
    recorded_git: tuple[Path, Path],
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    import base64

    argv_log, trace = recorded_git
    basic = base64.b64encode(f"x-access-token:{TOKEN}".encode()).decode()
    caplog.set_level(logging.DEBUG)

    fake.git_down = True  # the error path first: created, then the push fails
    failed = CliRunner().invoke(main, ["-v", "publish", str(project), "--yes"])
    fake.git_down = False
    done = CliRunner().invoke(main, ["-v", "publish", str(project), "--yes", "--if-exists", "use"])
    dry = CliRunner().invoke(
        main, ["-v", "publish", str(project), "--dry-run", "--if-exists", "use"]
    )
    assert failed.exit_code == 3 and done.exit_code == 0 and dry.exit_code == 0, done.output

    assert "git push" in trace.read_text() or "push" in argv_log.read_text()
    assert "push --set-upstream" in argv_log.read_text()
    places = {
        "argv of git commands": argv_log.read_text(),
        "GIT_TRACE of git and its children": trace.read_text(),
        ".git/config": (project / ".git" / "config").read_text(),
        "remote URL": git.Repo(project).remote("origin").url,
        "output": failed.output + done.output + dry.output,
        "logs": caplog.text,
    }
    for where, text in places.items():
        assert TOKEN not in text, where
        assert basic not in text, where
    # And the token did reach the server, as a header, not a URL.
    assert any(auth.split() == ["basic", basic] for _, _, auth in fake.pushes())
    assert all(TOKEN not in path for _, path, _ in fake.git_requests)


def test_repo_appearing_between_check_and_create_is_used_with_if_exists_use(
    project: Path, fake: FakeGitHub
) -> None:
    fake.add_repo("octocat", "movie-recs")
    fake.force("GET", "/repos/octocat/movie-recs", 404, {"message": "Not Found"})
    result = publish(project, "--yes", "--if-exists", "use", "--json")
    assert result.exit_code == 0, result.output
    assert not json.loads(result.stdout)["created"]
    assert [r.method for r in fake.changing_requests()] == ["POST", "PUT"]  # the 422, then topics
    assert sh("git", "rev-parse", "main", cwd=fake.bare("octocat", "movie-recs")) == head(project)


# -- links rendered from the answers ---------------------------------------------------------


def test_refuses_to_publish_links_to_the_placeholder_account(
    tmp_path: Path, fake: FakeGitHub
) -> None:
    project = make_project(tmp_path / "movie-recs")
    answers = project / ".copier-answers.yml"
    answers.write_text(answers.read_text().replace("octocat", "your-github-user"))
    sh("git", "commit", "--quiet", "-am", "placeholder", cwd=project)
    result = publish(project, "--yes")
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        "error: the project's README badge and links point at your-github-user/movie-recs, not "
        "octocat/movie-recs: run `mlportfolio update --data github_user=octocat --commit` (a "
        "repository name must then be a valid slug), then publish again"
    )
    assert fake.changing_requests() == []
    dry = publish(project, "--dry-run")
    assert dry.exit_code == 0 and "note: the project's README badge" in dry.stdout


def test_refuses_links_that_point_at_another_repository(project: Path, fake: FakeGitHub) -> None:
    result = publish(project, "--yes", "--name", "recs-2025")
    assert result.exit_code == 1, result.output
    assert "the project's README badge and links point at octocat/movie-recs" in result.stderr
    assert "--data project_slug=recs-2025" in result.stderr
    assert fake.changing_requests() == []
    dry = publish(project, "--dry-run", "--name", "recs-2025")
    assert dry.exit_code == 0 and "note: the project's README badge" in dry.stdout


# -- hardening: hostile API answers, hostile tokens and option-shaped values ------------------


class _Recorder:
    """A plain HTTP server on 127.0.0.1 that records every request and answers 404."""

    def __init__(self) -> None:
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        seen: list[tuple[str, dict[str, str]]] = []

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                seen.append((self.path, dict(self.headers)))
                self.send_response(404)
                self.end_headers()

            do_POST = do_GET

        self.seen = seen
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        ).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.mark.parametrize("host", ["127.0.0.1:{port}", "127.1:{port}", "2130706433:{port}"])
def test_d2_token_never_sent_to_an_api_supplied_clone_url_on_another_host(
    project: Path, fake: FakeGitHub, host: str
) -> None:
    """D2: with --if-exists use, the clone URL from GET /repos is checked before git uses it."""
    recorder = _Recorder()
    try:
        fake.add_repo("octocat", "movie-recs")
        clone_url = f"http://{host.format(port=recorder.port)}/other/x.git"
        fake.repos[("octocat", "movie-recs")]["clone_url"] = clone_url
        result = publish(project, "--yes", "--if-exists", "use")
    finally:
        recorder.close()
    assert result.exit_code == 1, result.output
    assert "refusing" in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert recorder.seen == []
    assert fake.git_requests == []


@pytest.mark.parametrize(
    "token", ["ghp_FIRSTTOKENaaaa\nghp_SECONDTOKENbbbb", "ghp_a\r\nX-Evil: 1", "ghp_ünï", "a b"]
)
def test_d3_d28_token_with_whitespace_control_or_non_ascii_is_refused_unshown(
    project: Path, fake: FakeGitHub, monkeypatch: pytest.MonkeyPatch, token: str
) -> None:
    """D3, D28: such a token is refused before any request, and never printed."""
    monkeypatch.setenv("GH_ENTERPRISE_TOKEN", token)
    for args in (("--yes",), ("--dry-run",)):
        result = publish(project, *args)
        assert result.exit_code == 3, result.output
        assert "GH_ENTERPRISE_TOKEN" in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1
        for part in token.split():
            assert len(part) < 4 or part not in result.output
    assert fake.requests == []


def test_d27_org_is_validated_and_escaped(project: Path, fake: FakeGitHub) -> None:
    """D27: `--org ../user` never turns into another API path."""
    result = publish(project, "--yes", "--org", "../user")
    assert result.exit_code == 1, result.output
    assert "--org" in result.stderr
    assert fake.requests == []


def test_d27_api_login_is_validated(project: Path, fake: FakeGitHub) -> None:
    """D27: a `login` of `../../evil` from GET /user is refused, not used as a path."""
    fake.force("GET", "/user", 200, {"login": "../../evil"})
    result = publish(project, "--yes")
    assert result.exit_code == 1, result.output
    assert [r.path for r in fake.requests] == ["/user"]


def test_d29_user_without_login_stops(project: Path, fake: FakeGitHub) -> None:
    """D29: GET /user without a login is an error, not an empty owner."""
    fake.force("GET", "/user", 200, {"nologin": 1})
    result = publish(project, "--yes")
    assert result.exit_code == 3, result.output
    assert "without a login" in result.stderr
    assert fake.changing_requests() == []


@pytest.mark.parametrize("remote", ["--upload-pack=touch pwned", "-f", "a b", "..", "x/../y"])
def test_option_shaped_remote_name_is_refused(project: Path, fake: FakeGitHub, remote: str) -> None:
    """Attack: an option-shaped --remote never reaches git's argv."""
    result = publish(project, "--yes", f"--remote={remote}")
    assert result.exit_code == 1, result.output
    assert fake.requests == []


def test_segment_quotes_slashes() -> None:
    from mlportfolio.github import segment

    assert segment("../x") == "..%2Fx"


@pytest.mark.parametrize("kind", ["binary", "link"])
def test_hostile_answers_file_is_ignored_not_a_crash(
    tmp_path: Path, fake: FakeGitHub, kind: str
) -> None:
    """Attack: a binary answers file (was exit 70), or a link to a file outside whose text
    would become the repository's description."""
    project = make_project(tmp_path / "movie-recs", commit=False)
    answers = project / ".copier-answers.yml"
    answers.unlink()
    if kind == "binary":
        answers.write_bytes(b"\x00\xff\xfe")
    else:
        secret = tmp_path / "secret.yml"
        secret.write_text("description: TOP SECRET\n")
        answers.symlink_to(secret)
    sh("git", "add", "-A", cwd=project)
    sh("git", "commit", "--quiet", "-m", "Initial commit", cwd=project)
    result = publish(project, "--dry-run")
    assert result.exit_code == 0, result.output
    assert "TOP SECRET" not in result.output


@pytest.mark.parametrize(
    "clone_url",
    [
        "https://evil.example/octocat/movie-recs.git",
        "http://x-access-token:abc@127.0.0.1:1/octocat/movie-recs.git",
        "--upload-pack=touch pwned",
        "ext::sh -c touch% pwned",
    ],
)
def test_hostile_clone_url_from_post_is_refused_before_the_push(
    project: Path, fake: FakeGitHub, clone_url: str
) -> None:
    """Attack (D2's create path): the POST's clone_url gets no token and no push."""
    fake.force(
        "POST",
        "/user/repos",
        201,
        {"clone_url": clone_url, "html_url": "https://evil.example/x", "private": True},
    )
    result = publish(project, "--yes")
    assert result.exit_code == 1, result.output
    assert "refusing" in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert "was created" in result.stderr
    assert fake.git_requests == []
    assert [r.method for r in fake.changing_requests()] == ["POST"]
    assert "abc" not in result.stderr
    assert not (project / "pwned").exists()
