"""The GitHub REST client: endpoints, token lookup, error messages, retries and rate limits."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from mlportfolio import github
from mlportfolio.errors import (
    AuthError,
    GitHubError,
    NetworkError,
    RateLimitError,
    RepositoryExistsError,
    UserError,
)
from mlportfolio.github import ApiEndpoint, GitHubClient, Token, find_token, resolve_endpoint

from .fake_github import (
    TOKEN,
    FakeGitHub,
    Server,
    isolate_tokens,
    primary_rate_limit,
    secondary_rate_limit,
    write_script,
)


@pytest.fixture(autouse=True)
def no_tokens(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return isolate_tokens(tmp_path, monkeypatch)


@pytest.fixture
def fake(tmp_path: Path) -> Iterator[FakeGitHub]:
    fake = FakeGitHub(tmp_path / "server")
    server = Server(fake)
    fake.add_token(TOKEN)
    try:
        yield fake
    finally:
        server.close()
    assert fake.violations == []


class Sleeps(list[float]):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
def client(fake: FakeGitHub, sleeps: Sleeps) -> Iterator[GitHubClient]:
    endpoint = resolve_endpoint(fake.api_url)
    with GitHubClient(endpoint, Token(TOKEN, "GH_ENTERPRISE_TOKEN"), sleep=sleeps) as client:
        yield client


# -- where the API is -----------------------------------------------------------------------


def test_default_endpoint_is_github_com() -> None:
    endpoint = resolve_endpoint(None, {})
    assert endpoint == ApiEndpoint("https://api.github.com", "https://github.com")
    assert not endpoint.is_enterprise
    assert endpoint.repo_clone_url("o", "r") == "https://github.com/o/r.git"


def test_gh_host_points_at_enterprise() -> None:
    endpoint = resolve_endpoint(None, {"GH_HOST": "github.example.com"})
    assert endpoint.api_url == "https://github.example.com/api/v3"
    assert endpoint.host == "github.example.com"
    assert endpoint.is_enterprise


def test_api_url_precedence() -> None:
    env = {"GH_HOST": "a.example.com", "GITHUB_API_URL": "https://b.example.com/api/v3"}
    assert resolve_endpoint(None, env).host == "b.example.com"
    assert resolve_endpoint("c.example.com", env).api_url == "https://c.example.com/api/v3"
    assert resolve_endpoint("https://api.github.com/", env).web_url == "https://github.com"
    assert resolve_endpoint(None, {"GH_HOST": "github.com"}).api_url == "https://api.github.com"


@pytest.mark.parametrize(
    "url", ["http://github.example.com/api/v3", "ftp://x/api/v3", "https://u:p@h.example/api/v3"]
)
def test_unsafe_api_urls_are_refused(url: str) -> None:
    with pytest.raises(UserError):
        resolve_endpoint(url, {})


def test_plain_http_is_allowed_on_loopback_only() -> None:
    assert resolve_endpoint("http://127.0.0.1:8080/api/v3", {}).web_url == "http://127.0.0.1:8080"


# -- which token ----------------------------------------------------------------------------


def test_token_order_for_github_com() -> None:
    endpoint = resolve_endpoint(None, {})
    token = find_token(endpoint, {"GITHUB_TOKEN": "second", "GH_TOKEN": "first"})
    assert (token.value, token.source) == ("first", "GH_TOKEN")
    assert find_token(endpoint, {"GITHUB_TOKEN": "second"}).source == "GITHUB_TOKEN"
    assert "first" not in repr(token)


def test_enterprise_host_uses_enterprise_token_only() -> None:
    endpoint = resolve_endpoint("github.example.com", {})
    env = {"GH_TOKEN": "for-github-com", "GH_ENTERPRISE_TOKEN": "for-ghes"}
    assert find_token(endpoint, env).value == "for-ghes"
    with pytest.raises(AuthError, match="GH_ENTERPRISE_TOKEN"):
        find_token(endpoint, {"GH_TOKEN": "for-github-com"})


def test_token_from_gh_auth_token(no_tokens: Path, tmp_path: Path) -> None:
    argv_log = tmp_path / "gh-argv"
    write_script(no_tokens / "gh", f'echo "$@" > {argv_log}\necho gho_from_gh\n')
    token = find_token(resolve_endpoint(None, {}), {})
    assert (token.value, token.source) == ("gho_from_gh", "gh auth token")
    assert argv_log.read_text().split() == ["auth", "token", "--hostname", "github.com"]


def test_token_from_git_credential_fill(tmp_path: Path) -> None:
    helper = write_script(
        tmp_path / "helper", "cat >/dev/null\necho username=me\necho password=from-helper\n"
    )
    Path(str(Path.home() / ".gitconfig")).write_text(f"[credential]\n\thelper = {helper}\n")
    token = find_token(resolve_endpoint(None, {}), {})
    assert (token.value, token.source) == ("from-helper", "git credential fill")


def test_no_token_says_what_to_do() -> None:
    with pytest.raises(AuthError) as caught:
        find_token(resolve_endpoint(None, {}), {})
    message = str(caught.value)
    assert "GH_TOKEN" in message and "gh auth login" in message and "\n" not in message


def test_redact_removes_every_form() -> None:
    import base64

    basic = base64.b64encode(f"x-access-token:{TOKEN}".encode()).decode()
    text = github.redact(f"a {TOKEN} b AUTHORIZATION: basic {basic}", TOKEN)
    assert TOKEN not in text and basic not in text


# -- calls and errors -----------------------------------------------------------------------


def test_get_user_sends_githubs_headers(client: GitHubClient, fake: FakeGitHub) -> None:
    assert client.get_user()["login"] == "octocat"
    request = fake.requests[-1]
    assert request.headers["authorization"] == f"Bearer {TOKEN}"
    assert request.headers["user-agent"].startswith("mlportfolio/")
    assert client.scopes == "repo"


def test_create_repo_body_matches_openapi(client: GitHubClient, fake: FakeGitHub) -> None:
    repo = client.create_repo({"name": "demo", "private": True, "auto_init": False})
    assert repo["clone_url"] == f"{fake.url}/octocat/demo.git"
    assert client.replace_topics("octocat", "demo", ["machine-learning"]) == ["machine-learning"]
    assert [(r.method, r.path) for r in fake.changing_requests()] == [
        ("POST", "/user/repos"),
        ("PUT", "/repos/octocat/demo/topics"),
    ]


def test_schema_violation_is_caught_by_the_fake(client: GitHubClient, fake: FakeGitHub) -> None:
    with pytest.raises(GitHubError, match="422"):
        client.create_repo({"name": "demo", "private": "yes"})
    assert fake.violations
    fake.violations.clear()


def test_bad_credentials(fake: FakeGitHub, sleeps: Sleeps) -> None:
    endpoint = resolve_endpoint(fake.api_url)
    client = GitHubClient(endpoint, Token("ghp_wrong", "GH_TOKEN"), sleep=sleeps)
    with client, pytest.raises(AuthError) as caught:
        client.get_user()
    assert "Bad credentials" in str(caught.value) and "GH_TOKEN" in str(caught.value)
    assert "ghp_wrong" not in str(caught.value)
    assert sleeps == []


def test_classic_token_without_repo_scope(client: GitHubClient, fake: FakeGitHub) -> None:
    fake.tokens[TOKEN].scopes = ("read:user",)
    client.get_user()
    with pytest.raises(AuthError, match=r"'repo' scope.*it has: read:user"):
        client.create_repo({"name": "demo", "private": True})


def test_fine_grained_token_without_permission(client: GitHubClient, fake: FakeGitHub) -> None:
    fake.tokens[TOKEN].kind = "fine-grained"
    fake.tokens[TOKEN].permissions = frozenset({"contents:write"})
    with pytest.raises(AuthError, match=r"administration=write.*Administration: write"):
        client.create_repo({"name": "demo", "private": True})


def test_unknown_org(client: GitHubClient) -> None:
    with pytest.raises(GitHubError, match="organisation 'nope' not found"):
        client.get_org("nope")


def test_name_already_exists(client: GitHubClient, fake: FakeGitHub) -> None:
    fake.add_repo("octocat", "demo")
    with pytest.raises(RepositoryExistsError, match=r"'demo' already exists.*--if-exists use"):
        client.create_repo({"name": "demo"})


def test_get_retries_5xx_with_backoff(
    client: GitHubClient, fake: FakeGitHub, sleeps: Sleeps
) -> None:
    fake.force("GET", "/user", 502, {"message": "Server Error"}, times=2)
    assert client.get_user()["login"] == "octocat"
    assert sleeps == [1.0, 2.0]


def test_get_gives_up_after_three_5xx(client: GitHubClient, fake: FakeGitHub) -> None:
    fake.force("GET", "/user", 503, {"message": "Unavailable"}, times=3)
    with pytest.raises(GitHubError, match="failed 3 times"):
        client.get_user()


def test_post_is_never_retried(client: GitHubClient, fake: FakeGitHub, sleeps: Sleeps) -> None:
    fake.force("POST", "/user/repos", 502, {"message": "Server Error"})
    with pytest.raises(GitHubError, match=r"may or may not.*--if-exists use"):
        client.create_repo({"name": "demo"})
    assert len(fake.changing_requests()) == 1
    assert sleeps == []


def test_primary_rate_limit_says_when_it_resets(client: GitHubClient, fake: FakeGitHub) -> None:
    fake.force("GET", "/user", *primary_rate_limit(reset_in=1800))
    with pytest.raises(RateLimitError, match=r"lifts at \d\d:\d\d UTC \(in about 30 min\)") as c:
        client.get_user()
    assert c.value.reset_at == pytest.approx(time.time() + 1800, abs=5)


def test_secondary_rate_limit_on_get_waits_and_retries(
    client: GitHubClient, fake: FakeGitHub, sleeps: Sleeps
) -> None:
    fake.force("GET", "/user", *secondary_rate_limit(retry_after=7))
    assert client.get_user()["login"] == "octocat"
    assert sleeps == [7.0]


def test_rate_limit_on_post_is_not_retried(
    client: GitHubClient, fake: FakeGitHub, sleeps: Sleeps
) -> None:
    fake.force("POST", "/user/repos", *secondary_rate_limit(retry_after=1))
    with pytest.raises(RateLimitError, match="was not carried out"):
        client.create_repo({"name": "demo"})
    assert sleeps == [] and len(fake.changing_requests()) == 1


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_unreachable(sleeps: Sleeps) -> None:
    endpoint = resolve_endpoint(f"http://127.0.0.1:{_closed_port()}/api/v3")
    client = GitHubClient(endpoint, Token(TOKEN, "GH_TOKEN"), sleep=sleeps)
    with client, pytest.raises(NetworkError, match=r"cannot be reached.*check your network"):
        client.get_user()
    assert sleeps == [1.0, 2.0]


def test_timeout(sleeps: Sleeps) -> None:
    with socket.socket() as listener:  # accepts connections, never answers
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        port = listener.getsockname()[1]
        endpoint = resolve_endpoint(f"http://127.0.0.1:{port}/api/v3")
        client = GitHubClient(endpoint, Token(TOKEN, "GH_TOKEN"), timeout=0.2, sleep=sleeps)
        with client, pytest.raises(NetworkError, match="did not answer in time") as caught:
            client.create_repo({"name": "demo"})
    assert "may or may not" in str(caught.value) and TOKEN not in str(caught.value)
    assert sleeps == []
