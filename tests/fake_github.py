"""A fake GitHub on 127.0.0.1: the REST API slice ``publish`` uses, plus smart-HTTP git.

The API answers with GitHub's status codes, headers and error bodies, and checks every request
body against GitHub's OpenAPI description (``tests/data/github_openapi_slice.json``). Git
requests go to the real ``git http-backend`` behind the same auth GitHub uses for tokens
(``Authorization: Basic base64(x-access-token:TOKEN)``), so pushes are real pushes.
"""

from __future__ import annotations

import base64
import json
import os
import re
import stat
import subprocess
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import jsonschema
import pytest

TOKEN = "ghp_fakeTOKEN1234567890abcdefABCDEF0123"
SLICE = json.loads((Path(__file__).parent / "data" / "github_openapi_slice.json").read_text())
DOCS = "https://docs.github.com/rest"
TOPIC_RULE = re.compile(r"^[a-z0-9][a-z0-9-]{0,49}$")


@dataclass
class FakeToken:
    """A token the fake knows: a classic one with scopes or a fine-grained one with permissions."""

    login: str
    kind: str = "classic"
    scopes: tuple[str, ...] = ("repo",)
    permissions: frozenset[str] = frozenset({"administration:write", "contents:write"})

    def can_create(self, private: bool) -> bool:
        if self.kind == "classic":
            return "repo" in self.scopes or (not private and "public_repo" in self.scopes)
        return "administration:write" in self.permissions

    def can_push(self) -> bool:
        if self.kind == "classic":
            return bool({"repo", "public_repo"} & set(self.scopes))
        return "contents:write" in self.permissions


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: Any


@dataclass
class Forced:
    method: str
    path: str
    status: int
    body: Any
    headers: dict[str, str]
    times: int


