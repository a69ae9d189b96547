"""Helpers for tests that need a throwaway Copier template or git repository."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import git

REPO_ROOT = Path(__file__).resolve().parents[1]


def build_file_tree(root: Path, files: dict[str, str]) -> Path:
    """Write ``{relative path: text}`` under ``root`` and return it."""
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def git_save(repo_dir: Path, message: str = "save", tag: str | None = None) -> str:
    """Commit everything in ``repo_dir`` (a repository is made if needed), optionally tag it."""
    repo = git.Repo(repo_dir) if (repo_dir / ".git").exists() else git.Repo.init(repo_dir)
    repo.git.add(A=True)
    repo.git.commit("-q", "--allow-empty", "-m", message)
    if tag:
        repo.create_tag(tag)
    return str(repo.head.commit.hexsha)


TYPE_YML = """\
title: {title}
summary: A tiny {title}.
default_project_name: Tiny {title}
dataset: {{sample: a fixture, full: none}}
models: {{baseline: a baseline, model: a model}}
metrics: [accuracy]
"""

# A small template with the built-in one's shape: common questions, a type question gated with
# `when`, a per-type folder merged with template/ through a link, and an answers file.
TINY_TEMPLATE = {
    "copier.yml": """\
_subdirectory: "project_types/{{ project_type }}"
_exclude: [/type.yml, /questions.yml, /_parts]
_envops:
  keep_trailing_newline: true
project_type:
  type: str
  choices: [recommender, sentiment]
project_name:
  type: str
  default: Tiny
author_name:
  type: str
  default: Ada
author_email:
  type: str
  default: ada@example.org
top_k:
  type: int
  default: 10
  when: "{{ project_type == 'recommender' }}"
classifier:
  type: str
  default: logreg
  when: "{{ project_type == 'sentiment' }}"
""",
    "template/README.md.jinja": "# {{ project_name }}\n\nIntro.\n\n## License\n\nMIT\n",
    "template/LICENSE.jinja": "Copyright {{ author_name }}\n",
    "template/src/tiny/__init__.py": '"""A tiny package."""\n',
    "template/.gitignore": "__pycache__/\n",
    "template/{{ _copier_conf.answers_file }}.jinja": "{{ _copier_answers | to_nice_yaml -}}\n",
    "project_types/recommender/type.yml": TYPE_YML.format(title="Recommender"),
    "project_types/recommender/configs/default.yaml.jinja": "top_k: {{ top_k }}\n",
    "project_types/sentiment/type.yml": TYPE_YML.format(title="Sentiment"),
    "project_types/sentiment/configs/default.yaml.jinja": "classifier: {{ classifier }}\n",
}


def tiny_template(root: Path, tag: str | None = "v1.0.0", *, git: bool = True) -> Path:
    """Write :data:`TINY_TEMPLATE` at ``root``: a git repository tagged ``tag``, or plain files.

    Plain files render in a fraction of the built-in template's time: tests of how ``new``
    treats destinations, git and interruptions use it.
    """
    build_file_tree(root, TINY_TEMPLATE)
    for project_type in ("recommender", "sentiment"):
        (root / "project_types" / project_type / '{{ "." }}').symlink_to("../../template")
    if git:
        git_save(root, "template", tag=tag)
    return root


def fresh_clone(target: Path) -> Path:
    """A clone of this repository with the working tree's tracked and new files on top."""
    subprocess.run(["git", "clone", "--quiet", str(REPO_ROOT), str(target)], check=True)
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO_ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    for name in filter(None, listed.split("\0")):
        source, copy = REPO_ROOT / name, target / name
        if not source.exists() and not source.is_symlink():
            copy.unlink(missing_ok=True)  # deleted in the working tree
            continue
        if source.is_dir() and not source.is_symlink():
            continue  # a nested repository (e.g. a project generated in the checkout)
        copy.parent.mkdir(parents=True, exist_ok=True)
        if copy.is_symlink() or copy.exists():
            copy.unlink()
        if source.is_symlink():
            copy.symlink_to(source.readlink())
        else:
            shutil.copy2(source, copy)
    return target
