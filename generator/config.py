"""User defaults for template questions, kept in the platform's user config directory.

``mlportfolio config set author_name "Ada Lovelace"`` stores a default that ``new`` uses for
every project. Precedence: ``--data`` > this file > git config > the template's default.
The file is ``config.yml`` in ``platformdirs.user_config_path("mlportfolio")``, or the path in
``$MLPORTFOLIO_CONFIG``.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import yaml

from .errors import UserError

CONFIG_ENV = "MLPORTFOLIO_CONFIG"


def config_path() -> Path:
    """Where the user config lives."""
    if override := os.environ.get(CONFIG_ENV):
        return Path(override).expanduser()
    from platformdirs import user_config_path

    return user_config_path("mlportfolio") / "config.yml"


def load_user_config() -> dict[str, Any]:
    """Return the stored defaults (empty when there is no file yet)."""
    path = config_path()
    if not path.is_file():
        return {}
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (yaml.YAMLError, UnicodeDecodeError, OSError):
        raise UserError(f"{path} is not valid YAML (or not readable): fix or delete it") from None
    if not isinstance(data, dict) or not isinstance(data.get("defaults", {}), dict):
        raise UserError(f"{path}: expected a mapping under 'defaults:'; fix or delete it")
    return dict(data.get("defaults", {}))


def _save(defaults: dict[str, Any]) -> Path:
    path = config_path()
    text = yaml.safe_dump({"defaults": defaults}, sort_keys=True, allow_unicode=True)
    if path.is_dir():
        raise UserError(
            f"{path} is a directory, not a config file: set {CONFIG_ENV} to a file path"
        )
    tmp_name = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # write-then-rename: an interrupted save never leaves a truncated config behind
        with tempfile.NamedTemporaryFile(
            "w", dir=path.parent, delete=False, encoding="utf-8", prefix=".config-"
        ) as tmp:
            tmp_name = tmp.name
            tmp.write(text)
        Path(tmp_name).replace(path)
    except OSError as exc:
        if tmp_name:
            Path(tmp_name).unlink(missing_ok=True)
        raise UserError(
            f"cannot write the config file {path}: {exc.strerror or type(exc).__name__}; "
            f"set {CONFIG_ENV} to a writable path"
        ) from None
    return path


# answers that differ for every project: a stored default would name every project the same
PER_PROJECT = ("project_name", "project_slug", "package_name", "description")


def check_default(key: str, value: Any) -> Any:
    """Check ``value`` as a default for question ``key`` with the template's own rules.

    Returns the value converted to the question's type. Per-project keys, unknown keys, values
    of the wrong type, outside the choices or refused by the question's validator are refused.
    """
    from .catalog import load_catalog
    from .copier_adapter import check_data, validate_answers
    from .templates import template_root

    if key in PER_PROJECT:
        raise UserError(
            f"config set {key}: differs for every project, so it cannot be a default; give it "
            f"to `mlportfolio new` (--name or --data {key}=...)"
        )
    root = template_root()
    checked = check_data({key: value}, root, origin="config set")
    try:
        validate_answers(checked, root, sorted(load_catalog(root)))
    except UserError as exc:
        raise type(exc)(f"config set {key}: {exc}") from exc
    return checked[key]


def check_stored(key: str, message: str) -> str:
    """``message`` for an answer refused at ``new``, naming the config file if it came from there."""
    path = config_path()
    return (
        f"{message} (the default for {key} comes from {path}: change it with `mlportfolio "
        f"config set {key} VALUE` or remove it with `mlportfolio config unset {key}`)"
    )


def set_default(key: str, value: Any) -> Path:
    """Store ``value`` as the default answer to question ``key`` (see :func:`check_default`)."""
    defaults = load_user_config()
    defaults[key] = value
    return _save(defaults)


def unset_default(key: str) -> Path:
    """Forget the stored default for ``key``."""
    defaults = load_user_config()
    if key not in defaults:
        raise UserError(f"{key} is not set; `mlportfolio config list` shows what is")
    del defaults[key]
    return _save(defaults)
