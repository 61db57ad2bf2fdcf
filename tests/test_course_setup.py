"""A course opens quietly: the package's JupyterLab settings overrides are installed and read.

JupyterLab asks "Would you like to get notified about official Jupyter news?" over the lab on
first start; the wheel ships ``overrides.d/lnhet-widgets.json`` into the environment's app
settings, which turns the news feed and the update check off for every user of it.
"""

import json
import os
from pathlib import Path

import pytest

tomllib = pytest.importorskip("tomllib")
ROOT = Path(__file__).resolve().parents[1]
SOURCE = "jupyter-settings/overrides.d/lnhet-widgets.json"
NOTIFICATION = "@jupyterlab/apputils-extension:notification"


def test_the_wheel_installs_the_overrides_where_jupyterlab_reads_them():
    wheel = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))[
        "tool"]["hatch"]["build"]["targets"]["wheel"]
    target = wheel["shared-data"][SOURCE]
    assert target == "share/jupyter/lab/settings/overrides.d/lnhet-widgets.json"


def test_the_overrides_turn_off_news_and_update_checks():
    overrides = json.loads((ROOT / SOURCE).read_text(encoding="utf-8"))
    assert overrides[NOTIFICATION] == {"fetchNews": "false", "checkForUpdates": False}


def test_jupyterlab_in_this_environment_applies_them():
    from jupyterlab.commands import get_app_dir
    from jupyterlab_server.settings_utils import _get_overrides

    overrides, error = _get_overrides(os.path.join(get_app_dir(), "settings"))
    assert error == ""
    assert overrides[NOTIFICATION]["fetchNews"] == "false"
    assert overrides[NOTIFICATION]["checkForUpdates"] is False


PAGE_CONFIG = "jupyter-settings/labconfig/page_config.d/lnhet-widgets.json"


def test_the_wheel_switches_off_the_welcome_tour_prompt():
    # jupyterlab-tour's default tours toast "Try the Welcome Tour" over a first visit.
    wheel = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))[
        "tool"]["hatch"]["build"]["targets"]["wheel"]
    assert wheel["shared-data"][PAGE_CONFIG] == (
        "etc/jupyter/labconfig/page_config.d/lnhet-widgets.json")
    disabled = json.loads((ROOT / PAGE_CONFIG).read_text(encoding="utf-8"))["disabledExtensions"]
    assert disabled == {"jupyterlab-tour:default-tours": True}


def test_jupyterlab_in_this_environment_disables_the_default_tours():
    from jupyter_core.paths import jupyter_path
    from jupyterlab_server.config import get_page_config

    config = get_page_config(jupyter_path("labextensions"))
    assert "jupyterlab-tour:default-tours" in config["disabledExtensions"]