@dataclass
class FakeGitHub:
    root: Path
    url: str = ""
    tokens: dict[str, FakeToken] = field(default_factory=dict)
    orgs: set[str] = field(default_factory=set)
    repos: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    requests: list[Recorded] = field(default_factory=list)
    git_requests: list[tuple[str, str, str]] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)
    forced: list[Forced] = field(default_factory=list)
    git_down: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def api_url(self) -> str:
        return f"{self.url}/api/v3"

    @property
    def host(self) -> str:
        return self.url.removeprefix("http://")

    # -- set-up helpers -----------------------------------------------------------------------

    def add_token(self, token: str, login: str = "octocat", **kwargs: Any) -> str:
        self.tokens[token] = FakeToken(login, **kwargs)
        return token

    def add_repo(self, owner: str, name: str, *, private: bool = True, topics: Any = ()) -> Path:
        """A repository as if created earlier on GitHub: a bare repository on disk."""
        bare = self.root / owner / f"{name}.git"
        bare.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            ["git", "init", "--bare", "--quiet", "--initial-branch=main", str(bare)], check=True
        )
        subprocess.run(["git", "-C", str(bare), "config", "http.receivepack", "true"], check=True)
        self.repos[(owner.lower(), name.lower())] = self._repo_json(owner, name, private, topics)
        return bare

    def bare(self, owner: str, name: str) -> Path:
        return self.root / owner / f"{name}.git"

    def force(
        self,
        method: str,
        path: str,
        status: int,
        body: Any = None,
        headers: dict[str, str] | None = None,
        times: int = 1,
    ) -> None:
        """Answer the next ``times`` requests to ``method path`` (a path after /api/v3) thus."""
        self.forced.append(Forced(method, path, status, body, headers or {}, times))

    def changing_requests(self) -> list[Recorded]:
        return [r for r in self.requests if r.method not in ("GET", "HEAD")]

    def pushes(self) -> list[tuple[str, str, str]]:
        return [g for g in self.git_requests if "receive-pack" in g[1]]

    # -- the API ------------------------------------------------------------------------------

    def _repo_json(self, owner: str, name: str, private: bool, topics: Any) -> dict[str, Any]:
        return {
            "id": len(self.repos) + 1000,
            "name": name,
            "full_name": f"{owner}/{name}",
            "owner": {"login": owner},
            "private": private,
            "visibility": "private" if private else "public",
            "html_url": f"{self.url}/{owner}/{name}",
            "clone_url": f"{self.url}/{owner}/{name}.git",
            "git_url": f"git://{self.host}/{owner}/{name}.git",
            "ssh_url": f"git@{self.host}:{owner}/{name}.git",
            "default_branch": "main",
            "topics": list(topics),
        }

    def validate(self, operation: str, body: Any) -> str | None:
        schema = SLICE["operations"][operation]["requestBody"]
        errors = [e.message for e in jsonschema.Draft7Validator(schema).iter_errors(body)]
        if isinstance(body, dict):
            unknown = set(body) - set(schema.get("properties", {}))
            errors += [f"unknown property {key!r}" for key in sorted(unknown)]
        if errors:
            self.violations.append(f"{operation}: {'; '.join(errors)}")
            return "; ".join(errors)
        return None

    def handle_api(
        self, method: str, path: str, headers: dict[str, str], body: Any
    ) -> tuple[int, Any, dict[str, str]]:
        for forced in self.forced:
            if forced.method == method and forced.path == path and forced.times > 0:
                forced.times -= 1
                return forced.status, forced.body, dict(forced.headers)
        for name, expected in (
            ("accept", "application/vnd.github+json"),
            ("x-github-api-version", "2022-11-28"),
        ):
            if headers.get(name) != expected:
                self.violations.append(f"{method} {path}: header {name}={headers.get(name)!r}")
        if not headers.get("user-agent"):
            self.violations.append(f"{method} {path}: no User-Agent")
            return 403, {"message": "Request forbidden by administrative rules."}, {}

        auth = headers.get("authorization", "")
        if not auth:
            return 401, error("Requires authentication", "401"), {}
        scheme, _, value = auth.partition(" ")
        token = self.tokens.get(value) if scheme.lower() in ("bearer", "token") else None
        if token is None:
            return 401, error("Bad credentials", "401"), {}
        extra = {}
        if token.kind == "classic":
            extra["X-OAuth-Scopes"] = ", ".join(token.scopes)
            extra["X-Accepted-OAuth-Scopes"] = "repo" if method != "GET" else ""

        status, payload, more = self._route(method, path, token, body)
        return status, payload, {**extra, **more}

    def _route(  # noqa: C901 - one branch per endpoint, as a router is
        self, method: str, path: str, token: FakeToken, body: Any
    ) -> tuple[int, Any, dict[str, str]]:
        if method == "GET" and path == "/user":
            return 200, {"login": token.login, "id": 1, "type": "User"}, {}
        if m := re.fullmatch(r"/orgs/([^/]+)", path):
            if method == "GET" and m[1] in self.orgs:
                return 200, {"login": m[1], "id": 2}, {}
            return 404, error("Not Found", "404"), {}
        if m := re.fullmatch(r"/repos/([^/]+)/([^/]+)", path):
            repo = self.repos.get((m[1].lower(), m[2].lower()))
            if method == "GET" and repo is not None:
                return 200, repo, {}
            return 404, error("Not Found", "404"), {}
        if method == "POST" and (m := re.fullmatch(r"/user/repos|/orgs/([^/]+)/repos", path)):
            operation = "POST /orgs/{org}/repos" if m[1] else "POST /user/repos"
            if m[1] and m[1] not in self.orgs:
                return 404, error("Not Found", "404"), {}
            if problem := self.validate(operation, body):
                return 422, error(f"Invalid request. {problem}", "422"), {}
            private = bool(body.get("private", False))
            if not token.can_create(private):
                if token.kind == "classic":
                    return 404, error("Not Found", "404"), {}
                return (
                    403,
                    error("Resource not accessible by personal access token", "403"),
                    {"X-Accepted-GitHub-Permissions": "administration=write"},
                )
            owner = m[1] or token.login
            if (owner.lower(), body["name"].lower()) in self.repos:
                return (
                    422,
                    {
                        "message": "Repository creation failed.",
                        "errors": [
                            {
                                "resource": "Repository",
                                "code": "custom",
                                "field": "name",
                                "message": "name already exists on this account",
                            }
                        ],
                        "documentation_url": f"{DOCS}/repos/repos#create-a-repository",
                        "status": "422",
                    },
                    {},
                )
            self.add_repo(owner, body["name"], private=private)
            repo = self.repos[(owner.lower(), body["name"].lower())]
            repo["description"] = body.get("description")
            repo["homepage"] = body.get("homepage")
            return 201, repo, {"Location": f"{self.api_url}/repos/{owner}/{body['name']}"}
        if method == "PUT" and (m := re.fullmatch(r"/repos/([^/]+)/([^/]+)/topics", path)):
            if problem := self.validate("PUT /repos/{owner}/{repo}/topics", body):
                return 422, error(f"Invalid request. {problem}", "422"), {}
            repo = self.repos.get((m[1].lower(), m[2].lower()))
            if repo is None:
                return 404, error("Not Found", "404"), {}
            if token.kind != "classic" and "administration:write" not in token.permissions:
                return (
                    403,
                    error("Resource not accessible by personal access token", "403"),
                    {"X-Accepted-GitHub-Permissions": "administration=write"},
                )
            names = body["names"]
            bad = [n for n in names if not TOPIC_RULE.match(n)]
            if bad or len(names) > 20:
                self.violations.append(f"invalid topics {bad or names}")
                return 422, error("Invalid topics", "422"), {}
            repo["topics"] = list(names)
            return 200, {"names": list(names)}, {}
        return 404, error("Not Found", "404"), {}

    # -- git ----------------------------------------------------------------------------------

    def git_auth_ok(self, header: str, write: bool) -> bool:
        scheme, _, value = header.partition(" ")
        if scheme.lower() != "basic":
            return False
        try:
            user, _, token = base64.b64decode(value).decode().partition(":")
        except ValueError:
            return False
        known = self.tokens.get(token)
        return user == "x-access-token" and known is not None and (not write or known.can_push())


