"""TransferLab's "Ions" tab in a real JupyterLab: the per-ion particle draws in 3D (nglview,
coloured by each ion's emission) and its radial profile and the average model's line draw as
bqplot marks. Screenshot: ``test-artifacts/browser/ions-tab.png``."""

from __future__ import annotations

import nbformat
import pytest
from jupyter_harness import (
    ARTIFACTS_DIR,
    assert_bqplot_marks,
    assert_nglview_drawn,
    run_notebook_in_lab,
    save_notebook_screenshot,
)

pytestmark = pytest.mark.browser

_CELLS = (
    "from lnhet_widgets.widgets import TransferLab",
    # The tab is opened from the kernel, as a click on it does: the per-ion model is solved
    # then, and the view is drawn into the visible tab.
    "lab = TransferLab(sample='bare LnNPs')\nlab.tabs.selected_index = 5\nlab",
)


def test_the_ions_tab_draws_the_particle_and_its_profile(notebook_page, jupyter_server):
    directory = ARTIFACTS_DIR / "ions"
    directory.mkdir(parents=True, exist_ok=True)
    notebook = nbformat.v4.new_notebook(metadata={"kernelspec": {
        "name": "python3", "display_name": "Python 3", "language": "python"}})
    notebook.cells = [nbformat.v4.new_code_cell(source) for source in _CELLS]
    nbformat.write(notebook, directory / "ions_tab.ipynb")

    report = run_notebook_in_lab(notebook_page, jupyter_server.base_url,
                                 "test-artifacts/browser/ions/ions_tab.ipynb", timeout_s=180,
                                 expect_view=True)
    assert not report.problems(), report.summary()
    assert_nglview_drawn(notebook_page, name="ions-tab")
    # The profile and the average model's line (the hidden tabs hold no figure).
    assert assert_bqplot_marks(notebook_page, 2, name="ions-tab") >= 2
    save_notebook_screenshot(notebook_page, "ions-tab")
