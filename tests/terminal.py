"""The command driven the way a person does: a subprocess, or a real terminal (tmux) to type into."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

ALIGNER = str(Path(sys.executable).with_name("aligner"))


def aligner(*args: str, stdin: str = "", reviewer: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ALIGNER_NOW": "2026-11-24T12:00:00Z"}
    if reviewer:
        env["ALIGNER_REVIEWER"] = reviewer
    return subprocess.run(
        [ALIGNER, *args], input=stdin, capture_output=True, text=True, env=env, timeout=600, check=False
    )


class Terminal:
    """A real terminal (tmux, 200x50) running one command; type into it and read its screen."""

    def __init__(self, folder: Path) -> None:
        self.socket = str(folder / "tmux.sock")  # a server of its own, removed with the folder
        self.folder = folder

    def tmux(self, *args: str) -> str:
        done = subprocess.run(["tmux", "-S", self.socket, *args], capture_output=True, text=True, check=True)
        return done.stdout

    def start(self, command: str) -> None:
        line = f"{command}; echo '[exit '$?']'; sleep 600"
        self.tmux("new-session", "-d", "-x", "200", "-y", "50", "-c", str(self.folder), line)

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-J", "-S", "-")

    def wait(self, text: str, count: int = 1, timeout: float = 120) -> str:
        """Wait until ``text`` shows ``count`` times on the screen (output is asynchronous)."""
        deadline = time.monotonic() + timeout
        while (screen := self.screen()).count(text) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"{text!r} not shown {count} time(s); screen:\n{screen[-3000:]}")
            time.sleep(0.1)
        return screen

    def type(self, line: str) -> None:
        self.tmux("send-keys", "-l", line)
        self.tmux("send-keys", "Enter")

    def close(self) -> None:
        subprocess.run(["tmux", "-S", self.socket, "kill-server"], capture_output=True, check=False)
