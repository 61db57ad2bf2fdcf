"""Running a command from a test: the tests that build fresh environments (the wheel, the
Binder rehearsal) share it."""

from __future__ import annotations

import subprocess
from pathlib import Path


def run(command: list, *, env: dict, cwd: Path | None = None, timeout_s: float = 1200) -> str:
    """Run ``command`` and return its output; on failure the assertion shows its tail."""
    done = subprocess.run([str(part) for part in command], env=env, cwd=cwd, text=True,
                          capture_output=True, timeout=timeout_s)
    output = done.stdout + done.stderr
    assert done.returncode == 0, f"{command[:3]} exited {done.returncode}:\n{output[-4000:]}"
    return output
