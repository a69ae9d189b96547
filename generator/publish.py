"""``mlportfolio publish``: create the project's GitHub repository and push to it, safely.

The steps are planned first (local checks and read-only API calls), then carried out: create
the repository, set its topics, point a remote at it and push one branch. Nothing is ever
force-pushed, a POST is never retried, and the token never reaches argv, ``.git/config``, the
remote URL, logs or messages.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

import yaml

from . import gitops
from .errors import (
    GitHubError,
    MalformedTokenError,
    MlportfolioError,
    PushError,
    RepositoryExistsError,
    UserError,
)
from .github import (
    ApiEndpoint,
    GitHubClient,
    Token,
    check_login,
    find_token,
    redact,
    resolve_endpoint,
)

log = logging.getLogger(__name__)

IfExists = Literal["fail", "use"]

MAX_TOPICS = 20
MAX_TOPIC_LENGTH = 50
_NAME_OK = re.compile(r"^[A-Za-z0-9._-]{1,100}$")
_NOT_TOPIC = re.compile(r"[^a-z0-9]+")
_NOT_NAME = re.compile(r"[^A-Za-z0-9._-]+")
_REMOTE_OK = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9._-]{0,99}$")


def check_remote_name(remote: str) -> str:
    """Return ``remote`` if it is a plain git remote name (it reaches git's argv), else explain."""
    if not _REMOTE_OK.match(remote) or remote.endswith((".", ".lock")) or ".." in remote:
        raise UserError(
            f"--remote {remote[:60]!r} is not a plain remote name: use letters, digits, '.', "
            "'-' and '_', not starting with '-' or '.'"
        )
    return remote


@dataclass(frozen=True)
class PublishRequest:
    """What ``mlportfolio publish`` was asked to do.

    ``topics=None`` means the project type's default topics; ``api_url=None`` means
    ``GITHUB_API_URL`` / ``GH_HOST`` / github.com.
    """

    path: Path = field(default_factory=Path)
    name: str | None = None
    org: str | None = None
    description: str | None = None
    topics: tuple[str, ...] | None = None
    private: bool = True
    homepage: str | None = None
    remote: str = "origin"
    branch: str | None = None
    if_exists: IfExists = "fail"
    dry_run: bool = False
    api_url: str | None = None


@dataclass(frozen=True)
class PlannedRequest:
    """One API request that changes something, as it would be (or was) sent."""

    method: str
    path: str
    body: dict[str, Any]


@dataclass
class Plan:
    """Everything ``publish`` found out before changing anything, and what it will do."""

    endpoint: ApiEndpoint
    local: gitops.LocalRepo
    owner: str
    name: str
    org: str | None
    body: dict[str, Any]
    topics: list[str]
    set_topics: bool
    existing: dict[str, Any] | None
    clone_url: str
    html_url: str
    remote: str
    remote_action: str
    if_exists: IfExists
    token: Token | None = field(default=None, repr=False)
    notes: list[str] = field(default_factory=list)

    @property
    def full_name(self) -> str:
        """``owner/name``."""
        return f"{self.owner}/{self.name}"

    @property
    def requests(self) -> list[PlannedRequest]:
        """The changing API requests, in order."""
        planned = []
        if self.existing is None:
            path = f"/orgs/{self.org}/repos" if self.org else "/user/repos"
            planned.append(PlannedRequest("POST", path, dict(self.body)))
        if self.set_topics:
            planned.append(
                PlannedRequest("PUT", f"/repos/{self.full_name}/topics", {"names": self.topics})
            )
        return planned

    @property
    def git_commands(self) -> list[str]:
        """The git commands the push step runs (the token goes in the environment, not here)."""
        commands = []
        if self.remote_action == "add":
            commands.append(f"git remote add {self.remote} {self.clone_url}")
        elif self.remote_action == "update":
            commands.append(f"git remote set-url {self.remote} {self.clone_url}")
        branch = self.local.branch
        commands.append(
            f"git push --set-upstream {self.remote} refs/heads/{branch}:refs/heads/{branch}"
        )
        return commands


@dataclass(frozen=True)
class Published:
    """The outcome of ``publish``: where the repository is and what was done."""

    full_name: str
    html_url: str
    clone_url: str
    private: bool
    created: bool
    topics: list[str]
    remote: str
    branch: str
    commit: str
    pushed: bool
    dry_run: bool
    requests: list[PlannedRequest]
    git_commands: list[str]
    notes: list[str]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary."""
        return asdict(self)


# --------------------------------------------------------------------------------------------
# Normalising names, topics and the project's answers


def normalise_topics(topics: tuple[str, ...] | list[str]) -> list[str]:
    """Apply GitHub's topic rules: lowercase letters, digits and hyphens, <= 50 chars, <= 20."""
    result: list[str] = []
    for raw in topics:
        topic = _NOT_TOPIC.sub("-", raw.strip().lower()).strip("-")[:MAX_TOPIC_LENGTH].strip("-")
        if topic and topic not in result:
            result.append(topic)
    if len(result) > MAX_TOPICS:
        log.warning(
            "GitHub allows %d topics; dropping %s", MAX_TOPICS, ", ".join(result[MAX_TOPICS:])
        )
    return result[:MAX_TOPICS]


def default_repo_name(root: Path, answers: Mapping[str, Any]) -> str:
    """The project slug, else the directory name, made into a valid repository name."""
    raw = str(answers.get("project_slug") or root.resolve().name)
    name = _NOT_NAME.sub("-", raw).strip("-.")[:100] or "project"
    return name


def check_repo_name(name: str) -> str:
    """Return ``name`` if GitHub accepts it as a repository name, else explain."""
    if not _NAME_OK.match(name) or name in (".", ".."):
        raise UserError(
            f"--name {name!r} is not a valid repository name: use at most 100 letters, digits, "
            "'.', '-' and '_'"
        )
    return name


def read_answers(root: Path) -> dict[str, Any]:
    """The project's ``.copier-answers.yml``, or ``{}`` when it has none."""
    path = root / ".copier-answers.yml"
    # a link could point anywhere (its text would become the repository's description)
    if path.is_symlink() or not path.is_file() or path.stat().st_size > 1_000_000:
        return {}
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, yaml.YAMLError) as exc:
        log.warning("ignoring unreadable %s: %s", path, type(exc).__name__)
        return {}
    return data if isinstance(data, dict) else {}


