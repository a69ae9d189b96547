from __future__ import annotations

from pathlib import Path

import git
import pytest
import yaml

from mlportfolio import create as create_module
from mlportfolio import gitops
from mlportfolio.create import NewProject, create_project, read_data_file, slugify
from mlportfolio.errors import (
    DestinationError,
    GitError,
    Interrupted,
    InvalidAnswerError,
    UserError,
)

from .helpers import tiny_template

TINY: list[Path] = []


@pytest.fixture(scope="module", autouse=True)
def _tiny(tmp_path_factory: pytest.TempPathFactory) -> None:
    TINY[:] = [tiny_template(tmp_path_factory.mktemp("tiny"), git=False)]


def make(tmp_path: Path, name: str = "proj", *, builtin: bool = False, **kwargs: object) -> Path:
    """Make a project in ``tmp_path / name``: from the small test template unless ``builtin``.

    The mechanics of ``new`` (destinations, git, interruptions) do not depend on the template;
    what the built-in template holds and checks does.
    """
    if not builtin:
        kwargs.setdefault("template", str(TINY[0]))
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
    path = make(tmp_path, data={"project_name": "Film Picks", "top_k": 20}, builtin=True)
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
        make(tmp_path, data=data, builtin=True)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Movie Recs", "movie-recs"),
        ("  A/B test!  ", "a-b-test"),
        ("x", "x"),
        ("Élan Vital — Films!", "elan-vital-films"),
        ("Straße Łódź Ærø", "strasse-lodz-aero"),
    ],
)
def test_slugify(name: str, slug: str) -> None:
    assert slugify(name) == slug


def answers_of(path: Path) -> dict[str, object]:
    return dict(yaml.safe_load((path / ".copier-answers.yml").read_text(encoding="utf-8")))


def test_names_with_accents_or_a_leading_digit_give_a_valid_slug_and_package(
    in_tmp: Path,
) -> None:
    # the template's own slug default transliterates as slugify does; a digit gets a prefix
    name = "7 Élan Vital — Films! Straße Łódź Ærø Çà Ñoño"
    created = create_project(
        NewProject("recommender", data={"project_name": name}, defaults=True, git=False)
    )
    slug = "7-elan-vital-films-strasse-lodz-aero-ca-nono"
    assert slugify(name) == slug and created.path == in_tmp / slug
    assert answers_of(created.path)["package_name"] == "p_" + slug.replace("-", "_")
    assert (created.path / "src" / ("p_" + slug.replace("-", "_")) / "__init__.py").is_file()


def test_dest_names_the_repository_when_the_project_is_not_named(tmp_path: Path) -> None:
    # (with a name, the name's slug wins: test_records_answers_and_type)
    answers = answers_of(make(tmp_path, "recs-apache", git=False, builtin=True))
    assert (answers["project_slug"], answers["package_name"]) == ("recs-apache", "recs_apache")


def test_warns_about_placeholders_and_a_python_newer_than_this_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(create_module, "running_python", lambda: "3.11")
    data = {"python_version": "3.13"}
    created = create_project(NewProject("recommender", tmp_path / "p", data, True, git=False))
    placeholders, python = created.warnings
    assert placeholders.startswith(
        "placeholders used: author_name 'Your Name', author_email 'you@example.com', "
        "github_user 'your-github-user'"
    )
    assert python.startswith("python_version 3.13 is newer than this Python (3.11)")
    mine = {"author_name": "Ada", "author_email": "ada@example.org", "github_user": "ada"}
    mine["python_version"] = "3.11"
    assert (
        create_project(NewProject("recommender", tmp_path / "q", mine, True, git=False)).warnings
        == ()
    )


def test_new_prints_the_warnings_on_stderr_unless_quiet(in_tmp: Path) -> None:
    from .conftest import run_cli

    result = run_cli("new", "recommender", "p", "--defaults", "--no-git")
    assert result.exit_code == 0
    assert result.stderr.startswith("warning: placeholders used: author_name")
    quiet = run_cli("new", "recommender", "q", "--defaults", "--no-git", "-q")
    assert quiet.stdout == quiet.stderr == ""


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


# -- hardening: --force never writes outside DEST, all or nothing, one run at a time ----------


