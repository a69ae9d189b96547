from __future__ import annotations

import shutil
from pathlib import Path

import git
import pytest
import yaml

from mlportfolio.create import NewProject, create_project
from mlportfolio.errors import UnsafeTemplateError, UpdateConflictError, UserError
from mlportfolio.update import UpdateRequest, check_update, update_project, version_key

from .conftest import run_cli
from .helpers import git_save, tiny_template


def commit_all(repo_dir: Path, message: str, tag: str | None = None) -> None:
    git_save(repo_dir, message, tag=tag)


def set_identity() -> None:
    git.Git().config("--global", "user.name", "Tester")
    git.Git().config("--global", "user.email", "tester@example.org")


@pytest.fixture(scope="session")
def made_versions(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """What :func:`versions` copies: made once, as each render and commit costs ~0.4 s."""
    made = tmp_path_factory.mktemp("versions")
    with pytest.MonkeyPatch.context() as env:  # no test's own git config exists yet
        env.setenv("HOME", str(made))
        env.setenv("GIT_CONFIG_GLOBAL", str(made / ".gitconfig"))
        env.setenv("GIT_CONFIG_NOSYSTEM", "1")
        set_identity()
        template = tiny_template(made / "template")
        project = create_project(
            NewProject(
                "recommender",
                made / "project",
                defaults=True,
                template=str(template),
                vcs_ref="v1.0.0",
            )
        ).path
        readme = project / "README.md"
        readme.write_text(readme.read_text() + "\n## My notes\n\nWritten by the user.\n")
        commit_all(project, "my notes")
    return made


@pytest.fixture
def versions(made_versions: Path, tmp_path: Path) -> tuple[Path, Path]:
    """A template at v1.0.0 and a project generated from it, with one commit of the user's.

    A copy of :func:`made_versions`, whose answers name this copy of the template.
    """
    set_identity()
    template, project = tmp_path / "template", tmp_path / "project"
    shutil.copytree(made_versions / "template", template, symlinks=True)
    shutil.copytree(made_versions / "project", project, symlinks=True)
    answers = project / ".copier-answers.yml"
    answers.write_text(answers.read_text().replace(str(made_versions), str(tmp_path)))
    git.Repo(project).git.commit("--quiet", "--amend", "--no-edit", "--all")
    assert f"_src_path: {template}\n" in answers.read_text()
    return template, project


def project_from(tmp_path: Path, extra: dict[str, str]) -> Path:
    """A project (named Tiny) of the small template with ``extra`` files, tagged v1.0.0."""
    from .helpers import build_file_tree

    set_identity()
    template = tmp_path / "template"
    build_file_tree(template, extra)
    tiny_template(template)
    return create_project(
        NewProject(
            "recommender",
            tmp_path / "p",
            defaults=True,
            template=str(template),
            data={"project_name": "Tiny"},
        )
    ).path


def edit_the_heading_v2_changes(project: Path) -> Path:
    """Commit a user's edit of the README line that :func:`release_v2` changes too."""
    readme = project / "README.md"
    readme.write_text(readme.read_text().replace("## License\n", "## Licence (mine)\n"))
    commit_all(project, "conflicting edit")
    return readme


def release_v2(template: Path) -> None:
    readme = template / "template" / "README.md.jinja"
    readme.write_text(readme.read_text().replace("## License\n", "## License and data\n"))
    gitignore = template / "template" / ".gitignore"
    gitignore.write_text(gitignore.read_text() + "coverage.xml\n")
    commit_all(template, "v2", tag="v2.0.0")


def test_update_keeps_the_users_edit_and_brings_the_template_change(
    versions: tuple[Path, Path],
) -> None:
    template, project = versions
    release_v2(template)
    result = update_project(UpdateRequest(project))
    assert (result.from_ref, result.to_ref) == ("v1.0.0", "v2.0.0")
    assert result.changed == [".copier-answers.yml", ".gitignore", "README.md"]
    readme = (project / "README.md").read_text()
    assert "## License and data" in readme and "Written by the user." in readme
    assert (project / ".gitignore").read_text().endswith("coverage.xml\n")
    assert yaml.safe_load((project / ".copier-answers.yml").read_text())["_commit"] == "v2.0.0"
    assert git.Repo(project).is_dirty(), "nothing is committed without --commit"


def test_update_with_commit_commits(versions: tuple[Path, Path]) -> None:
    template, project = versions
    release_v2(template)
    result = update_project(UpdateRequest(project, commit=True))
    repo = git.Repo(project)
    assert not repo.is_dirty(untracked_files=True)
    assert result.commit == repo.head.commit.hexsha
    assert "v2.0.0" in repo.head.commit.message


def test_dry_run_shows_the_diff_and_changes_nothing(versions: tuple[Path, Path]) -> None:
    template, project = versions
    release_v2(template)
    head = git.Repo(project).head.commit.hexsha
    result = update_project(UpdateRequest(project, dry_run=True))
    assert "+## License and data" in result.diff and "+coverage.xml" in result.diff
    repo = git.Repo(project)
    assert not repo.is_dirty(untracked_files=True) and repo.head.commit.hexsha == head


def test_dirty_work_tree_is_refused_and_named(versions: tuple[Path, Path]) -> None:
    template, project = versions
    release_v2(template)
    (project / "scratch.py").write_text("x = 1\n")
    with pytest.raises(UserError, match=r"uncommitted changes in scratch\.py"):
        update_project(UpdateRequest(project))


def test_check_says_whether_an_update_exists(versions: tuple[Path, Path]) -> None:
    template, project = versions
    assert not check_update(project).available
    release_v2(template)
    status = check_update(project)
    assert status.available and status.latest == "v2.0.0"
    result = run_cli("update", str(project), "--check")
    assert result.exit_code == 1 and "v1.0.0 -> v2.0.0" in result.stdout


def test_to_picks_a_version_and_data_changes_an_answer(versions: tuple[Path, Path]) -> None:
    template, project = versions
    release_v2(template)
    update_project(UpdateRequest(project, to="v1.0.0", data={"top_k": 20}, commit=True))
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
    assert answers["_commit"] == "v1.0.0" and answers["top_k"] == 20


def test_answers_from_a_newer_version_are_refused(versions: tuple[Path, Path]) -> None:
    _, project = versions
    answers_file = project / ".copier-answers.yml"
    answers_file.write_text(answers_file.read_text().replace("_commit: v1.0.0", "_commit: v9.0.0"))
    commit_all(project, "pretend a newer template made it")
    with pytest.raises(UserError, match=r"newer than v1\.0\.0: upgrade mlportfolio"):
        update_project(UpdateRequest(project))


def test_a_project_not_made_by_mlportfolio_is_refused(tmp_path: Path) -> None:
    git.Repo.init(tmp_path)
    with pytest.raises(UserError, match="not made by mlportfolio"):
        update_project(UpdateRequest(tmp_path))


def test_trust_is_required_for_a_template_with_tasks(versions: tuple[Path, Path]) -> None:
    template, project = versions
    copier_yml = template / "copier.yml"
    copier_yml.write_text(copier_yml.read_text() + "\n---\n_tasks:\n  - echo hi\n")
    commit_all(template, "add a task", tag="v2.0.0")
    with pytest.raises(UnsafeTemplateError, match="--trust"):
        update_project(UpdateRequest(project))
    git.Repo(project).git.checkout("--", ".")
    result = update_project(UpdateRequest(project, trust=True))
    assert result.to_ref == "v2.0.0"


def test_a_question_of_another_type_is_refused(versions: tuple[Path, Path]) -> None:
    _, project = versions
    with pytest.raises(UserError, match="not a question of the recommender type"):
        update_project(UpdateRequest(project, data={"classifier": "logreg"}))


def test_src_path_is_never_read_as_a_git_option_D1(versions: tuple[Path, Path]) -> None:
    _, project = versions
    pwned = project.parent / "pwned"
    answers_file = project / ".copier-answers.yml"
    text = answers_file.read_text()
    src = next(line for line in text.splitlines() if line.startswith("_src_path:"))
    answers_file.write_text(text.replace(src, f"_src_path: '--upload-pack=touch {pwned};false'"))
    commit_all(project, "crafted answers")
    with pytest.raises(UserError):
        check_update(project)
    assert not pwned.exists()


@pytest.mark.parametrize(
    ("ref", "key"), [("v1.2.3", (1, 2, 3)), ("0.10", (0, 10)), ("v2.0.0-3-gabc", (2, 0, 0))]
)
def test_version_key(ref: str, key: tuple[int, ...]) -> None:
    assert version_key(ref) == key


def test_to_an_older_or_unknown_version_lists_the_available_ones(
    versions: tuple[Path, Path],
) -> None:
    template, project = versions
    release_v2(template)
    update_project(UpdateRequest(project, commit=True))
    with pytest.raises(
        UserError, match=r"^--to v1\.0\.0: .*cannot go back; available: v1\.0\.0, v2"
    ):
        update_project(UpdateRequest(project, to="1.0.0"))
    with pytest.raises(UserError, match=r"^--to v9\.9: no such template version; available: v1"):
        update_project(UpdateRequest(project, to="9.9"))


def test_an_answers_only_change_is_committed_as_one(versions: tuple[Path, Path]) -> None:
    _, project = versions
    result = run_cli("update", str(project), "--data", "top_k=20", "--commit")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Changed answers top_k=20 (template v1.0.0):")
    message = git.Repo(project).head.commit.message.strip()
    assert message == "Change the mlportfolio answers: top_k=20 (template v1.0.0)"


def _craft(project: Path, key: str, value: str) -> None:
    answers_file = project / ".copier-answers.yml"
    lines = [
        line for line in answers_file.read_text().splitlines() if not line.startswith(f"{key}:")
    ]
    answers_file.write_text("\n".join([f"{key}: {value}", *lines]) + "\n")
    commit_all(project, "crafted answers")


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("_src_path", "'--upload-pack=touch {pwned};false'"),
        ("_src_path", "'-utouch {pwned}@h:x'"),  # matches the scp-like URL pattern
        ("_src_path", '"ext::sh -c touch% {pwned}"'),
        ("_commit", "'--upload-pack=touch {pwned};false'"),
        ("_commit", '"v1.0.0\\ntouch {pwned}"'),
    ],
)
def test_option_shaped_answers_never_reach_git_D1(
    versions: tuple[Path, Path], key: str, value: str
) -> None:
    """D1 and variants: every value from the answers file that reaches git is checked first."""
    _, project = versions
    pwned = project.parent / "pwned"
    _craft(project, key, value.format(pwned=pwned))
    for args in (["--check"], [], ["--diff"]):
        result = run_cli("update", str(project), *args)
        assert result.exit_code == 1, result.output
        assert len(result.stderr.strip().splitlines()) == 1
    assert not pwned.exists()


