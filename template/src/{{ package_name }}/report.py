"""Write generated blocks into README.md and MODEL_CARD.md between marker comments."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

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


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """Format rows as a GitHub-flavoured Markdown table."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def fmt(value: float, digits: int = 4) -> str:
    """A number for a table: fixed decimals."""
    return f"{value:.{digits}f}"