def test_force_never_writes_through_symlinks_D4(tmp_path: Path) -> None:
    """D4: links in DEST to a file and a folder outside it are refused before any write."""
    victim = tmp_path / "victim.txt"
    victim.write_text("VICTIM ORIGINAL")
    outside = tmp_path / "outsidedir"
    outside.mkdir()
    dest = tmp_path / "proj"
    dest.mkdir()
    (dest / "README.md").symlink_to(victim)
    (dest / "configs").symlink_to(outside)
    with pytest.raises(DestinationError, match="symbolic link"):
        make(tmp_path, force=True)
    assert victim.read_text() == "VICTIM ORIGINAL"
    assert list(outside.iterdir()) == []
    assert sorted(p.name for p in dest.iterdir()) == ["README.md", "configs"]


def test_force_keeps_a_template_link_a_link_D9(tmp_path: Path) -> None:
    """D9: a template's preserved symlink is copied as a link, never as the file it names."""
    secret = tmp_path / "secret.txt"
    secret.write_text("root:x:0:0")
    template = tmp_path / "sl"
    (template / "template").mkdir(parents=True)
    (template / "template" / "passwd_link").symlink_to(secret)
    (template / "copier.yml").write_text(
        "_subdirectory: template\n_preserve_symlinks: true\n"
        "project_name:\n  type: str\n  default: x\n"
    )
    dest = tmp_path / "o13"
    dest.mkdir()
    (dest / "mine.txt").write_text("mine")
    make(tmp_path, name="o13", template=str(template), force=True, git=False)
    assert (dest / "passwd_link").is_symlink()
    assert (dest / "mine.txt").read_text() == "mine"


def test_force_refuses_to_replace_uncommitted_edits_D19(tmp_path: Path) -> None:
    """D19: a file with uncommitted changes in a git DEST is never replaced."""
    dest = tmp_path / "proj"
    dest.mkdir()
    repo = git.Repo.init(dest)
    (dest / "README.md").write_text("committed readme\n")
    repo.index.add(["README.md"])
    repo.index.commit("init")
    (dest / "README.md").write_text("committed readme\nUNCOMMITTED EDIT\n")
    with pytest.raises(DestinationError, match=r"uncommitted changes in README\.md"):
        make(tmp_path, force=True)
    assert (dest / "README.md").read_text().endswith("UNCOMMITTED EDIT\n")
    assert sorted(p.name for p in dest.iterdir()) == [".git", "README.md"]


