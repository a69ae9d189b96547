"""The catalogue of project types, read from ``project_types/*/type.yml``."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .errors import MlportfolioError, UnknownProjectTypeError
from .templates import template_root

# libyaml's parser where PyYAML has it: `new` and `list` read every type.yml
_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class ProjectType:
    """One kind of project mlportfolio can generate."""

    name: str
    title: str
    summary: str
    default_project_name: str
    default_description: str
    sample_data: str
    full_data: str
    baseline: str
    model: str
    metrics: tuple[str, ...]
    topics: tuple[str, ...]
    aliases: tuple[str, ...] = ()

    @classmethod
    def from_file(cls, path: Path) -> ProjectType:
        """Read one ``type.yml``."""
        raw: Any = yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER)
        try:
            return cls(
                name=path.parent.name,
                title=str(raw["title"]),
                summary=str(raw["summary"]),
                default_project_name=str(raw["default_project_name"]),
                default_description=str(raw.get("default_description", "")),
                sample_data=str(raw["dataset"]["sample"]),
                full_data=str(raw["dataset"]["full"]),
                baseline=str(raw["models"]["baseline"]),
                model=str(raw["models"]["model"]),
                metrics=tuple(str(m) for m in raw["metrics"]),
                topics=tuple(str(t) for t in raw.get("topics", ())),
                aliases=tuple(str(a) for a in raw.get("aliases", ())),
            )
        except (KeyError, TypeError) as exc:
            raise MlportfolioError(f"{path} is malformed: missing or invalid {exc}") from exc


def load_catalog(root: Path | None = None) -> dict[str, ProjectType]:
    """Return every project type of the template at ``root`` (the built-in one by default)."""
    base = (root or template_root()) / "project_types"
    types = (ProjectType.from_file(p) for p in sorted(base.glob("*/type.yml")))
    return {t.name: t for t in types}


def canonical_name(name: str, catalog: dict[str, ProjectType]) -> str:
    """The type ``name`` stands for: itself, or the type that lists it among its ``aliases``."""
    for project_type in catalog.values():
        if name in project_type.aliases:
            return project_type.name
    return name


def get_project_type(name: str, root: Path | None = None) -> ProjectType:
    """Return the project type called ``name`` (or aliased so) or explain which names exist."""
    catalog = load_catalog(root)
    name = canonical_name(name, catalog)
    if name in catalog:
        return catalog[name]
    known = ", ".join(catalog) or "none"
    names = [*catalog, *(alias for t in catalog.values() for alias in t.aliases)]
    close = difflib.get_close_matches(name, names, n=1)
    hint = f"did you mean '{close[0]}'? " if close else ""
    raise UnknownProjectTypeError(f"unknown project type '{name}': {hint}known types: {known}")
