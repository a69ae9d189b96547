"""Build hook: ship the Copier template inside the wheel.

The template lives at the repository root (``copier.yml``, ``template/``, ``project_types/``) so
that Copier's Jinja loader can reach every type's files; an editable install reads it from there.
A wheel carries it twice, both made here at build time:

- ``mlportfolio/_template/``: the plain files, which ``new``, ``list`` and ``show`` read;
- ``mlportfolio/_template.bundle``: a git bundle with one commit per released template version,
  tagged ``v<version>`` (every release in ``[tool.mlportfolio.releases]`` of pyproject.toml, then
  this tree), so Copier records a resolvable ``_commit`` and ``mlportfolio update`` works offline
  for a project made by any release.

Links inside the template (each type's link to template/) are copied as the files they point to,
so the wheel and the bundle work where links do not (Windows, zip files).
"""

import os
import shutil
import subprocess
import tempfile
import tomllib
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).parent
TEMPLATE_PARTS = ("copier.yml", "template", "project_types")
IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc", ".pytest_cache", ".ruff_cache")
# Fixed identity and dates make the bundle's commit reproducible for the same template content.
GIT_ENV = {
    "GIT_AUTHOR_NAME": "mlportfolio",
    "GIT_AUTHOR_EMAIL": "mlportfolio@users.noreply.github.com",
    "GIT_COMMITTER_NAME": "mlportfolio",
    "GIT_COMMITTER_EMAIL": "mlportfolio@users.noreply.github.com",
    "GIT_AUTHOR_DATE": "2026-01-01T00:00:00Z",
    "GIT_COMMITTER_DATE": "2026-01-01T00:00:00Z",
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
}


def copy_template(source_root: Path, target: Path) -> None:
    """Copy the template's files from ``source_root`` into ``target``, links resolved."""
    target.mkdir(parents=True, exist_ok=True)
    for part in TEMPLATE_PARTS:
        source = source_root / part
        if source.is_dir():
            shutil.copytree(source, target / part, ignore=IGNORED, dirs_exist_ok=True)
        elif source.is_file():
            shutil.copy2(source, target / part)


def released_versions() -> dict[str, str]:
    """The ledger of releases: version -> commit of this repository."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return dict(config.get("tool", {}).get("mlportfolio", {}).get("releases", {}))


def git(*args: str, cwd: Path) -> str:
    """Run git quietly with the fixed identity."""
    env = {**os.environ, **GIT_ENV}
    done = subprocess.run(
        ["git", *args], cwd=cwd, env=env, check=True, capture_output=True, text=True
    )
    return done.stdout.strip()


def commit_template(repo: Path, message: str, tag: str) -> None:
    """Commit what is in ``repo``'s work tree and tag it."""
    git("add", "-A", cwd=repo)
    git("commit", "--quiet", "--no-verify", "--allow-empty", "-m", message, cwd=repo)
    git("tag", "--force", tag, cwd=repo)


def version_key(version: str) -> tuple[int, ...]:
    """Order versions numerically."""
    return tuple(int(part) for part in version.split("."))


def build_bundle(version: str, bundle: Path) -> None:
    """Write a git bundle holding the template only, one commit per released version.

    Each release of the ledger becomes a commit of that version's template, taken from the
    recorded commit of this repository, and the tree as it is now becomes ``v<version>``: a
    project made by an older release can still be updated, since Copier needs the project's old
    template to tell the user's edits from the template's.
    """
    releases = {v: c for v, c in released_versions().items() if v != version}
    if releases and not (ROOT / ".git").exists():
        raise SystemExit(
            "building the template bundle needs this repository's git history for the releases "
            f"{', '.join(releases)}: build from a git clone"
        )
    with tempfile.TemporaryDirectory() as tmp:
        repo = Path(tmp) / "template"
        git("init", "--quiet", "-b", "main", str(repo), cwd=ROOT)
        for released in sorted(releases, key=version_key):
            commit = releases[released]
            try:
                present = git("ls-tree", "--name-only", commit, "--", *TEMPLATE_PARTS, cwd=ROOT)
            except subprocess.CalledProcessError:
                raise SystemExit(
                    f"commit {commit} of release {released} is not in this clone: "
                    "fetch the full history (git fetch --unshallow) and build again"
                ) from None
            unpacked = Path(tmp) / f"v{released}"
            archive = Path(tmp) / f"v{released}.tar"
            git(
                "archive",
                "--format=tar",
                "-o",
                str(archive),
                commit,
                "--",
                *present.split(),
                cwd=ROOT,
            )
            shutil.unpack_archive(archive, unpacked)
            git("rm", "-r", "--quiet", "--ignore-unmatch", ".", cwd=repo)
            copy_template(unpacked, repo)
            commit_template(repo, f"Template of mlportfolio {released}", f"v{released}")
        git("rm", "-r", "--quiet", "--ignore-unmatch", ".", cwd=repo)
        copy_template(ROOT, repo)
        commit_template(repo, f"Template of mlportfolio {version}", f"v{version}")
        bundle.parent.mkdir(parents=True, exist_ok=True)
        git(
            "bundle", "create", "--quiet", str(bundle.resolve()), "HEAD", "main", "--tags", cwd=repo
        )


class BuildPyWithTemplate(build_py):
    """Add the template files and the template bundle to the package."""

    def run(self) -> None:
        """Build the modules, then add the template unless this is an editable install."""
        super().run()
        if self.editable_mode:
            return
        package = Path(self.build_lib) / "mlportfolio"
        shutil.rmtree(package / "_template", ignore_errors=True)
        copy_template(ROOT, package / "_template")
        build_bundle(self.distribution.get_version(), package / "_template.bundle")


setup(cmdclass={"build_py": BuildPyWithTemplate})
