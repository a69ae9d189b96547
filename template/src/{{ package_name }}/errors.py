"""The project's exceptions: library code raises these, only the command entry turns them into exits.

Every message is one line that says what is wrong and, where there is one, what to do about it;
``python -m <package> ...`` prints it as ``error: <message>`` and exits non-zero.
"""

from __future__ import annotations


class ProjectError(Exception):
    """The root of every expected failure (bad config, missing data, failed download, ...)."""


class ConfigError(ProjectError):
    """The configuration is missing, unreadable or invalid, or no project root was found."""


class DataError(ProjectError):
    """The data is missing or does not have the expected shape or values."""


class DownloadError(ProjectError):
    """A download failed, did not match its checksum, or held an unsafe or unexpected archive."""


class NotTrainedError(ProjectError):
    """A step needs a trained model that is not there (or was trained on other data)."""


class ReportError(ProjectError):
    """A report file lacks the marker comments its generated block goes between."""
