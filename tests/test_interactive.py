"""`new` on a real terminal: Copier's prompts, driven through a pseudo-terminal."""

from __future__ import annotations

import os
import select
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="pseudo-terminals are POSIX")


CURSOR_POSITION_REQUEST = b"\x1b[6n"


def drive(
    args: list[str], cwd: Path, answers: list[str], timeout: float = 60, returncode: int = 0
) -> str:
    """Run ``mlportfolio`` on a pseudo-terminal, answer each prompt as it appears."""
    import pty

    main_fd, child_fd = pty.openpty()
    mlportfolio = shutil.which("mlportfolio", path=str(Path(sys.executable).parent))
    assert mlportfolio, "the mlportfolio console script is not installed next to python"
    # answers are typed after each prompt's cursor position request: never let the caller's
    # environment turn those requests off
    env = {key: value for key, value in os.environ.items() if key != "PROMPT_TOOLKIT_NO_CPR"}
    process = subprocess.Popen(
        [mlportfolio, *args],
        cwd=cwd,
        stdin=child_fd,
        stdout=child_fd,
        stderr=child_fd,
        env={**env, "TERM": "xterm", "COLUMNS": "120", "LINES": "40"},
    )
    os.close(child_fd)
    output, pending, deadline = b"", list(answers), time.monotonic() + timeout
    prompts_seen = cursor_reports = 0
    try:
        while process.poll() is None and time.monotonic() < deadline:
            ready, _, _ = select.select([main_fd], [], [], 0.2)
            if ready:
                try:
                    output += os.read(main_fd, 65536)
                except OSError:
                    break
            # answer each cursor position request as a terminal does: prompt_toolkit waits for it
            while output.count(CURSOR_POSITION_REQUEST) > cursor_reports:
                cursor_reports += 1
                os.write(main_fd, b"\x1b[1;1R")
            # a prompt reads keys once it has asked where the cursor is (its terminal is raw then)
            if cursor_reports > prompts_seen and pending:
                prompts_seen += 1
                os.write(main_fd, pending.pop(0).encode())
        # the terminal closes before the process has exited: on a busy machine, allow it time
        process.wait(timeout=max(deadline - time.monotonic(), 10))
    finally:
        # a timeout fails this test only: no process left to disturb the worker's next test
        if process.poll() is None:
            process.kill()
            process.wait()
        os.close(main_fd)
    assert process.returncode == returncode, output.decode(errors="replace")
    return output.decode(errors="replace")


def test_prompts_on_a_terminal_and_names_the_directory_after_the_answer(tmp_path: Path) -> None:
    # \x15 (Ctrl-U) clears the default before typing; a bare \r accepts the default
    answers = ["\x15Film Picks\r"] + ["\r"] * 20
    output = drive(["new", "recommender"], tmp_path, answers)
    assert "Project name" in output and "Your email address" in output
    assert (tmp_path / "film-picks" / "src" / "film_picks" / "__init__.py").is_file()
    assert "Created Film Picks" in output


def test_ctrl_c_at_a_prompt_exits_130_with_one_line_and_leaves_nothing(tmp_path: Path) -> None:
    # accept two defaults, then press Ctrl-C at the third prompt
    output = drive(["new", "sentiment"], tmp_path, ["\r", "\r", "\x03"], returncode=130)
    after_prompts = output.rsplit("🎤", 1)[-1]
    messages = [line for line in after_prompts.splitlines() if "error" in line]
    assert len(messages) == 1 and "interrupted" in messages[0], output
    assert "Traceback" not in output and "AnswersMap" not in output
    assert list(tmp_path.iterdir()) == []