def test_option_shaped_to_is_refused_D1(versions: tuple[Path, Path]) -> None:
    _, project = versions
    result = run_cli("update", str(project), "--to", "--upload-pack=touch x")
    assert result.exit_code == 1 and "--to" in result.stderr


@pytest.mark.parametrize("src", ["/etc", "{a: 1}", "/nonexistent/x"])
def test_a_bad_src_path_says_so_D25(versions: tuple[Path, Path], src: str) -> None:
    """D25: not the tail of git's hint ("and the repository exists"), but what is wrong."""
    _, project = versions
    _craft(project, "_src_path", src)
    result = run_cli("update", str(project), "--check")
    assert result.exit_code == 1, result.output
    assert "repository exists" not in result.stderr
    assert "_src_path" in result.stderr


def test_changing_an_answer_never_deletes_the_users_edits_D8(tmp_path: Path) -> None:
    """D8: a file the new answers no longer render, edited by the user, is kept: exit 5."""
    project = project_from(tmp_path, {"template/notes/{{ project_name }}.md": "template notes\n"})
    notes = project / "notes" / "Tiny.md"
    assert notes.is_file()
    notes.write_text("template notes\nUSER CUSTOM WORK\n")
    commit_all(project, "user work")
    with pytest.raises(UpdateConflictError, match=r"notes/Tiny\.md.*kept") as info:
        update_project(UpdateRequest(project, to="v1.0.0", data={"project_name": "Other"}))
    assert info.value.exit_code == 5
    assert "USER CUSTOM WORK" in notes.read_text()


