"""A small client for the parts of GitHub's REST API that ``mlportfolio publish`` needs.

It finds the API (github.com or an Enterprise host) and a token, and turns every failure into
one :class:`~mlportfolio.errors.MlportfolioError` line that says what to do. The token is never
logged, never put in a URL and never put in an error message.
"""

from __future__ import annotations

import base64
import ipaddress
import logging
import os
import re
import shutil
import subprocess
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Self
from urllib.parse import quote, urlsplit

import httpx

from . import __version__
from .errors import (
    AuthError,
    GitHubError,
    MalformedTokenError,
    NetworkError,
    RateLimitError,
    RepositoryExistsError,
    UserError,
)

log = logging.getLogger(__name__)

DEFAULT_API_URL = "https://api.github.com"
API_VERSION = "2022-11-28"
USER_AGENT = f"mlportfolio/{__version__}"
DOCS_TOKENS = "https://github.com/settings/tokens"

#: GET requests are tried this many times on a 5xx answer or a network error.
GET_ATTEMPTS = 3
#: Seconds before the first retry; doubled for each further one.
BACKOFF_S = 1.0
#: A GET waits for a rate limit to lift only when it lifts within this many seconds.
MAX_RATE_LIMIT_WAIT_S = 60.0


def _sleep(seconds: float) -> None:
    time.sleep(seconds)


# --------------------------------------------------------------------------------------------
# Where the API is


@dataclass(frozen=True)
class ApiEndpoint:
    """The REST API root and the web host that clone URLs and credentials use."""

    api_url: str
    web_url: str

    @property
    def host(self) -> str:
        """The web host (``github.com``, ``github.example.com:8443``)."""
        return urlsplit(self.web_url).netloc

    @property
    def is_enterprise(self) -> bool:
        """Whether this is a GitHub Enterprise Server rather than github.com."""
        return self.host.lower() not in ("github.com", "www.github.com")

    def repo_clone_url(self, owner: str, name: str) -> str:
        """The HTTPS clone URL GitHub gives a repository ``owner/name``."""
        return f"{self.web_url}/{owner}/{name}.git"


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def resolve_endpoint(
    api_url: str | None = None, env: Mapping[str, str] | None = None
) -> ApiEndpoint:
    """Find the API root: ``--api-url``, else ``GITHUB_API_URL``, else ``GH_HOST``, else github.com.

    ``--api-url`` and ``GITHUB_API_URL`` take an API root (``https://HOST/api/v3``) or a bare
    host; ``GH_HOST`` is a host, as for the ``gh`` CLI. Plain ``http://`` is refused except on
    the loopback interface, so a token never crosses a network unencrypted.
    """
    env = os.environ if env is None else env
    raw = api_url or env.get("GITHUB_API_URL") or ""
    if not raw and env.get("GH_HOST"):
        raw = env["GH_HOST"]
    raw = raw.strip().rstrip("/")
    if not raw:
        return ApiEndpoint(DEFAULT_API_URL, "https://github.com")
    if "://" not in raw:
        host = raw
        if host.lower() in ("github.com", "api.github.com"):
            return ApiEndpoint(DEFAULT_API_URL, "https://github.com")
        raw = f"https://{host}/api/v3"
    parts = urlsplit(raw)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise UserError(f"API URL {raw!r} is not an http(s) URL: use e.g. https://HOST/api/v3")
    if parts.scheme == "http" and not _is_loopback(parts.hostname):
        raise UserError(
            f"API URL {raw!r} uses plain http, which would send the token unencrypted: use https"
        )
    if parts.username or parts.password or parts.query:
        raise UserError("the API URL must not contain credentials or a query; set a token instead")
    if parts.netloc.lower() == "api.github.com":
        return ApiEndpoint(DEFAULT_API_URL, "https://github.com")
    path = parts.path.rstrip("/")
    web_path = path.removesuffix("/api/v3")
    return ApiEndpoint(
        f"{parts.scheme}://{parts.netloc}{path}", f"{parts.scheme}://{parts.netloc}{web_path}"
    )


# --------------------------------------------------------------------------------------------
# Which token


@dataclass(frozen=True)
class Token:
    """A token and where it came from (the source is safe to show; the value never is)."""

    value: str = field(repr=False)
    source: str


