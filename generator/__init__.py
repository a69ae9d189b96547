"""mlportfolio: scaffold complete machine-learning portfolio projects and publish them.

The Python API is what the ``mlportfolio`` command calls::

    from pathlib import Path
    import mlportfolio

    created = mlportfolio.new_project(mlportfolio.NewProject("recommender", Path("recs")))
    mlportfolio.check_update(created.path)

Every function raises :class:`MlportfolioError` (with a one-line message and an ``exit_code``)
on purpose and never prints or exits. The names are imported on first use, so ``import
mlportfolio`` stays instant.
"""

from __future__ import annotations

from importlib import import_module
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any

try:
    __version__ = version("mlportfolio")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0"

# public name -> (module, name in that module)
_API = {
    "NewProject": ("create", "NewProject"),
    "Created": ("create", "Created"),
    "new_project": ("create", "create_project"),
    "UpdateRequest": ("update", "UpdateRequest"),
    "UpdateResult": ("update", "UpdateResult"),
    "UpdateStatus": ("update", "UpdateStatus"),
    "update_project": ("update", "update_project"),
    "check_update": ("update", "check_update"),
    "PublishRequest": ("publish", "PublishRequest"),
    "Published": ("publish", "Published"),
    "publish_project": ("publish", "publish"),
    "export_template": ("templates", "export_template"),
    "bundled_versions": ("templates", "bundled_versions"),
    "ProjectType": ("catalog", "ProjectType"),
    "load_catalog": ("catalog", "load_catalog"),
    "Project": ("portfolio", "Project"),
    "collect_projects": ("portfolio", "collect_projects"),
    "build_site": ("site", "build_site"),
    "render_markdown": ("site", "render_markdown"),
    "write_markdown_section": ("site", "write_markdown_section"),
    "init_pages": ("site", "init_pages"),
    "ProjectStatus": ("status", "ProjectStatus"),
    "collect_status": ("status", "collect_status"),
    "MlportfolioError": ("errors", "MlportfolioError"),
    "UserError": ("errors", "UserError"),
}

if TYPE_CHECKING:
    from .catalog import ProjectType, load_catalog
    from .create import Created, NewProject
    from .create import create_project as new_project
    from .errors import MlportfolioError, UserError
    from .portfolio import Project, collect_projects
    from .publish import Published, PublishRequest
    from .publish import publish as publish_project
    from .site import build_site, init_pages, render_markdown, write_markdown_section
    from .status import ProjectStatus, collect_status
    from .templates import bundled_versions, export_template
    from .update import (
        UpdateRequest,
        UpdateResult,
        UpdateStatus,
        check_update,
        update_project,
    )


def __getattr__(name: str) -> Any:
    if name not in _API:
        raise AttributeError(f"module 'mlportfolio' has no attribute {name!r}")
    module, attribute = _API[name]
    value = getattr(import_module(f".{module}", __name__), attribute)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*_API, "__version__"])


__all__ = [
    "Created",
    "MlportfolioError",
    "NewProject",
    "Project",
    "ProjectStatus",
    "ProjectType",
    "PublishRequest",
    "Published",
    "UpdateRequest",
    "UpdateResult",
    "UpdateStatus",
    "UserError",
    "__version__",
    "build_site",
    "bundled_versions",
    "check_update",
    "collect_projects",
    "collect_status",
    "export_template",
    "init_pages",
    "load_catalog",
    "new_project",
    "publish_project",
    "render_markdown",
    "update_project",
    "write_markdown_section",
]