def error(message: str, status: str) -> dict[str, str]:
    return {"message": message, "documentation_url": DOCS, "status": status}


def _rate_headers() -> dict[str, str]:
    return {
        "x-ratelimit-limit": "5000",
        "x-ratelimit-remaining": "4999",
        "x-ratelimit-reset": str(int(time.time()) + 3600),
        "x-ratelimit-used": "1",
        "x-ratelimit-resource": "core",
    }


def primary_rate_limit(reset_in: float = 1800) -> tuple[int, dict[str, Any], dict[str, str]]:
    """GitHub's answer when the hourly quota is spent."""
    return (
        403,
        {
            "message": "API rate limit exceeded for user ID 1.",
            "documentation_url": f"{DOCS}/overview/rate-limits-for-the-rest-api",
            "status": "403",
        },
        {
            "x-ratelimit-limit": "5000",
            "x-ratelimit-remaining": "0",
            "x-ratelimit-used": "5000",
            "x-ratelimit-reset": str(int(time.time() + reset_in)),
            "x-ratelimit-resource": "core",
        },
    )


def secondary_rate_limit(retry_after: int = 1) -> tuple[int, dict[str, Any], dict[str, str]]:
    """GitHub's answer when a secondary (abuse) rate limit trips."""
    return (
        429,
        {
            "message": "You have exceeded a secondary rate limit. Please wait a few minutes "
            "before you try again.",
            "documentation_url": f"{DOCS}/overview/rate-limits-for-the-rest-api",
            "status": "429",
        },
        {"retry-after": str(retry_after)},
    )


def _read_body(handler: BaseHTTPRequestHandler) -> bytes:
    if handler.headers.get("Transfer-Encoding", "").lower() == "chunked":
        chunks = []
        while True:
            size = int(handler.rfile.readline().split(b";")[0].strip(), 16)
            if size == 0:
                handler.rfile.readline()
                break
            chunks.append(handler.rfile.read(size))
            handler.rfile.readline()
        return b"".join(chunks)
    length = int(handler.headers.get("Content-Length") or 0)
    return handler.rfile.read(length) if length else b""


