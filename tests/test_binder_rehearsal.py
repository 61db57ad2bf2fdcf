"""A Binder launch, rehearsed: a fresh venv from the pinned ``binder/requirements.txt``, then
``binder/postBuild`` in a clean clone (package, course extension, numba warm-up, the course
copied to ``lnhet-course/``), then every lesson run top to bottom through ``binder/start``, as
a student's kernel runs it. Each lesson's time and the peak memory of its process tree (the
notebook runner and its kernel) are printed and kept in
``test-artifacts/binder-rehearsal.json``; mybinder.org gives a session 2 GB at most.

Slow: about 10 minutes with warm pip and yarn caches, longer on a fresh machine.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import psutil
import pytest
from commands import run

from lnhet_widgets.course import load_manifest

ROOT = Path(__file__).resolve().parents[1]
ARTIFACT = ROOT / "test-artifacts" / "binder-rehearsal.json"
PEAK_LIMIT_MB = 2048
LESSON_TIMEOUT_S = 900

pytestmark = pytest.mark.slow

# Runs one notebook in its own folder with the venv's default kernel, as JupyterLab would.
_RUN_NOTEBOOK = """
import sys
from pathlib import Path
import nbformat
from nbclient import NotebookClient
path = Path(sys.argv[1])
notebook = nbformat.read(path, as_version=4)
NotebookClient(notebook, timeout=600, kernel_name="python3",
               resources={"metadata": {"path": str(path.parent)}}).execute()
"""


@dataclass(frozen=True)
class Binder:
    repo: Path
    env: dict[str, str]
    install_s: float
    post_build_s: float


def _tree_rss_mb(process: psutil.Process) -> float:
    """Resident memory of ``process`` and all its descendants, MB."""
    total = 0
    for member in [process, *process.children(recursive=True)]:
        try:
            total += member.memory_info().rss
        except psutil.Error:  # ended between listing and reading
            pass
    return total / 2**20


def run_measured(command: list, *, env: dict, cwd: Path) -> tuple[float, float, str]:
    """Run ``command``, sampling its process tree's memory; (seconds, peak MB, output)."""
    start = time.monotonic()
    process = subprocess.Popen([str(part) for part in command], env=env, cwd=cwd, text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    watched, peak = psutil.Process(process.pid), 0.0
    while process.poll() is None:
        peak = max(peak, _tree_rss_mb(watched))
        if time.monotonic() - start > LESSON_TIMEOUT_S:
            process.kill()
        time.sleep(0.1)
    output = process.stdout.read()
    assert process.returncode == 0, f"{command[-1]} failed:\n{output[-4000:]}"
    return time.monotonic() - start, peak, output


@pytest.fixture(scope="module")
def binder(tmp_path_factory) -> Binder:
    """A clean clone with a fresh venv installed as Binder installs it."""
    tmp = tmp_path_factory.mktemp("binder")
    repo, venv, home = tmp / "repo", tmp / "venv", tmp / "home"
    home.mkdir()
    subprocess.run(["git", "clone", "--quiet", "--no-local", str(ROOT), str(repo)], check=True)
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    env = {key: value for key, value in os.environ.items()
           if key not in ("VIRTUAL_ENV", "NUMBA_CACHE_DIR", "PYTHONPATH")}
    env.update(PATH=os.pathsep.join([str(venv / "bin"), env["PATH"]]), HOME=str(home),
               IPYTHONDIR=str(home / ".ipython"), JUPYTER_CONFIG_DIR=str(home / ".jupyter"),
               JUPYTER_DATA_DIR=str(home / ".local" / "share" / "jupyter"))
    start = time.monotonic()
    run(["python", "-m", "pip", "install", "--quiet", "-r", "binder/requirements.txt"],
        env=env, cwd=repo, timeout_s=1800)
    install_s, start = time.monotonic() - start, time.monotonic()
    run(["bash", "binder/postBuild"], env=env, cwd=repo, timeout_s=1800)
    post_build_s = time.monotonic() - start
    return Binder(repo, env, install_s, post_build_s)


def test_every_lesson_runs_in_the_pinned_binder_environment(binder):
    # Every lesson of the manifest (split lessons such as 02b_… included), in course order.
    course = binder.repo / "lnhet-course"
    lessons = [course / lesson["file"] for lesson in load_manifest()["lessons"]]
    assert all(p.is_file() for p in lessons), "postBuild did not copy the course into lnhet-course/"
    rows = []
    for lesson in lessons:
        seconds, peak_mb, _ = run_measured(
            ["bash", "binder/start", "python", "-c", _RUN_NOTEBOOK, lesson],
            env=binder.env, cwd=binder.repo)
        rows.append({"lesson": lesson.stem, "seconds": round(seconds, 1),
                     "peak_mb": round(peak_mb)})
    record = {"pip_install_s": round(binder.install_s), "post_build_s": round(binder.post_build_s),
              "lessons": rows}
    ARTIFACT.parent.mkdir(parents=True, exist_ok=True)
    ARTIFACT.write_text(json.dumps(record, indent=1), encoding="utf-8")
    print(f"\nBinder rehearsal: pip install {binder.install_s:.0f} s, postBuild "
          f"{binder.post_build_s:.0f} s")
    for row in rows:
        print(f"  {row['lesson']:<32} {row['seconds']:7.1f} s  peak {row['peak_mb']:5d} MB")
    over = [row for row in rows if row["peak_mb"] > PEAK_LIMIT_MB]
    assert not over, f"lessons above Binder's {PEAK_LIMIT_MB} MB: {over}"
