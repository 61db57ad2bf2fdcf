"""Python-side widget tests: build each lab, change controls, check results and plot data."""

import dataclasses

import numpy as np
import pytest

from lnhet_widgets.widgets import MismatchLab, MismatchParams, ParameterPanel, Quiz, StructureView
from lnhet_widgets.widgets.parts._pdb import atoms_to_pdb


@pytest.fixture(scope="module")
def lab():
    return MismatchLab()


def test_lab_starts_with_p1_numbers(lab):
    r = lab.result
    assert round(100 * r.misfit_25c["CsPbBr3"], 1) == 7.8
    assert round(100 * r.misfit_25c["CsPbCl3"], 1) == 2.9
    assert round(100 * r.misfit_25c["CsPbI3"], 1) == 13.8
    assert r.forms_shell == {"CsPbCl3": True, "CsPbBr3": True, "CsPbI3": False}
    assert [v["label"] for v in lab.gauge.values] == ["CsPbBr3", "CsPbCl3", "CsPbI3"]
    assert lab.status.kind in ("ok", "info")


def test_plots_have_data(lab):
    assert lab._strain_marks["w_el"].y.size == 61
    assert np.all(np.diff(lab._strain_marks["w_el"].y) > 0)
    assert lab._xrd_marks["core (bulk)"].y.max() == pytest.approx(100)
    assert lab.structure.n_drawn > 0


def test_debye_pattern_on_demand(lab):
    assert lab.result.heterostructure_pattern is None
    lab._debye_button.click()
    hetero = lab._xrd_marks["heterostructure (Debye)"].y
    assert hetero.size == lab._xrd_marks["shell (bulk)"].y.size
    assert hetero.max() == pytest.approx(100)
    assert lab._debye_button.disabled


def test_control_change_recomputes(lab):
    before = lab.result
    lab.panel.controls["temperature_c"].value = 25.0  # no running loop: applied at once
    assert lab.result is not before
    assert lab.result.params.temperature_c == 25.0
    assert lab.result.misfit_at_t["CsPbBr3"] == pytest.approx(lab.result.misfit_25c["CsPbBr3"])
    lab.panel.controls["temperature_c"].value = 220.0


def test_switching_core_offers_hexagonal_planes(lab):
    lab.panel.controls["core"].value = "beta-NaGdF4"
    assert lab.panel.controls["core_plane"].options == ("(0001)", "(10-10)", "(11-20)")
    assert lab.result.params.core == "beta-NaGdF4"
    assert "<table" in lab.matches_table.value or "No coherent cell" in lab.matches_table.value
    lab.params = MismatchParams()
    assert lab.panel.controls["core"].value == "alpha-NaYF4"


def test_structure_rebuilt_only_when_geometry_changes(lab):
    atoms = lab.result.atoms
    lab.params = dataclasses.replace(lab.params, max_strain=0.1)
    assert lab.result.atoms is atoms
    lab.params = dataclasses.replace(lab.params, edge_nm=9.0)
    assert lab.result.atoms is not atoms
    lab.params = MismatchParams()


def test_bad_input_shows_message_and_keeps_last_result(lab):
    good = lab.result
    lab.panel.controls["edge_nm"].value = 4.0  # smaller than the 4.9 nm core
    assert lab.status.kind == "error"
    assert "edge_nm" in lab.status.message and "nm" in lab.status.message
    assert lab.result is good
    lab.panel.controls["edge_nm"].value = 10.4
    assert lab.status.kind != "error"


def test_params_validation_names_field_unit_and_range():
    with pytest.raises(ValueError, match=r"temperature_c = 500.*°C.*\[20, 400\]"):
        MismatchParams(temperature_c=500)
    with pytest.raises(ValueError, match="core_plane"):
        MismatchParams(core="beta-NaGdF4", core_plane="(100)")


def test_parameter_panel_round_trip():
    panel = ParameterPanel(MismatchParams())
    panel.controls["core_diameter_nm"].value = 3.7
    assert panel.read().core_diameter_nm == 3.7
    panel.show(MismatchParams(shell="CsPbCl3"))
    assert panel.controls["shell"].value == "CsPbCl3"


def test_structure_view_cutaway_and_hide_shell():
    from lnhet_widgets.core.crystal import build_heterostructure

    atoms = build_heterostructure("alpha-NaYF4", 3.0, "CsPbBr3", 6.0, misfit=0.0)
    view = StructureView(atoms)
    n_core = int((atoms.arrays["region"] == "core").sum())
    assert n_core < view.n_drawn < len(atoms)
    view._cutaway.value = False
    assert view.n_drawn == len(atoms)
    view._hide_shell.value = True
    assert view.n_drawn == n_core
    with pytest.raises(ValueError, match="non-empty"):
        view.set_atoms(atoms[:0])


