from __future__ import annotations

from pathlib import Path

import git
import pytest
import yaml

from mlportfolio import create as create_module
from mlportfolio import gitops
from mlportfolio.create import NewProject, create_project, slugify
from mlportfolio.errors import (
    DestinationError,
    GitError,
    Interrupted,
    InvalidAnswerError,
    UserError,
)


def make(tmp_path: Path, name: str = "proj", **kwargs: object) -> Path:
    request = NewProject(
        project_type="recommender",
        destination=tmp_path / name,
        defaults=True,
        **kwargs,  # type: ignore[arg-type]
    )
    return create_project(request).path


def leftovers(parent: Path) -> list[str]:
    return sorted(p.name for p in parent.iterdir() if p.name.startswith("."))


def test_creates_a_git_repository_with_one_commit_and_a_clean_tree(tmp_path: Path) -> None:
    path = make(tmp_path)
    repo = git.Repo(path)
    assert len(list(repo.iter_commits())) == 1
    assert not repo.is_dirty(untracked_files=True)
    assert repo.active_branch.name == "main"
    tracked = repo.git.ls_files().splitlines()
    assert ".copier-answers.yml" in tracked and "README.md" in tracked


def test_first_commit_works_without_a_git_identity(tmp_path: Path) -> None:
    # conftest gives every test an empty global git config: the answers provide the identity
    path = make(tmp_path, data={"author_name": "Ada Lovelace", "author_email": "ada@example.org"})
    commit = git.Repo(path).head.commit
    assert (commit.author.name, commit.author.email) == ("Ada Lovelace", "ada@example.org")


def test_git_identity_from_config_wins_over_answers(tmp_path: Path) -> None:
    git.Git().config("--global", "user.name", "Grace Hopper")
    git.Git().config("--global", "user.email", "grace@example.org")
    commit = git.Repo(make(tmp_path)).head.commit
    assert commit.author.email == "grace@example.org"


def test_answers_default_to_git_identity(tmp_path: Path) -> None:
    git.Git().config("--global", "user.name", "Grace Hopper")
    git.Git().config("--global", "user.email", "grace@example.org")
    answers = yaml.safe_load((make(tmp_path) / ".copier-answers.yml").read_text())
    assert answers["author_name"] == "Grace Hopper"
    assert answers["author_email"] == "grace@example.org"


def test_records_answers_and_type(tmp_path: Path) -> None:
    path = make(tmp_path, data={"project_name": "Film Picks", "top_k": 20})
    answers = yaml.safe_load((path / ".copier-answers.yml").read_text())
    assert answers["project_type"] == "recommender"
    assert answers["project_slug"] == "film-picks"
    assert answers["package_name"] == "film_picks"
    assert answers["top_k"] == 20
    assert (path / "src" / "film_picks" / "__init__.py").is_file()


def test_destination_defaults_to_the_slug_in_the_current_directory(in_tmp: Path) -> None:
    created = create_project(
        NewProject(project_type="recommender", data={"project_name": "My Recs"}, defaults=True)
    )
    assert created.path == in_tmp / "my-recs"
    assert (in_tmp / "my-recs" / "README.md").is_file()


def test_refuses_a_non_empty_destination_and_touches_nothing(tmp_path: Path) -> None:
    dest = tmp_path / "proj"
    dest.mkdir()
    (dest / "notes.txt").write_text("mine")
    with pytest.raises(DestinationError, match=r"not empty.*--force"):
        make(tmp_path)
    assert [p.name for p in dest.iterdir()] == ["notes.txt"]
    assert leftovers(tmp_path) == []


def test_force_adds_the_project_and_keeps_the_users_files(tmp_path: Path) -> None:
    dest = tmp_path / "proj"
    dest.mkdir()
    (dest / "notes.txt").write_text("mine")
    make(tmp_path, force=True)
    assert (dest / "notes.txt").read_text() == "mine"
    assert (dest / "README.md").is_file()
    repo = git.Repo(dest)
    assert "notes.txt" in repo.untracked_files  # committed: the project; left alone: the user's


def test_force_into_an_existing_repository_keeps_its_history(tmp_path: Path) -> None:
    dest = tmp_path / "proj"
    git.Repo.init(dest)
    (dest / "notes.txt").write_text("mine")
    make(tmp_path, force=True)
    assert (dest / "README.md").is_file()
    assert not list(git.Repo(dest).iter_commits("--all")), (
        "mlportfolio must not commit for the user"
    )


def test_an_empty_existing_destination_is_fine(tmp_path: Path) -> None:
    (tmp_path / "proj").mkdir()
    assert (make(tmp_path) / "README.md").is_file()


def test_a_file_as_destination_is_refused(tmp_path: Path) -> None:
    (tmp_path / "proj").write_text("x")
    with pytest.raises(DestinationError, match="is a file"):
        make(tmp_path)


def test_interrupt_mid_generation_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def interrupted(*args: object, **kwargs: object) -> str:
        raise KeyboardInterrupt

    monkeypatch.setattr(gitops, "init_and_commit", interrupted)
    with pytest.raises(Interrupted):
        make(tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_failure_mid_generation_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def failing(*args: object, **kwargs: object) -> str:
        raise GitError("git commit failed: disk full")

    monkeypatch.setattr(gitops, "init_and_commit", failing)
    with pytest.raises(GitError):
        make(tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_no_git_makes_a_plain_directory(tmp_path: Path) -> None:
    path = make(tmp_path, git=False)
    assert not (path / ".git").exists()
    assert (path / "README.md").is_file()


def test_missing_git_is_explained(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(create_module.gitops.shutil, "which", lambda name: None)
    monkeypatch.delenv("GIT_PYTHON_GIT_EXECUTABLE", raising=False)
    with pytest.raises(GitError, match=r"git is not installed.*--no-git"):
        make(tmp_path)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"package_name": "class"}, "package_name.*keyword"),
        ({"package_name": "numpy"}, "package_name.*shadow"),
        ({"package_name": "My-Pkg"}, "package_name.*identifier"),
        ({"project_slug": "Bad Slug"}, "project_slug.*lowercase"),
        ({"author_email": "nope"}, "author_email.*name@example.com"),
        ({"github_user": "-bad-"}, "github_user.*GitHub login"),
        ({"license": "GPL"}, "license.*GPL"),
        ({"top_k": 0}, "top_k.*between 1 and 100"),
        ({"python_version": "3.9"}, "python_version"),
    ],
)
def test_invalid_answers_name_the_field_and_create_nothing(
    tmp_path: Path, data: dict[str, object], message: str
) -> None:
    with pytest.raises(InvalidAnswerError, match=message):
        make(tmp_path, data=data)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("name", "slug"), [("Movie Recs", "movie-recs"), ("  A/B test!  ", "a-b-test"), ("x", "x")]
)
def test_slugify(name: str, slug: str) -> None:
    assert slugify(name) == slug


@pytest.mark.parametrize(
    "kwargs",
    [
        {"template": "--upload-pack=touch pwned"},
        {"template": "-utouch pwned@h:x"},
        {"vcs_ref": "--upload-pack=touch pwned"},
        {"vcs_ref": "v1 x"},
    ],
)
def test_option_shaped_template_and_ref_are_refused_D1(
    tmp_path: Path, kwargs: dict[str, str]
) -> None:
    """Attack (D1's family): --template and --vcs-ref never reach git as options."""
    with pytest.raises(UserError, match="cannot be a git"):
        make(tmp_path, **kwargs)
    assert list(tmp_path.iterdir()) == []