def default_topics(answers: Mapping[str, Any]) -> list[str]:
    """The project type's topics (``type.yml``), or none for a project of unknown type."""
    project_type = answers.get("project_type")
    if not project_type:
        return []
    from .catalog import load_catalog

    try:
        found = load_catalog().get(str(project_type))
    except (MlportfolioError, OSError, yaml.YAMLError):
        return []
    return list(found.topics) if found else []


def _same_repo(url_a: str, url_b: str) -> bool:
    """Whether two clone URLs (https or scp-style ssh) name the same repository."""

    def key(url: str) -> tuple[str, str]:
        url = url.strip()
        if "://" in url:
            parts = urlsplit(url)
            host, path = (parts.hostname or ""), parts.path
        elif ":" in url:
            host, path = url.split(":", 1)
            host = host.rpartition("@")[2]
        else:
            return ("", url)
        return host.lower(), path.strip("/").removesuffix(".git").lower()

    return key(url_a) == key(url_b)


def _safe_url(url: str) -> str:
    """``url`` without any user:password part."""
    if "://" not in url:
        return url
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    return parts._replace(netloc=parts.netloc.rpartition("@")[2]).geturl()


# --------------------------------------------------------------------------------------------
# Planning (read-only) and carrying out


def _plan(request: PublishRequest, client: GitHubClient | None, token: Token | None) -> Plan:
    _check_request(request)
    local = gitops.inspect_repo(request.path, request.branch)
    answers = read_answers(local.root)
    name = check_repo_name(request.name) if request.name else default_repo_name(local.root, answers)
    description = request.description
    if description is None:
        description = str(answers.get("description") or "")
    description = " ".join(description.split())
    topics = normalise_topics(
        list(request.topics) if request.topics is not None else default_topics(answers)
    )
    endpoint = client.endpoint if client else resolve_endpoint(request.api_url)
    notes: list[str] = []

    if client is None:
        owner = request.org or "<your-user>"
        existing = None
        notes.append("no token found, so nothing was checked on GitHub")
    else:
        login = _token_login(client)
        log.info("the token belongs to %s", login)
        if request.org:
            client.get_org(request.org)
        owner = request.org or login
        _check_links(answers, owner, name, request.dry_run, notes)
        existing = client.get_repo(owner, name)

    if existing is not None and request.if_exists == "fail":
        raise RepositoryExistsError(
            f"repository {owner}/{name} already exists ({existing.get('html_url', '')}): pass "
            "--if-exists use to push to it, or --name to choose another name"
        )
    body: dict[str, Any] = {"name": name, "private": request.private, "auto_init": False}
    if description:
        body["description"] = description
    if request.homepage:
        body["homepage"] = request.homepage
    if existing is not None:
        clone_url = str(existing.get("clone_url") or endpoint.repo_clone_url(owner, name))
        html_url = str(existing.get("html_url") or clone_url.removesuffix(".git"))
        set_topics = bool(topics) and (request.topics is not None or not existing.get("topics"))
        if bool(existing.get("private")) != request.private:
            visibility = "private" if existing.get("private") else "public"
            notes.append(f"{owner}/{name} exists and stays {visibility}")
    else:
        clone_url = endpoint.repo_clone_url(owner, name)
        html_url = clone_url.removesuffix(".git")
        set_topics = bool(topics)

    remote_action = _remote_action(local, request.remote, clone_url)
    plan = Plan(
        endpoint=endpoint,
        local=local,
        owner=owner,
        name=name,
        org=request.org,
        body=body,
        topics=topics,
        set_topics=set_topics,
        existing=existing,
        clone_url=clone_url,
        html_url=html_url,
        remote=request.remote,
        remote_action=remote_action,
        if_exists=request.if_exists,
        token=token,
        notes=notes,
    )
    if existing is not None and token is not None:
        # the URL comes from the API's answer: check it before the token goes near it (D2)
        _check_clone_url(clone_url, endpoint)
        _check_remote_history(plan, token)
    return plan


