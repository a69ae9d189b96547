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
