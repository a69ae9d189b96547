"""The exception hierarchy of mlportfolio and the exit code each kind maps to."""

from __future__ import annotations


class MlportfolioError(Exception):
    """Root of every error mlportfolio raises on purpose.

    The message is one line the user can act on; ``exit_code`` is what the CLI exits with.
    """

    exit_code = 1


class UserError(MlportfolioError):
    """The user asked for something that cannot be done as asked: say why and stop."""


class UnknownProjectTypeError(UserError):
    """TYPE does not name a project type."""


class InvalidAnswerError(UserError):
    """A template question got a value that breaks its rule."""


class DestinationError(UserError):
    """The destination directory cannot be used without losing something."""


class ExternalError(MlportfolioError):
    """Something outside mlportfolio failed: git, the network, GitHub."""

    exit_code = 3


class GitError(ExternalError):
    """git is missing or one of its commands failed."""


class UnsafeTemplateError(UserError):
    """A template wants to run code (tasks, migrations, extensions) and ``--trust`` was not given."""

    exit_code = 4


class Interrupted(MlportfolioError):
    """The user pressed Ctrl-C; whatever was half-made has been removed."""

    exit_code = 130


class GitHubError(ExternalError):
    """GitHub refused or failed a request; the message says what to change."""


class AuthError(GitHubError):
    """No token was found, or the token cannot do what was asked."""


class MalformedTokenError(AuthError):
    """A token was found but cannot be one (whitespace, control or non-ASCII characters)."""


class RateLimitError(GitHubError):
    """GitHub's rate limit stopped a request; ``reset_at`` is when it lifts (epoch seconds)."""

    def __init__(self, message: str, reset_at: float | None = None) -> None:
        super().__init__(message)
        self.reset_at = reset_at


class NetworkError(ExternalError):
    """GitHub could not be reached, or did not answer in time."""


class PushError(GitError):
    """A push failed or was refused; nothing on the remote was overwritten."""


class RepositoryExistsError(GitHubError):
    """The repository to create already exists on the account or organisation."""


class UpdateConflictError(MlportfolioError):
    """``update`` applied the new template but left conflicts for the user to resolve."""

    exit_code = 5