def test_nglview_requests_installed_front_end():
    import nglview

    from lnhet_widgets._nglview_compat import installed_frontend_version

    view = StructureView()
    assert view.view._view_module_version == installed_frontend_version()
    assert nglview.color.ColormakerRegistry._model_module_version == installed_frontend_version()


def test_pdb_records_are_fixed_width():
    from ase.build import bulk

    lines = atoms_to_pdb(bulk("NaCl", "rocksalt", 5.64).repeat(2)).splitlines()
    assert lines[-1] == "END"
    assert {len(line) for line in lines[:-1]} == {78}
    assert lines[0][30:38].strip() == "0.000"


def _pdb_by_fstrings(atoms) -> str:
    """The PDB records written the obvious way, one f-string per atom: the reference."""
    regions = atoms.arrays.get("region", np.full(len(atoms), "core"))
    rows = zip(atoms.get_chemical_symbols(), regions.tolist(), atoms.positions.tolist(),
               strict=True)
    return "\n".join(
        f"HETATM{(i + 1) % 100000:5d}  {el:<3} MOL {'S' if region == 'shell' else 'C'}   1    "
        f"{x:8.3f}{y:8.3f}{z:8.3f}  1.00  0.00          {el:>2}"
        for i, (el, region, (x, y, z)) in enumerate(rows)) + "\nEND\n"


def test_pdb_records_equal_formatted_ones_column_for_column():
    from ase import Atoms

    rng = np.random.default_rng(7)
    n = 100_123  # serial numbers wrap at 100000
    scale = rng.choice([300.0, 1.0, 1e-3, 1e-4], size=(n, 3))
    # Whole ten-thousandths avoid exact ties of "%.3f", where binary rounding decides.
    positions = np.round(rng.uniform(-1, 1, (n, 3)) * scale, 4) + 1e-7
    positions[:4] = [[0.0, -0.0, -1e-4], [999.999, -999.999, 12.5], [-0.5, 5.0, 50.0],
                     [-1e-9, 1e-9, 0.0]]
    atoms = Atoms(numbers=rng.choice([9, 11, 35, 55, 64, 82], n), positions=positions)
    atoms.arrays["region"] = rng.choice(np.array(["core", "shell"]), n)
    assert atoms_to_pdb(atoms) == _pdb_by_fstrings(atoms)


def test_pdb_refuses_coordinates_it_cannot_write():
    from ase import Atoms

    with pytest.raises(ValueError, match=r"999\.999 Å"):
        atoms_to_pdb(Atoms("H2", positions=[[0, 0, 0], [0, 0, -1000.0]]))


def test_quiz_feedback():
    quiz = Quiz("2 + 2?", ["3", "4"], 1, "arithmetic")
    assert not quiz.choose(0)
    assert "Not quite" in quiz.feedback.value
    assert quiz.choose(1)
    assert "arithmetic" in quiz.feedback.value
    with pytest.raises(ValueError, match="answer"):
        Quiz("?", ["a"], 3, "")


def test_structure_view_resizes_when_its_tab_opens():
    import ipywidgets as widgets

    view = StructureView()
    resized = []
    view.handle_resize = lambda: resized.append(True)
    tabs = widgets.Tab(children=[widgets.HTML("first"), view])
    view.watch(tabs)
    tabs.selected_index = 1
    assert resized == [True]


def _references_to_closed_widgets() -> list[str]:
    """Open widgets whose synced traits name a widget that was closed.

    Voila restores every open model of the kernel when a page loads; one such dangling
    reference leaves the whole page at "Loading widget...".
    """
    from ipywidgets import Widget
    from ipywidgets.widgets.widget import _instances

    found = []
    for owner in list(_instances.values()):
        for name in owner.keys:
            value = getattr(owner, name, None)
            for item in value if isinstance(value, (list, tuple)) else (value,):
                if isinstance(item, Widget) and item.comm is None:
                    found.append(f"{type(owner).__name__}.{name} -> {type(item).__name__}")
    return found


def test_rebuilt_structure_view_leaves_no_links_to_its_old_view():
    from lnhet_widgets.core.crystal import build_heterostructure

    view = StructureView()
    for edge_nm in (6.0, 7.0, 8.0):
        view.set_atoms(build_heterostructure("alpha-NaYF4", 3.0, "CsPbBr3", edge_nm))
    view._cutaway.value = False
    assert _references_to_closed_widgets() == []


def test_lab_rebuilds_leave_no_references_to_closed_widgets(lab):
    lab.params = dataclasses.replace(lab.params, edge_nm=9.0)
    lab.params = MismatchParams()
    assert _references_to_closed_widgets() == []