def _run_quiet(argv: list[str], *, env: Mapping[str, str] | None = None) -> str | None:
    """Run a helper that prints a secret; its stdout, or ``None`` if it failed in any way."""
    try:
        done = subprocess.run(
            argv,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=20,
            env={**os.environ, **(env or {})},
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout if done.returncode == 0 else None


def _token_from_gh(host: str) -> str | None:
    gh = shutil.which("gh")
    if not gh:
        return None
    out = _run_quiet([gh, "auth", "token", "--hostname", host], env={"GH_PROMPT_DISABLED": "1"})
    return out.strip() if out else None


def _token_from_git_credential(endpoint: ApiEndpoint) -> str | None:
    from . import gitops

    return gitops.credential_password(urlsplit(endpoint.web_url).scheme, endpoint.host)


def token_env_names(endpoint: ApiEndpoint) -> tuple[str, ...]:
    """The environment variables read for a token, in order, for this host (as ``gh`` does)."""
    if endpoint.is_enterprise:
        return ("GH_ENTERPRISE_TOKEN", "GITHUB_ENTERPRISE_TOKEN")
    return ("GH_TOKEN", "GITHUB_TOKEN")


def find_token(endpoint: ApiEndpoint, env: Mapping[str, str] | None = None) -> Token:
    """Find a token: environment variables, then ``gh auth token``, then ``git credential fill``.

    Raises:
        AuthError: none of them has one.
    """
    env = os.environ if env is None else env
    names = token_env_names(endpoint)
    for name in names:
        if value := env.get(name, "").strip():
            return check_token(Token(value, name))
    if from_gh := _token_from_gh(endpoint.host):
        return check_token(Token(from_gh, "gh auth token"))
    if from_git := _token_from_git_credential(endpoint):
        return check_token(Token(from_git, "git credential fill"))
    raise AuthError(
        f"no GitHub token found for {endpoint.host}: set {names[0]} to a token with the 'repo' "
        f"scope ({DOCS_TOKENS}), or run `gh auth login`"
        + (f" --hostname {endpoint.host}" if endpoint.is_enterprise else "")
    )


_TOKEN_CHARS = re.compile(r"[\x21-\x7e]{1,1000}")
#: A GitHub login: letters, digits, hyphens and (Enterprise managed users) underscores.
_LOGIN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,38}")


def check_token(token: Token) -> Token:
    """Refuse a token that holds whitespace, control or non-ASCII characters, before any use.

    Such a value is never a token (two pasted together, a stray newline, a typo) and would
    otherwise reach an HTTP header, where libraries quote it back in their error messages.
    The message names where the token came from, never the value.
    """
    if not _TOKEN_CHARS.fullmatch(token.value):
        raise MalformedTokenError(
            f"the token from {token.source} contains whitespace, control or non-ASCII "
            "characters (or is over 1000 characters): set it to the token alone"
        )
    return token


def check_login(login: str, what: str) -> str:
    """Return ``login`` if it can be an account or organisation name, else explain.

    It becomes a URL path segment, so ``../x`` or an empty value must never get that far.
    """
    if not _LOGIN.fullmatch(login):
        raise UserError(
            f"{what} {login[:60]!r} is not a GitHub account or organisation name (letters, "
            "digits and hyphens, at most 39 characters)"
        )
    return login


def segment(value: str) -> str:
    """``value`` quoted as one URL path segment (``/`` included)."""
    return quote(value, safe="")


def redact(text: str, *secrets: str) -> str:
    """Replace every secret, and its base64 forms used in HTTP headers, with ``***``."""
    for secret in secrets:
        if not secret:
            continue
        forms = {
            secret,
            base64.b64encode(f"x-access-token:{secret}".encode()).decode(),
            base64.b64encode(secret.encode()).decode(),
        }
        for form in forms:
            text = text.replace(form, "***")
    return text


# --------------------------------------------------------------------------------------------
# The client


def _one_line(text: str, limit: int = 200) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _describe_reset(reset_at: float) -> str:
    when = datetime.fromtimestamp(reset_at, tz=UTC)
    minutes = max(0, round((reset_at - time.time()) / 60))
    return f"{when:%H:%M} UTC (in about {minutes} min)"