@pytest.mark.parametrize("failure", [KeyboardInterrupt, OSError(28, "No space left on device")])
def test_force_is_all_or_nothing_D6_D7(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failure: BaseException
) -> None:
    """D6, D7: Ctrl-C or a full disk mid-copy leaves DEST exactly as it was."""
    dest = tmp_path / "proj"
    dest.mkdir()
    (dest / "mine.txt").write_text("mine")
    (dest / "LICENSE").write_text("my license")
    real_copy = create_module.shutil.copy2
    calls = {"n": 0}

    def flaky(*args: object, **kwargs: object) -> object:
        calls["n"] += 1
        if calls["n"] == 3:  # mid-copy: some files are in place, others not yet
            raise failure
        return real_copy(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(create_module.shutil, "copy2", flaky)
    expected = Interrupted if failure is KeyboardInterrupt else DestinationError
    with pytest.raises(expected, match="nothing was written"):
        make(tmp_path, force=True, git=False)
    assert sorted(p.name for p in dest.iterdir()) == ["LICENSE", "mine.txt"]
    assert (dest / "LICENSE").read_text() == "my license"
    assert leftovers(tmp_path) == []


def test_force_refuses_a_folder_where_the_project_has_a_file_and_vice_versa(
    tmp_path: Path,
) -> None:
    """Minor (LICENSE/ folder, `src` file): refused up front, nothing written."""
    dest = tmp_path / "proj"
    (dest / "LICENSE").mkdir(parents=True)
    with pytest.raises(DestinationError, match="LICENSE"):
        make(tmp_path, force=True)
    (dest / "LICENSE").rmdir()
    (dest / "src").write_text("a file")
    with pytest.raises(DestinationError, match="src"):
        make(tmp_path, force=True)
    assert [p.name for p in dest.iterdir()] == ["src"]


def test_an_empty_destination_keeps_its_mode_D20(tmp_path: Path) -> None:
    """D20: an existing empty DEST is filled, not replaced by a world-readable new folder."""
    dest = tmp_path / "proj"
    dest.mkdir()
    dest.chmod(0o700)
    inode = dest.stat().st_ino
    make(tmp_path)
    assert dest.stat().st_mode & 0o777 == 0o700
    assert dest.stat().st_ino == inode
    assert git.Repo(dest).head.commit


@pytest.mark.parametrize("where", ["/dev/null", "/proc/mlportfolio-x/p", "file/p"])
def test_unusable_destinations_are_one_line_errors_D18(tmp_path: Path, where: str) -> None:
    """D18: a special file, a path under /proc or under a file is exit 1, not a crash."""
    (tmp_path / "file").write_text("x")
    dest = Path(where) if where.startswith("/") else tmp_path / where
    with pytest.raises(DestinationError):
        create_project(NewProject("recommender", dest, defaults=True))


def test_failed_new_removes_the_parents_it_made_D23(tmp_path: Path) -> None:
    """D23: a failure leaves no empty deep/er/ behind."""
    with pytest.raises(InvalidAnswerError):
        make(tmp_path, name="deep/er/dest", data={"author_email": "bad"}, builtin=True)
    assert list(tmp_path.iterdir()) == []


def test_a_second_run_on_the_same_destination_fails_cleanly_D33(tmp_path: Path) -> None:
    """D33: while one `new` holds DEST, another fails at once with a one-line error."""
    dest = tmp_path / "proj"
    with (
        create_module._destination_lock(dest),
        pytest.raises(DestinationError, match="another mlportfolio is creating"),
    ):
        make(tmp_path)
    assert not dest.exists()
    make(tmp_path)  # and the lock is gone afterwards
    assert leftovers(tmp_path) == []


def test_parallel_runs_never_mix_projects_D33(tmp_path: Path) -> None:
    """Two processes racing for one destination (each pays the import, ~0.8 s CPU): one wins,
    the other fails cleanly."""
    import subprocess
    import sys

    runs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "mlportfolio",
                "new",
                "recommender",
                "same",
                "--defaults",
                "-q",
                "--no-git",
                "--template",
                str(TINY[0]),
                "--data",
                f"top_k={seed + 1}",
            ],
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for seed in range(2)
    ]
    errors = [run.communicate()[1] for run in runs]
    results = [(run.returncode, err) for run, err in zip(runs, errors, strict=True)]
    assert sorted(code for code, _ in results) == [0, 1], results
    assert all(len(err.strip().splitlines()) == 1 for code, err in results if code)
    assert leftovers(tmp_path) == []


def test_staging_left_by_a_killed_run_is_removed_D17(tmp_path: Path) -> None:
    """D17: a staging folder whose process is gone (SIGKILL) is cleaned up by the next run."""
    import subprocess

    dead = subprocess.Popen(["true"])
    dead.wait()
    prefix = create_module._staging_prefix().rsplit("-", 2)[0]
    stale = tmp_path / f"{prefix}-{dead.pid}-abcd1234"
    (stale / "project").mkdir(parents=True)
    mine = tmp_path / ".mlportfolio-notours"
    mine.mkdir()
    make(tmp_path)
    assert not stale.exists()
    assert mine.exists()


def test_interrupts_are_held_while_moving_into_place_D14() -> None:
    """D14: Ctrl-C during the final renames neither cuts them nor reports work done as lost."""
    import os
    import signal

    with create_module.deferred_interrupts() as received:
        os.kill(os.getpid(), signal.SIGINT)
    assert received == [signal.SIGINT]


