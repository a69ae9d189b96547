"""Build hook: ship the Copier template inside the wheel.

The template lives at the repository root (``copier.yml``, ``template/``, ``project_types/``) so
that Copier's Jinja loader can reach every type's files; an editable install reads it from there.
A wheel carries it twice, both made here at build time:

- ``mlportfolio/_template/``: the plain files, which ``list``/``show`` read;
- ``mlportfolio/_template.bundle``: a git bundle whose tag ``v<version>`` holds the template, so
  Copier records a resolvable ``_commit`` and ``mlportfolio update`` can run offline.
"""

import os
import shutil
import subprocess
import tempfile
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


def copy_template(target: Path) -> None:
    """Copy the template's files into ``target``."""
    target.mkdir(parents=True, exist_ok=True)
    for part in TEMPLATE_PARTS:
        source = ROOT / part
        if source.is_dir():
            shutil.copytree(source, target / part, ignore=IGNORED, dirs_exist_ok=True)
        else:
            shutil.copy2(source, target / part)


def git(*args: str, cwd: Path) -> str:
    """Run git quietly with the fixed identity."""
    env = {**os.environ, **GIT_ENV}
    done = subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True, text=True)
    return done.stdout.strip()


def build_bundle(version: str, bundle: Path) -> None:
    """Write a git bundle whose tag ``v<version>`` is the template as it is in this tree.

    Earlier ``v*`` tags of this repository come along, so a project made by an older release can
    still be updated: Copier needs the old template to compute the user's edits.
    """
    with tempfile.TemporaryDirectory() as tmp:
        repo = Path(tmp) / "template"
        if (ROOT / ".git").exists():
            git("clone", "--quiet", "--no-checkout", str(ROOT), str(repo), cwd=ROOT)
            git("checkout", "--quiet", "-B", "main", cwd=repo)
        else:  # an sdist: no history to carry
            git("init", "--quiet", "-b", "main", str(repo), cwd=ROOT)
        for part in TEMPLATE_PARTS:
            shutil.rmtree(repo / part, ignore_errors=True)
            (repo / part).unlink(missing_ok=True)
        copy_template(repo)
        git("add", "-A", "--", *TEMPLATE_PARTS, cwd=repo)
        if git("status", "--porcelain", "--", *TEMPLATE_PARTS, cwd=repo):
            git("commit", "--quiet", "--no-verify", "-m", f"Template of mlportfolio {version}", cwd=repo)
        git("tag", "--force", f"v{version}", cwd=repo)
        bundle.parent.mkdir(parents=True, exist_ok=True)
        git("bundle", "create", "--quiet", str(bundle.resolve()), "HEAD", "main", "--tags=v*", cwd=repo)


class BuildPyWithTemplate(build_py):
    """Add the template files and the template bundle to the package."""

    def run(self) -> None:
        super().run()
        if self.editable_mode:
            return
        package = Path(self.build_lib) / "mlportfolio"
        shutil.rmtree(package / "_template", ignore_errors=True)
        copy_template(package / "_template")
        build_bundle(self.distribution.get_version(), package / "_template.bundle")


setup(cmdclass={"build_py": BuildPyWithTemplate})