def test_a_conflict_is_exit_5_and_the_abandon_command_it_prints_works_D12(
    versions: tuple[Path, Path],
) -> None:
    """A conflicting edit: exit 5 with the markers in the file, and the printed command really
    abandons the update (D12), keeping the user's committed edit."""
    import subprocess

    template, project = versions
    readme = edit_the_heading_v2_changes(project)
    before = git.Repo(project).head.commit.hexsha
    release_v2(template)
    with pytest.raises(UpdateConflictError, match=r"conflicts in README\.md.*resolve") as info:
        update_project(UpdateRequest(project))
    assert info.value.exit_code == 5
    assert "<<<<<<<" in readme.read_text()
    command = str(info.value).split("`")[-2]
    assert command == "git reset --hard && git clean -fd"
    subprocess.run(command, shell=True, cwd=project, check=True, capture_output=True)
    repo = git.Repo(project)
    assert not repo.is_dirty(untracked_files=True)
    assert repo.head.commit.hexsha == before
    assert "<<<<<<<" not in readme.read_text() and "## Licence (mine)" in readme.read_text()


def test_diff_with_conflicts_shows_the_diff_and_changes_nothing_D13(
    versions: tuple[Path, Path],
) -> None:
    """D13: `update --diff` prints the diff even when the update would conflict; exit 0."""
    template, project = versions
    edit_the_heading_v2_changes(project)
    release_v2(template)
    result = run_cli("update", str(project), "--diff")
    assert result.exit_code == 0, result.output
    assert "coverage.xml" in result.stdout
    assert "conflicts in README.md" in result.stderr and "nothing was changed" in result.stderr
    assert not git.Repo(project).is_dirty(untracked_files=True)