PLACEHOLDER_USER = "your-github-user"  # copier.yml's default for github_user


def _check_links(
    answers: Mapping[str, Any], owner: str, name: str, dry_run: bool, notes: list[str]
) -> None:
    """Refuse to publish a README whose badge and links point at another repository.

    A dry run notes it instead, so the plan still shows what would be sent.
    """
    links = _link_mismatch(answers, owner, name)
    if links and not dry_run:
        raise UserError(links)
    if links:
        notes.append(links)


def _link_mismatch(answers: Mapping[str, Any], owner: str, name: str) -> str | None:
    """Why the project's badges and links would not point at ``owner/name``, or ``None``.

    The README badge and ``pyproject.toml``'s Repository URL are rendered from the answers
    ``github_user`` and ``project_slug``; publishing elsewhere would leave them broken.
    """
    user, slug = answers.get("github_user"), answers.get("project_slug")
    if user is None or slug is None:
        return None
    if str(user).lower() == owner.lower() and str(slug) == name:
        return None
    fix = f"--data github_user={owner}" if str(user).lower() != owner.lower() else ""
    if str(slug) != name:
        fix += f"{' ' if fix else ''}--data project_slug={name}"
    return (
        f"the project's README badge and links point at {user}/{slug}, not {owner}/{name}: "
        f"run `mlportfolio update {fix} --commit` (a repository name must then be a valid "
        "slug), then publish again"
    )


def _check_request(request: PublishRequest) -> None:
    """Values from the command line that reach git's argv or a URL path: plain names only."""
    check_remote_name(request.remote)
    if request.org:
        check_login(request.org, "--org")


def _token_login(client: GitHubClient) -> str:
    """The login the token belongs to (``GET /user``), checked: it becomes a URL path segment."""
    login = client.get_user().get("login")
    if not isinstance(login, str) or not login:
        raise GitHubError(
            f"{client.endpoint.api_url} answered GET /user without a login: is --api-url a "
            "GitHub API?"
        )
    return check_login(login, "the login GitHub gave for the token,")


def _remote_action(local: gitops.LocalRepo, remote: str, clone_url: str) -> str:
    current = local.remotes.get(remote)
    if current is None:
        return "add"
    if current.rstrip("/") == clone_url:
        return "keep"
    if _same_repo(current, clone_url):
        return "update"
    raise UserError(
        f"remote '{remote}' already points to {_safe_url(current)}: pass --remote NAME to add "
        f"another remote, or remove it with `git remote remove {remote}`"
    )


def _check_remote_history(plan: Plan, token: Token) -> None:
    """Refuse to use an existing repository unless its history is already in our branch."""
    env = gitops.auth_env(plan.clone_url, token.value)
    heads = gitops.remote_heads(plan.local.root, plan.clone_url, env, token.value)
    for branch, sha in sorted(heads.items()):
        if not gitops.is_ancestor(plan.local.root, sha, plan.local.commit):
            raise PushError(
                f"{plan.full_name} already has commits that {plan.local.branch} does not have "
                f"(its branch {branch} is at {sha[:10]}); nothing was pushed or overwritten: "
                f"fetch and merge them (`git pull {plan.clone_url} {branch}`), or publish under "
                "another --name"
            )
    if heads:
        plan.notes.append(f"{plan.full_name} is not empty; its history is part of yours")