def test_a_template_without_project_name_works_D26(tmp_path: Path) -> None:
    """D26: "any Copier template": no project_name answer is no crash."""
    from .conftest import run_cli

    template = tmp_path / "t"
    (template / "template").mkdir(parents=True)
    (template / "copier.yml").write_text(
        "_subdirectory: template\nother:\n  type: str\n  default: x\n"
    )
    (template / "template" / "README.md").write_text("hi\n")
    result = run_cli(
        "new", "recommender", str(tmp_path / "o2"), "--template", str(template), "--defaults"
    )
    assert result.exit_code == 0, result.output
    assert (tmp_path / "o2" / "README.md").is_file()
    os_cwd = Path.cwd()
    try:
        import os

        os.chdir(tmp_path)
        result = run_cli("new", "recommender", "--template", str(template), "--defaults")
    finally:
        os.chdir(os_cwd)
    assert result.exit_code == 1 and "give DEST" in result.stderr


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"author_name": "a\x01b"}, "author_name.*control"),
        ({"description": "line\nbreak"}, "description.*control"),
        ({"project_name": "tab\there"}, "project_name.*control"),
        ({"author_email": 'a"b@example.com'}, "author_email"),
        ({"relevance_threshold": "nan"}, "relevance_threshold"),
        ({"relevance_threshold": float("nan")}, "relevance_threshold"),
        ({"seed": -1}, "seed.*between"),
        ({"seed": 1.5}, "seed"),
        ({"seed": True}, "seed"),
        ({"top_k": 2.5}, "top_k"),
        ({"package_name": "argparse"}, "package_name.*shadow"),
        ({"package_name": "pathlib"}, "package_name.*shadow"),
        ({"package_name": "collections"}, "package_name.*shadow"),
        ({"package_name": "requests"}, "package_name.*shadow"),
        ({"project_name": "a" * 5000}, "project_name.*at most"),
    ],
)
def test_answers_that_break_the_project_are_refused_D5_D10_D11_D22(
    tmp_path: Path, data: dict[str, object], message: str
) -> None:
    """D5, D10, D11, D22: refused with one short line; nothing created."""
    with pytest.raises(InvalidAnswerError, match=message) as caught:
        make(tmp_path, data=data, builtin=True)
    assert len(str(caught.value)) < 400 and "\n" not in str(caught.value)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("name", ["Ada\\", "C:\\x\\users", 'O"Brien \\"q\\"'])
def test_backslashes_and_quotes_are_escaped_in_pyproject_D5(tmp_path: Path, name: str) -> None:
    import tomllib

    path = make(tmp_path, data={"author_name": name}, git=False, builtin=True)
    pyproject = tomllib.loads((path / "pyproject.toml").read_text())
    assert pyproject["project"]["authors"][0]["name"] == name


def test_a_package_name_from_the_config_file_is_checked_too_D11(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a package name is per project: a stored one (logging, a stdlib module) is refused whole
    config = tmp_path / "config.yml"
    config.write_text("defaults:\n  package_name: logging\n")
    monkeypatch.setenv("MLPORTFOLIO_CONFIG", str(config))
    with pytest.raises(UserError, match=r"config\.yml: package_name .*config unset package_name"):
        make(tmp_path, name="p", builtin=True)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["config.yml"]
    # and from a data file, the shadowing rule applies
    answers = tmp_path / "answers.yml"
    answers.write_text("package_name: logging\n")
    with pytest.raises(InvalidAnswerError, match="shadow"):
        make(tmp_path, name="p", builtin=True, data=read_data_file(answers, "recommender"))


def test_a_config_value_of_the_wrong_type_names_file_and_key_D21(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "config.yml"
    config.write_text("defaults:\n  seed: notanint\n")
    monkeypatch.setenv("MLPORTFOLIO_CONFIG", str(config))
    with pytest.raises(UserError, match=r"config\.yml: defaults\.seed"):
        make(tmp_path, name="p", builtin=True)


@pytest.mark.parametrize(
    ("name", "assign", "kind"),
    [("pyproject.toml", " =", "TOML"), ("settings.py", " =", "Python"), ("ci.yml", ":", "YAML")],
)
def test_a_broken_render_is_never_committed(
    tmp_path: Path, name: str, assign: str, kind: str
) -> None:
    """The post-render check: a template that renders invalid TOML, Python or YAML is a one-line
    error."""
    template = tmp_path / "t"
    (template / "template").mkdir(parents=True)
    (template / "copier.yml").write_text(
        "_subdirectory: template\nproject_name:\n  type: str\n  default: x\n"
    )
    (template / "template" / f"{name}.jinja").write_text(f'name{assign} "{{{{ project_name }}}}"\n')
    with pytest.raises(UserError, match=rf"{name} is not valid {kind}"):
        make(tmp_path, name="p", template=str(template), data={"project_name": 'a"b'})
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t"]


def test_force_never_writes_through_a_hard_link(tmp_path: Path) -> None:
    """Attack (D4's family): a hard link in DEST to a file outside is replaced, not written."""
    victim = tmp_path / "victim.txt"
    victim.write_text("VICTIM ORIGINAL")
    dest = tmp_path / "proj"
    dest.mkdir()
    (dest / "README.md").hardlink_to(victim)
    make(tmp_path, force=True, git=False)
    assert victim.read_text() == "VICTIM ORIGINAL"
    assert (dest / "README.md").read_text().startswith("# ")
