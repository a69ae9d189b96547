"""Write generated blocks into README.md and MODEL_CARD.md between marker comments."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from .errors import ReportError
from .paths import project_root


def replace_between_markers(path: Path, name: str, content: str) -> None:
    """Replace the text between ``<!-- name:start -->`` and ``<!-- name:end -->`` in ``path``.

    The markers stay, so the next evaluation replaces the block again; a file without them is
    left unchanged and the error says which marker is missing.
    """
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    text = path.read_text(encoding="utf-8")
    head, sep, rest = text.partition(start)
    if not sep or end not in rest:
        raise ReportError(f"{path.name}: markers {start} ... {end} not found")
    _, _, tail = rest.partition(end)
    path.write_text(f"{head}{start}\n{content.strip()}\n{end}{tail}", encoding="utf-8")


def write_reports(readme: Mapping[str, str], model_card: Mapping[str, str]) -> list[Path]:
    """Fill named blocks of the project's README.md and MODEL_CARD.md; return the files written."""
    written = []
    for filename, blocks in (("README.md", readme), ("MODEL_CARD.md", model_card)):
        if blocks:
            path = project_root() / filename
            for name, content in blocks.items():
                replace_between_markers(path, name, content)
            written.append(path)
    return written


def data_line(envelope: Mapping[str, Any]) -> str:
    """One sentence saying which data produced an envelope's numbers, and by which split."""
    data, split = envelope["data"], envelope["split"]
    warning = " Fixture numbers only show that the pipeline runs." if data["fixture"] else ""
    return (
        f"Numbers from **{data['name']}** (`{data['source']}`, DATA={data['mode']}): "
        f"{data['description']}. Split: {split['protocol']}.{warning}"
    )


def write_results(
    envelope: Mapping[str, Any],
    *,
    verdict: str,
    table: str,
    fairness: str,
    readme_more: Sequence[str] = (),
    card_more: Sequence[str] = (),
    both: Mapping[str, str] | None = None,
) -> list[Path]:
    """README's ``results`` and MODEL_CARD's ``metrics`` and ``fairness`` blocks of one evaluation.

    Both documents open with the same three paragraphs (the data, the verdict, the table), so
    the README and the model card can never quote different numbers. ``both`` holds further
    blocks written alike into the two files.
    """
    head = [data_line(envelope), verdict, table]
    shared = dict(both or {})
    return write_reports(
        readme={"results": "\n\n".join([*head, *readme_more]), **shared},
        model_card={
            "metrics": "\n\n".join([*head, *card_more]),
            "fairness": fairness,
            **shared,
        },
    )


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """Format rows as a GitHub-flavoured Markdown table."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def fmt(value: float, digits: int = 4) -> str:
    """A number for a table: fixed decimals."""
    return f"{value:.{digits}f}"