def _execute(plan: Plan, client: GitHubClient, token: Token) -> Published:
    created = False
    if plan.existing is None:
        try:
            repo = client.create_repo(plan.body, plan.org)
            created = True
            log.info("created %s", repo.get("html_url"))
        except RepositoryExistsError:
            # Created by someone else since we looked (or hidden from GET): use it if allowed.
            found = client.get_repo(plan.owner, plan.name) if plan.if_exists == "use" else None
            if found is None:
                raise
            repo = found
            plan.existing = repo
        plan.clone_url = str(repo.get("clone_url") or plan.clone_url)
        plan.html_url = str(repo.get("html_url") or plan.html_url)
        if not created:
            _check_clone_url(plan.clone_url, plan.endpoint)
            plan.remote_action = _remote_action(plan.local, plan.remote, plan.clone_url)
            _check_remote_history(plan, token)
    try:
        # checked before anything else uses it: the URL comes from the API's answer (D2)
        _check_clone_url(plan.clone_url, plan.endpoint)
        topics = plan.topics
        if plan.set_topics:
            topics = client.replace_topics(plan.owner, plan.name, plan.topics)
        elif plan.existing is not None:
            topics = [str(t) for t in plan.existing.get("topics") or []]
        gitops.set_remote(plan.local.root, plan.remote, plan.clone_url)
        env = gitops.auth_env(plan.clone_url, token.value)
        gitops.push(plan.local.root, plan.remote, plan.local.branch, env, token.value)
    except MlportfolioError as exc:
        if not created:
            raise
        message = redact(str(exc), token.value)
        raise type(exc)(
            f"repository {plan.full_name} was created ({plan.html_url}) but then {message}; "
            "to finish, re-run `mlportfolio publish --if-exists use` with the same options"
        ) from None
    private = (
        bool(repo.get("private", plan.body["private"]))
        if plan.existing is None
        else bool(plan.existing.get("private", plan.body["private"]))
    )
    return Published(
        full_name=plan.full_name,
        html_url=plan.html_url,
        clone_url=plan.clone_url,
        private=private,
        created=created,
        topics=topics,
        remote=plan.remote,
        branch=plan.local.branch,
        commit=plan.local.commit,
        pushed=True,
        dry_run=False,
        requests=plan.requests if created else [r for r in plan.requests if r.method != "POST"],
        git_commands=plan.git_commands,
        notes=plan.notes,
    )


def _check_clone_url(url: str, endpoint: ApiEndpoint) -> None:
    """Refuse to send the token to a clone URL other than an https one on the API's own host.

    Plain http is accepted only where the API itself is plain http on the loopback interface
    (a test server); a URL on any other host is refused, whatever its scheme.
    """
    try:
        shown = _safe_url(url)[:120]
        parts = urlsplit(url)
        host = (parts.netloc.rpartition("@")[2]).lower()
    except ValueError:
        raise UserError(f"GitHub gave a clone URL that is not a URL ({url[:120]!r})") from None
    web = urlsplit(endpoint.web_url)
    scheme_ok = parts.scheme == "https" or (parts.scheme == "http" == web.scheme)
    if not scheme_ok:
        raise UserError(f"GitHub gave a clone URL that is not https ({shown}): refusing to push")
    if parts.username or parts.password:
        raise UserError("GitHub gave a clone URL with credentials in it: refusing to store it")
    if host != web.netloc.lower() or any(ch.isspace() or ord(ch) < 32 for ch in url):
        raise UserError(
            f"GitHub gave a clone URL on another host than {web.netloc} ({shown}): refusing to "
            "send the token there"
        )


def _dry_run_result(plan: Plan) -> Published:
    return Published(
        full_name=plan.full_name,
        html_url=plan.html_url,
        clone_url=plan.clone_url,
        private=bool(plan.body["private"]),
        created=False,
        topics=plan.topics,
        remote=plan.remote,
        branch=plan.local.branch,
        commit=plan.local.commit,
        pushed=False,
        dry_run=True,
        requests=plan.requests,
        git_commands=plan.git_commands,
        notes=plan.notes,
    )


def publish(
    request: PublishRequest,
    *,
    confirm: Callable[[Plan], bool] | None = None,
    timeout: float = 30.0,
) -> Published:
    """Create the GitHub repository for the project at ``request.path`` and push to it.

    Args:
        request: what to publish and where.
        confirm: called with the plan before anything changes; returning ``False`` cancels.
        timeout: seconds to wait for each HTTP request.

    Returns:
        What was done (with ``dry_run=True``: what would be done; nothing changed).

    Raises:
        MlportfolioError: one line saying what went wrong and what to do.
    """
    endpoint = resolve_endpoint(request.api_url)
    try:
        token: Token | None = find_token(endpoint)
    except MlportfolioError as exc:
        if not request.dry_run or isinstance(exc, MalformedTokenError):
            raise
        token = None
    if token is None:
        return _dry_run_result(_plan(request, None, None))
    with GitHubClient(endpoint, token, timeout=timeout) as client:
        try:
            plan = _plan(request, client, token)
            if request.dry_run:
                return _dry_run_result(plan)
            if confirm is not None and not confirm(plan):
                raise UserError("cancelled: nothing was created or pushed")
            return _execute(plan, client, token)
        except MlportfolioError as exc:
            # Defence in depth: no message leaves here with the token in it.
            text = redact(str(exc), token.value)
            if text != str(exc):
                raise type(exc)(text) from None
            raise
