"""Where the built-in Copier template lives, in an installed wheel or a source checkout."""

from __future__ import annotations

from pathlib import Path

from .errors import MlportfolioError

_PACKAGE_DIR = Path(__file__).resolve().parent


def template_root() -> Path:
    """Return the directory holding ``copier.yml``, ``template/`` and ``project_types/``.

    A wheel carries the template as ``mlportfolio/_template`` (see ``setup.py``); an editable
    install or a source checkout uses the repository root, one level above ``generator/``.
    """
    for candidate in (_PACKAGE_DIR / "_template", _PACKAGE_DIR.parent):
        if (candidate / "copier.yml").is_file() and (candidate / "project_types").is_dir():
            return candidate
    raise MlportfolioError(
        f"the built-in template is missing from {_PACKAGE_DIR}; reinstall mlportfolio"
    )
