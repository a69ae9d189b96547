"""Build hook: ship the Copier template inside the wheel as ``mlportfolio/_template``.

The template lives at the repository root (``copier.yml``, ``template/``, ``project_types/``) so
that Copier's Jinja loader can reach every type's files; an editable install reads it from there.
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).parent
TEMPLATE_PARTS = ("copier.yml", "template", "project_types")
IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc", ".pytest_cache", ".ruff_cache")


class BuildPyWithTemplate(build_py):
    """Copy the template next to the package modules."""

    def run(self) -> None:
        super().run()
        if self.editable_mode:
            return
        target = Path(self.build_lib) / "mlportfolio" / "_template"
        shutil.rmtree(target, ignore_errors=True)
        target.mkdir(parents=True)
        for part in TEMPLATE_PARTS:
            source = ROOT / part
            if source.is_dir():
                shutil.copytree(source, target / part, ignore=IGNORED)
            else:
                shutil.copy2(source, target / part)


setup(cmdclass={"build_py": BuildPyWithTemplate})
