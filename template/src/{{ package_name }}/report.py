"""Write evaluation results into Markdown files between marker comments."""

from __future__ import annotations

from pathlib import Path


def replace_between_markers(path: Path, name: str, content: str) -> None:
    """Replace the text between ``<!-- name:start -->`` and ``<!-- name:end -->`` in ``path``.

    The markers stay, so the next evaluation can replace the block again; a file without the
    markers is left unchanged and an error says which marker is missing.
    """
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    text = path.read_text(encoding="utf-8")
    head, sep, rest = text.partition(start)
    if not sep or end not in rest:
        raise ValueError(f"{path.name}: markers {start} ... {end} not found")
    _, _, tail = rest.partition(end)
    path.write_text(f"{head}{start}\n{content.strip()}\n{end}{tail}", encoding="utf-8")


def markdown_table(header: list[str], rows: list[list[str]]) -> str:
    """Format rows as a GitHub-flavoured Markdown table."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)