def test_a_link_out_of_the_project_stops_the_update(
    versions: tuple[Path, Path], tmp_path: Path
) -> None:
    """Attack: a committed link (README.md -> a file outside) is never written through."""
    template, project = versions
    victim = tmp_path / "victim.txt"
    victim.write_text("VICTIM\n")
    (project / "README.md").unlink()
    (project / "README.md").symlink_to(victim)
    commit_all(project, "hostile link")
    release_v2(template)
    for args in ([], ["--diff"], ["--check"]):
        result = run_cli("update", str(project), *args)
        assert result.exit_code in (0, 1), result.output
        if not args or args == ["--diff"]:
            assert result.exit_code == 1 and "outside the project" in result.stderr
    assert victim.read_text() == "VICTIM\n"


@pytest.mark.parametrize("kind", ["link", "binary", "huge"])
def test_hostile_answers_files_are_one_line_errors(
    versions: tuple[Path, Path], tmp_path: Path, kind: str
) -> None:
    """Attack: an answers file that is a link (to a secret), binary or huge."""
    _, project = versions
    answers = project / ".copier-answers.yml"
    if kind == "link":
        secret = tmp_path / "secret.yml"
        secret.write_text(answers.read_text())
        answers.unlink()
        answers.symlink_to(secret)
    elif kind == "binary":
        answers.write_bytes(b"\x00\xff\xfe" * 10)
    else:
        answers.write_text("_src_path: x\n" + "# pad\n" * 300_000)
    commit_all(project, "hostile answers")
    for args in (["--check"], []):
        result = run_cli("update", str(project), *args)
        assert result.exit_code == 1, result.output
        assert len(result.stderr.strip().splitlines()) == 1