class GitHubClient:
    """The few REST calls publishing needs, with GitHub's errors turned into one-line messages.

    Changing requests (POST, PUT) are sent once and never retried; a GET is retried with
    backoff after a 5xx answer or a network error, and waits out a rate limit that lifts soon.
    """

    def __init__(
        self,
        endpoint: ApiEndpoint,
        token: Token,
        *,
        timeout: float = 30.0,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        self.endpoint = endpoint
        self._token = check_token(token)
        self._sleep = sleep if sleep is not None else _sleep
        self._http = httpx.Client(
            base_url=endpoint.api_url + "/",
            timeout=timeout,
            follow_redirects=False,
            headers={
                "Accept": "application/vnd.github+json",
                "X-GitHub-Api-Version": API_VERSION,
                "User-Agent": USER_AGENT,
                "Authorization": f"Bearer {token.value}",
            },
        )
        self.scopes: str | None = None

    def close(self) -> None:
        """Close the connection pool."""
        self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- public calls ------------------------------------------------------------------------

    def get_user(self) -> dict[str, Any]:
        """``GET /user``: who the token belongs to."""
        response = self._request("GET", "user")
        self.scopes = response.headers.get("x-oauth-scopes")
        return _json_object(response)

    def get_org(self, org: str) -> dict[str, Any]:
        """``GET /orgs/{org}``; raises a one-line error if the org does not exist or is hidden."""
        response = self._request("GET", f"orgs/{segment(org)}", allow_404=True)
        if response.status_code == 404:
            raise GitHubError(
                f"organisation '{org}' not found on {self.endpoint.host}, or the token cannot see "
                "it: check --org (a fine-grained token must have the organisation as its "
                "resource owner)"
            )
        return _json_object(response)

    def get_repo(self, owner: str, name: str) -> dict[str, Any] | None:
        """``GET /repos/{owner}/{repo}``, or ``None`` when it does not exist (or is hidden)."""
        response = self._request("GET", f"repos/{segment(owner)}/{segment(name)}", allow_404=True)
        return None if response.status_code == 404 else _json_object(response)

    def create_repo(self, body: Mapping[str, Any], org: str | None = None) -> dict[str, Any]:
        """``POST /user/repos`` or ``POST /orgs/{org}/repos`` (sent once, never retried)."""
        path = f"orgs/{segment(org)}/repos" if org else "user/repos"
        return _json_object(self._request("POST", path, json=dict(body)))

    def replace_topics(self, owner: str, name: str, topics: list[str]) -> list[str]:
        """``PUT /repos/{owner}/{repo}/topics``; returns the topics GitHub stored."""
        response = self._request(
            "PUT", f"repos/{segment(owner)}/{segment(name)}/topics", json={"names": topics}
        )
        names = _json_object(response).get("names", topics)
        return [str(n) for n in names]

    # -- machinery ---------------------------------------------------------------------------

    def _request(
        self,
        method: str,
        path: str,
        *,
        json: dict[str, Any] | None = None,
        allow_404: bool = False,
    ) -> httpx.Response:
        retryable = method == "GET"
        attempts = GET_ATTEMPTS if retryable else 1
        delay = BACKOFF_S
        for attempt in range(1, attempts + 1):
            last = attempt == attempts
            try:
                log.debug("%s %s/%s", method, self.endpoint.api_url, path)
                response = self._http.request(method, path, json=json)
            except httpx.TransportError as exc:
                if retryable and not last:
                    log.debug("network error (%s), retrying in %.1f s", type(exc).__name__, delay)
                    self._sleep(delay)
                    delay *= 2
                    continue
                raise self._network_error(method, path, exc) from None
            if response.status_code < 300 or (allow_404 and response.status_code == 404):
                return response
            wait = self._rate_limit_wait(response)
            if wait is not None:
                if retryable and not last and wait <= MAX_RATE_LIMIT_WAIT_S:
                    log.debug("rate limited, waiting %.0f s", wait)
                    self._sleep(wait)
                    continue
                raise self._rate_limit_error(method, path, response, wait)
            if response.status_code >= 500 and retryable and not last:
                log.debug("GitHub answered %s, retrying in %.1f s", response.status_code, delay)
                self._sleep(delay)
                delay *= 2
                continue
            raise self._error(method, path, response, attempts, json)
        raise AssertionError("unreachable")  # pragma: no cover

    def _network_error(self, method: str, path: str, exc: httpx.TransportError) -> NetworkError:
        where = self.endpoint.api_url
        if isinstance(exc, httpx.TimeoutException):
            what = "did not answer in time"
        elif isinstance(exc, httpx.ConnectError):
            what = "cannot be reached"
        else:
            what = f"failed ({type(exc).__name__})"
        if method == "GET" or isinstance(exc, httpx.ConnectError):
            hint = "check your network connection, proxy settings or --api-url, then re-run"
        else:
            hint = (
                "the request may or may not have taken effect: check on GitHub, then re-run "
                "with --if-exists use"
            )
        # redact the raw text before it is folded onto one line (which would split a secret
        # that holds whitespace), and again after
        detail = redact(_one_line(redact(str(exc), self._token.value), 120), self._token.value)
        return NetworkError(f"{where} {what} ({method} /{path}: {detail}): {hint}")

    @staticmethod
    def _rate_limit_wait(response: httpx.Response) -> float | None:
        """Seconds until a rate limit lifts, or ``None`` when this is no rate-limit answer."""
        if response.status_code not in (403, 429):
            return None
        headers = response.headers
        if retry_after := headers.get("retry-after"):
            try:
                return max(0.0, float(retry_after))
            except ValueError:
                return 60.0
        if headers.get("x-ratelimit-remaining") == "0":
            try:
                return max(0.0, float(headers.get("x-ratelimit-reset", "")) - time.time())
            except ValueError:
                return 60.0
        if response.status_code == 429 or "rate limit" in _message(response).lower():
            return 60.0
        return None

    def _rate_limit_error(
        self, method: str, path: str, response: httpx.Response, wait: float | None
    ) -> RateLimitError:
        reset_at = time.time() + (wait or 60.0)
        when = _describe_reset(reset_at)
        nothing = "" if method == "GET" else f"; {method} /{path} was not carried out"
        return RateLimitError(
            f"GitHub's rate limit was hit ({_one_line(_message(response), 80)}){nothing}: "
            f"it lifts at {when}; re-run then",
            reset_at=reset_at,
        )

    def _error(
        self,
        method: str,
        path: str,
        response: httpx.Response,
        attempts: int,
        body: Mapping[str, Any] | None,
    ) -> GitHubError:
        status = response.status_code
        message = _one_line(_message(response), 120)
        token_from = f"the token from {self._token.source}"
        request = f"{method} /{path}"
        if status == 401:
            return AuthError(
                f"GitHub rejected {token_from} (401 {message or 'Bad credentials'}): it is wrong, "
                f"expired or revoked; create a new one at {DOCS_TOKENS} or run `gh auth login`"
            )
        if status == 403:
            if sso := response.headers.get("x-github-sso"):
                url = sso.partition("url=")[2].strip() or "your organisation's SSO page"
                return AuthError(f"{token_from} must be authorised for SAML SSO first: {url}")
            if accepted := response.headers.get("x-accepted-github-permissions"):
                return AuthError(
                    f"{token_from} lacks a permission for {request} (403 {message}); GitHub "
                    f"needs {accepted}: give the fine-grained token 'Administration: write' "
                    "and 'Contents: write' on the account or organisation, or use a classic "
                    "token with the 'repo' scope"
                )
            return AuthError(f"GitHub refused {request} (403 {message}) for {token_from}")
        if status == 404 and method != "GET":
            scopes = response.headers.get("x-oauth-scopes", self.scopes)
            have = f" (it has: {scopes or 'no scopes'})" if scopes is not None else ""
            return AuthError(
                f"GitHub answered 404 to {request}: a classic token needs the 'repo' scope, or "
                f"'public_repo' for a public repository{have}; add it at {DOCS_TOKENS} "
                f"({token_from})"
            )
        if status == 422:
            details = "; ".join(
                str(e.get("message") or e.get("code"))
                for e in _json_object(response, strict=False).get("errors", [])
                if isinstance(e, dict)
            )
            if "already exists" in details and body and "name" in body:
                owner = path.split("/")[1] if path.startswith("orgs/") else "this account"
                return RepositoryExistsError(
                    f"a repository named '{body['name']}' already exists on {owner}: pass "
                    "--if-exists use to push to it, or --name to choose another name"
                )
            return GitHubError(
                f"GitHub refused {request} (422 {message}{': ' if details else ''}{details})"
            )
        if status >= 500:
            if method == "GET":
                return GitHubError(
                    f"GitHub failed {attempts} times on {request} ({status} {message}): try again "
                    "later (https://www.githubstatus.com)"
                )
            return GitHubError(
                f"GitHub failed on {request} ({status} {message}); it may or may not have taken "
                "effect: check on GitHub, then re-run with --if-exists use"
            )
        return GitHubError(
            f"GitHub answered {status} to {request}: {message or response.reason_phrase}"
        )


def _message(response: httpx.Response) -> str:
    return str(_json_object(response, strict=False).get("message") or response.reason_phrase)


def _json_object(response: httpx.Response, *, strict: bool = True) -> dict[str, Any]:
    try:
        data = response.json()
    except ValueError:
        data = None
    if isinstance(data, dict):
        return data
    if strict:
        raise GitHubError(
            f"GitHub answered {response.request.method} {response.request.url.path} with "
            "something that is not a JSON object: is --api-url right?"
        )
    return {}
