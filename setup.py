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
    done = subprocess.run(
        ["git", *args], cwd=cwd, env=env, check=True, capture_output=True, text=True
    )
    return done.stdout.strip()


def commit_template(repo: Path, message: str, tag: str) -> None:
    """Commit what is in ``repo``'s work tree and tag it."""
    git("add", "-A", cwd=repo)
    git("commit", "--quiet", "--no-verify", "--allow-empty", "-m", message, cwd=repo)
    git("tag", "--force", tag, cwd=repo)


def build_bundle(version: str, bundle: Path) -> None:
    """Write a git bundle holding the template only, one commit per released version.

    Each ``v*`` tag of this repository becomes a commit of that version's template, and the tree
    as it is now becomes ``v<version>``: a project made by an older release can still be updated,
    since Copier needs the project's old template to tell the user's edits from the template's.
    """
    with tempfile.TemporaryDirectory() as tmp:
        repo = Path(tmp) / "template"
        git("init", "--quiet", "-b", "main", str(repo), cwd=ROOT)
        released = []
        if (ROOT / ".git").exists():
            tags = git("tag", "--list", "v*", "--sort=v:refname", cwd=ROOT).split()
            released = [t for t in tags if t != f"v{version}"]
        for tag in released:
            present = git("ls-tree", "--name-only", tag, "--", *TEMPLATE_PARTS, cwd=ROOT).split()
            if "copier.yml" not in present:
                continue
            archive = Path(tmp) / "old.tar"
            git("archive", "--format=tar", "-o", str(archive), tag, "--", *present, cwd=ROOT)
            git("rm", "-r", "--quiet", "--ignore-unmatch", ".", cwd=repo)
            shutil.unpack_archive(archive, repo)
            commit_template(repo, f"Template of mlportfolio {tag[1:]}", tag)
        git("rm", "-r", "--quiet", "--ignore-unmatch", ".", cwd=repo)
        copy_template(repo)
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
        copy_template(package / "_template")
        build_bundle(self.distribution.get_version(), package / "_template.bundle")


setup(cmdclass={"build_py": BuildPyWithTemplate})