def test_ctrl_c_during_an_update_says_how_to_restore_D14(
    versions: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """D14: not "nothing was left behind" when the update may be partly applied."""
    from mlportfolio import copier_adapter
    from mlportfolio.errors import Interrupted

    template, project = versions
    release_v2(template)

    def interrupted(*args: object, **kwargs: object) -> None:
        (project / "README.md").write_text("half")
        raise KeyboardInterrupt

    monkeypatch.setattr(copier_adapter, "update", interrupted)
    with pytest.raises(Interrupted, match="git reset --hard"):
        update_project(UpdateRequest(project))


def test_ctrl_c_inside_copiers_update_leaves_no_temporary_folder_D14(
    versions: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """D14: Copier's clones and renders of an interrupted update are removed, not left in TMP."""
    import tempfile

    import copier

    from mlportfolio.errors import Interrupted

    template, project = versions
    release_v2(template)
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    real_update = copier.run_update

    def interrupted_midway(*args: object, **kwargs: object) -> None:
        tempfile.mkdtemp(prefix="copier.")  # as Copier makes its clones, then Ctrl-C
        raise KeyboardInterrupt

    monkeypatch.setattr(copier, "run_update", interrupted_midway)
    with pytest.raises(Interrupted):
        update_project(UpdateRequest(project))
    assert list(scratch.iterdir()) == []
    monkeypatch.setattr(copier, "run_update", real_update)
    update_project(UpdateRequest(project))  # the next run works and leaves nothing either
    assert list(scratch.iterdir()) == []


def test_an_update_that_breaks_a_toml_file_is_never_committed(tmp_path: Path) -> None:
    """The post-render parse check, for `update --data ... --commit` too."""
    project = project_from(
        tmp_path, {"template/pyproject.toml.jinja": 'name = "{{ project_name }}"\n'}
    )
    head = git.Repo(project).head.commit.hexsha
    with pytest.raises(
        UserError, match=r"pyproject\.toml is not valid TOML.*nothing was committed"
    ):
        update_project(
            UpdateRequest(project, to="v1.0.0", data={"project_name": 'a"b'}, commit=True)
        )
    assert git.Repo(project).head.commit.hexsha == head


@pytest.mark.e2e
def test_update_switches_monitoring_on_and_keeps_the_users_edits(tmp_path: Path) -> None:
    """The built-in template, tagged: `update --data monitoring=true` adds the option's files."""
    from mlportfolio.templates import TEMPLATE_PARTS, template_root

    set_identity()
    template = tmp_path / "template"
    template.mkdir()
    for part in TEMPLATE_PARTS:
        source = template_root() / part
        if source.is_dir():
            ignore = shutil.ignore_patterns("__pycache__")
            shutil.copytree(source, template / part, symlinks=True, ignore=ignore)
        else:
            shutil.copy2(source, template / part)
    git_save(template, "template", tag="v1.0.0")
    project = create_project(
        NewProject("forecasting", tmp_path / "p", defaults=True, template=str(template))
    ).path
    assert not (project / "configs" / "monitoring.yaml").exists()
    readme, config = project / "README.md", project / "configs" / "default.yaml"
    readme.write_text(readme.read_text() + "\n## My notes\n\nWritten by the user.\n")
    config.write_text(config.read_text().replace("horizon: 12", "horizon: 6"))
    commit_all(project, "my notes and horizon")

    update_project(UpdateRequest(project, data={"monitoring": True}, commit=True))

    answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
    assert answers["monitoring"] is True and not answers.get("tracking")
    package = project / "src" / answers["package_name"]
    assert (package / "drift.py").is_file() and (package / "monitor.py").is_file()
    assert (project / ".github" / "workflows" / "monitor.yml").is_file()
    assert "\nmonitor:" in (project / "Makefile").read_text()
    text = readme.read_text()
    assert "## Monitoring" in text and "Written by the user." in text
    assert "horizon: 6" in config.read_text()
    assert not git.Repo(project).git.ls_files("-u")
    assert not git.Repo(project).is_dirty(untracked_files=True)


@pytest.mark.e2e
def test_update_switches_the_api_on_and_keeps_the_users_edits(tmp_path: Path) -> None:
    """`update --data api=true` with the real template: the option's files and lines arrive."""
    from .helpers import fresh_clone

    set_identity()
    template = fresh_clone(tmp_path / "template")
    git_save(template, "this working tree", tag="v99.0.0")
    new = NewProject(
        "sentiment", tmp_path / "p", defaults=True, template=str(template), vcs_ref="v99.0.0"
    )
    project = create_project(new).path
    readme, makefile = project / "README.md", project / "Makefile"
    readme.write_text(
        readme.read_text().replace("## License\n", "## Notes\n\nMine.\n\n## License\n")
    )
    makefile.write_text(makefile.read_text() + "\nmine:  ## My own target\n\techo mine\n")
    commit_all(project, "my edits")

    result = update_project(UpdateRequest(project, "v99.0.0", {"api": True}, commit=True))

    assert not result.conflicts and not git.Repo(project).is_dirty(untracked_files=True)
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
    assert answers["api"] is True
    package = project / "src" / answers["package_name"]
    assert (package / "serve.py").is_file() and (package / "serve_predict.py").is_file()
    assert (project / "tests" / "test_serve.py").is_file()
    assert (
        "## Serve the model" in readme.read_text() and "## Notes\n\nMine.\n" in readme.read_text()
    )
    assert "\nserve:" in makefile.read_text() and "\nmine:" in makefile.read_text()
    assert '"fastapi>=' in (project / "pyproject.toml").read_text()
    assert not (project / "Dockerfile").exists()  # docker stays off