def make_handler(fake: FakeGitHub) -> type[BaseHTTPRequestHandler]:  # noqa: C901
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.0"

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _send(self, status: int, body: bytes, headers: dict[str, str]) -> None:
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _dispatch(self) -> None:
            raw = _read_body(self)
            path, _, query = self.path.partition("?")
            if path.startswith("/api/v3/"):
                self._api(path.removeprefix("/api/v3"), raw)
            elif ".git/" in path:
                self._git(path, query, raw)
            else:
                self._send(404, b"Not Found", {"Content-Type": "text/plain"})

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _dispatch

        def _api(self, path: str, raw: bytes) -> None:
            headers = {k.lower(): v for k, v in self.headers.items()}
            try:
                body = json.loads(raw) if raw else None
            except ValueError:
                self._send(400, b'{"message":"Problems parsing JSON"}', {})
                return
            with fake.lock:
                fake.requests.append(Recorded(self.command, path, headers, body))
                status, payload, extra = fake.handle_api(self.command, path, headers, body)
            if status >= 400 and isinstance(payload, dict):
                schema = SLICE["errorBodies"]["basic-error"]
                jsonschema.validate(payload, schema)
            out = {
                "Content-Type": "application/json; charset=utf-8",
                "X-GitHub-Media-Type": "github.v3; format=json",
                "X-GitHub-Request-Id": "F4KE:0001",
                **_rate_headers(),
                **extra,
            }
            data = b"" if payload is None else json.dumps(payload).encode()
            self._send(status, data, out)

        def _git(self, path: str, query: str, raw: bytes) -> None:
            auth = self.headers.get("Authorization", "")
            fake.git_requests.append((self.command, f"{path}?{query}", auth))
            if fake.git_down:
                self._send(503, b"Service Unavailable", {"Content-Type": "text/plain"})
                return
            write = "git-receive-pack" in path or "service=git-receive-pack" in query
            if not fake.git_auth_ok(auth, write):
                self._send(
                    401,
                    b"Invalid username or password.",
                    {"WWW-Authenticate": 'Basic realm="GitHub"', "Content-Type": "text/plain"},
                )
                return
            env = {
                "PATH": os.environ["PATH"],
                "GIT_PROJECT_ROOT": str(fake.root),
                "GIT_HTTP_EXPORT_ALL": "1",
                "PATH_INFO": path,
                "QUERY_STRING": query,
                "REQUEST_METHOD": self.command,
                "CONTENT_TYPE": self.headers.get("Content-Type", ""),
                "CONTENT_LENGTH": str(len(raw)),
                "REMOTE_USER": "x-access-token",
                "REMOTE_ADDR": "127.0.0.1",
                "GIT_CONFIG_NOSYSTEM": "1",
                "HOME": str(fake.root),
            }
            if encoding := self.headers.get("Content-Encoding"):
                env["HTTP_CONTENT_ENCODING"] = encoding
            if protocol := self.headers.get("Git-Protocol"):
                env["GIT_PROTOCOL"] = protocol
            done = subprocess.run(
                ["git", "http-backend"], input=raw, capture_output=True, env=env, check=False
            )
            head, sep, body = done.stdout.partition(b"\r\n\r\n")
            if not sep:
                head, _, body = done.stdout.partition(b"\n\n")
            status = 200
            headers: dict[str, str] = {}
            for line in head.decode("latin-1").splitlines():
                key, _, value = line.partition(":")
                if key.lower() == "status":
                    status = int(value.split()[0])
                elif key:
                    headers[key] = value.strip()
            self._send(status, body, headers)

    return Handler


class Server:
    """A threaded HTTP server on 127.0.0.1 that stops when the test ends."""

    def __init__(self, fake: FakeGitHub) -> None:
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(fake))
        self.httpd.daemon_threads = True
        fake.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def write_script(path: Path, text: str) -> Path:
    path.write_text("#!/bin/sh\n" + text)
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


def isolate_tokens(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No token in the environment, a `gh` that knows none, no proxy for 127.0.0.1.

    Returns the directory put first on PATH, where a test may write its own `gh`.
    """
    for name in (
        "GH_TOKEN",
        "GITHUB_TOKEN",
        "GH_ENTERPRISE_TOKEN",
        "GITHUB_ENTERPRISE_TOKEN",
        "GH_HOST",
        "GITHUB_API_URL",
        "GIT_CONFIG_COUNT",
        "GIT_TRACE",
    ):
        monkeypatch.delenv(name, raising=False)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    write_script(bin_dir / "gh", "exit 1\n")
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    return bin_dir
