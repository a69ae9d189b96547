"""Collecting projects: discovery, answers, the envelope, README summary, figures, remote URL."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from mlportfolio.portfolio import (
    collect_projects,
    find_figures,
    parse_envelope,
    readme_summary,
    web_url,
)
from tests.portfolio_helpers import ENVELOPE, SCHEMA, envelope, make_project, tiny_png


def test_the_test_envelope_is_valid_against_the_shipped_schema() -> None:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(schema).validate(ENVELOPE)


def test_collects_projects_at_any_depth_up_to_the_limit(tmp_path: Path) -> None:
    make_project(tmp_path, "a", metrics=envelope())
    make_project(tmp_path / "x" / "y", "deep")
    make_project(tmp_path / "x" / "y" / "z", "too-deep")
    make_project(tmp_path / ".hidden", "hidden")
    make_project(tmp_path / "a", "inside-a")  # a project's own folders are not searched

    found = collect_projects([tmp_path], max_depth=3)

    assert [p.path.name for p in found.projects] == ["a", "deep"]
    assert found.skipped == []
    deeper = collect_projects([tmp_path], max_depth=4)
    assert [p.path.name for p in deeper.projects] == ["a", "deep", "too-deep"]


def test_default_is_the_current_folder(in_tmp: Path) -> None:
    make_project(in_tmp, "here")
    assert [p.name for p in collect_projects().projects] == ["Here"]


def test_paths_that_are_not_projects_are_skipped_with_a_reason(tmp_path: Path) -> None:
    make_project(tmp_path, "good")
    empty = tmp_path / "empty"
    empty.mkdir()
    a_file = tmp_path / "notes.txt"
    a_file.write_text("hi", encoding="utf-8")
    broken = make_project(tmp_path, "broken")
    (broken / ".copier-answers.yml").write_text("[unclosed", encoding="utf-8")

    found = collect_projects(
        [tmp_path / "good", empty, a_file, tmp_path / "missing", broken, tmp_path / "good"]
    )

    assert [p.path.name for p in found.projects] == ["good"]  # listed twice, collected once
    reasons = {s.path.name: s.reason for s in found.skipped}
    assert "no .copier-answers.yml" in reasons["empty"]
    assert reasons["notes.txt"] == "not a folder"
    assert reasons["missing"] == "does not exist"
    assert "not valid YAML" in reasons["broken"]


def test_a_project_reads_answers_envelope_readme_figures_and_remote(tmp_path: Path) -> None:
    path = make_project(
        tmp_path,
        "movie-recs",
        name="Movie Recs",
        metrics=envelope(),
        readme="# Movie Recs\n\n[![CI](https://x/badge.svg)](https://x)\n\n"
        "Recommends **films** with [EASE](https://arxiv.org).\n\n## Problem\n\nmore\n",
        figures={"b_roc.png": tiny_png(), "a_confusion.png": tiny_png(), "notes.txt": b"x"},
        remote="git@github.com:ada/movie-recs.git",
    )

    [project] = collect_projects([tmp_path]).projects

    assert project.path == path
    assert (project.name, project.slug, project.project_type) == (
        "Movie Recs",
        "movie-recs",
        "sentiment",
    )
    assert project.summary == "Recommends films with EASE."
    assert [f.name for f in project.figures] == ["a_confusion.png", "b_roc.png"]
    assert project.repo_url == "https://github.com/ada/movie-recs"
    assert project.template_version == "v0.2.0"
    evaluation = project.evaluation
    assert evaluation is not None and project.problem is None
    assert (evaluation.metric, evaluation.chosen_value, evaluation.baseline_value) == (
        "f1",
        0.8,
        0.4,
    )
    assert evaluation.chosen.label == "logistic regression"
    assert evaluation.beats_baseline and evaluation.verdict == "better"
    assert evaluation.relative_change == pytest.approx(1.0)
    assert evaluation.fixture is True
    assert evaluation.split_sizes == {"train": 32, "test": 32}
    assert [name for name, _ in evaluation.chosen.parts()] == ["train", "validation", "test"]


def test_without_answers_name_and_type_come_from_the_envelope(tmp_path: Path) -> None:
    path = make_project(tmp_path, "custom", project_type=None, metrics=envelope())
    (path / ".copier-answers.yml").write_text("_commit: v1\n", encoding="utf-8")

    [project] = collect_projects([tmp_path]).projects

    assert (project.name, project.project_type) == ("Tiny Classifier", "sentiment")
    assert project.summary == ""


def test_a_project_without_metrics_is_collected_unevaluated(tmp_path: Path) -> None:
    make_project(tmp_path, "fresh")
    [project] = collect_projects([tmp_path]).projects
    assert project.evaluation is None and project.problem is None
    assert project.summary == "The description of fresh."  # no README: the answers' description


@pytest.mark.parametrize(
    ("metrics", "reason"),
    [
        ("{not json", "not valid JSON"),
        ("[1, 2]", "does not hold a JSON object"),
        (envelope(schema_version="2.0"), "schema_version '2.0'"),
        (envelope(models=None), "lacks models"),
        (envelope(baseline="nope"), "baseline 'nope' is not among the models"),
        (envelope(primary_metric={"name": "auc", "direction": "higher"}), "has no test 'auc'"),
        (envelope(primary_metric={"name": "f1", "direction": "up"}), "higher/lower"),
        (envelope(data={**ENVELOPE["data"], "fixture": "yes"}), "data.fixture has the wrong type"),
        (
            envelope(models={"majority": {"label": "m", "metrics": {"test": {"f1": "high"}}}}),
            "f1 is not a number",
        ),
    ],
)
def test_a_malformed_envelope_is_reported_not_raised(
    tmp_path: Path, metrics: object, reason: str
) -> None:
    make_project(tmp_path, "bad", metrics=metrics)  # type: ignore[arg-type]
    [project] = collect_projects([tmp_path]).projects
    assert project.evaluation is None
    assert project.problem is not None and reason in project.problem


def test_lower_is_better_metrics_compare_the_right_way() -> None:
    models = {
        "mean": {
            "label": "mean",
            "role": "baseline",
            "params": {},
            "metrics": {"train": {}, "test": {"rmse": 1.2}},
        },
        "mf": {
            "label": "MF",
            "role": "model",
            "params": {},
            "metrics": {"train": {}, "test": {"rmse": 0.9}},
        },
    }
    evaluation = parse_envelope(
        envelope(
            models=models,
            baseline="mean",
            chosen_model="mf",
            primary_metric={"name": "rmse", "direction": "lower"},
        )
    )
    assert evaluation.beats_baseline and evaluation.verdict == "better"
    assert evaluation.relative_change == pytest.approx(-0.25)


def test_readme_summary_skips_headings_badges_comments_and_lists(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text(
        "<!-- a comment -->\n# Title\n\n- a list\n\n> a quote\n\nA `summary` line\nthat wraps.\n",
        encoding="utf-8",
    )
    assert readme_summary(tmp_path) == "A summary line that wraps."
    (tmp_path / "README.md").write_text("word " * 200, encoding="utf-8")
    assert len(readme_summary(tmp_path)) <= 320 and readme_summary(tmp_path).endswith("…")


def test_figures_are_checked_by_content_and_never_followed_out_of_the_project(
    tmp_path: Path,
) -> None:
    figures = tmp_path / "eval" / "figures"
    figures.mkdir(parents=True)
    (figures / "real.png").write_bytes(tiny_png())
    (figures / "fake.png").write_bytes(b"<script>alert(1)</script>")
    (figures / "drawing.svg").write_text("<svg onload='alert(1)'/>", encoding="utf-8")
    secret = tmp_path.parent / f"{tmp_path.name}-secret.png"
    secret.write_bytes(tiny_png())
    (figures / "link.png").symlink_to(secret)
    assert [f.name for f in find_figures(tmp_path)] == ["real.png"]


def test_nothing_is_read_through_a_folder_linked_out_of_the_project(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    (outside / "figures").mkdir(parents=True)
    (outside / "figures" / "private.png").write_bytes(tiny_png())
    (outside / "metrics.json").write_text(json.dumps(ENVELOPE), encoding="utf-8")
    project = make_project(tmp_path, "linked")
    (project / "eval").symlink_to(outside)

    [collected] = collect_projects([project]).projects

    assert collected.figures == ()
    assert collected.evaluation is None
    assert collected.problem is not None and "leads out of the project" in collected.problem


@pytest.mark.parametrize(
    ("remote", "url"),
    [
        ("https://github.com/ada/recs.git", "https://github.com/ada/recs"),
        ("https://x-access-token:ghp_secret@github.com/ada/recs", "https://github.com/ada/recs"),
        ("git@github.com:ada/recs.git", "https://github.com/ada/recs"),
        ("ssh://git@github.example.com:2222/lab/recs.git", "https://github.example.com/lab/recs"),
        ("/srv/git/recs.git", None),
        ("http://127.0.0.1:8080/ada/recs.git", None),
        ('https://github.com/ada/"><script>', None),
    ],
)
def test_web_url_of_a_remote(remote: str, url: str | None) -> None:
    assert web_url(remote) == url


def test_remote_of_a_worktree_is_read_from_the_main_repository(tmp_path: Path) -> None:
    main = make_project(tmp_path, "main", remote="https://github.com/ada/main.git")
    worktree_dir = main / ".git" / "worktrees" / "wt"
    worktree_dir.mkdir(parents=True)
    (worktree_dir / "commondir").write_text("../..\n", encoding="utf-8")
    other = make_project(tmp_path, "wt")
    (other / ".git").write_text(f"gitdir: {worktree_dir}\n", encoding="utf-8")
    projects = {p.path.name: p for p in collect_projects([tmp_path]).projects}
    assert projects["wt"].repo_url == "https://github.com/ada/main"
