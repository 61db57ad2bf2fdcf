"""Binder installs from binder/requirements.txt, not from pyproject.toml: keep them in step."""

import re
from pathlib import Path

import pytest

tomllib = pytest.importorskip("tomllib")
ROOT = Path(__file__).resolve().parents[1]


def _names(requirements) -> set[str]:
    return {re.split(r"[<>=~!\[; ]", line.strip(), maxsplit=1)[0].lower()
            for line in requirements if line.strip() and not line.lstrip().startswith("#")}


def test_binder_installs_every_runtime_dependency():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    binder = (ROOT / "binder" / "requirements.txt").read_text(encoding="utf-8").splitlines()
    assert _names(project["dependencies"]) - _names(binder) == set()


def test_binder_installs_the_distributed_extra_the_lessons_use():
    optional = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))[
        "project"]["optional-dependencies"]
    binder = (ROOT / "binder" / "requirements.txt").read_text(encoding="utf-8").splitlines()
    assert _names(optional["distributed"]) - _names(binder) == set()
