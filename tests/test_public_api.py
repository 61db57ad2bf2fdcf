"""The public API: ``lnhet_widgets.core`` and ``lnhet_widgets.widgets`` export exactly these names.

A name leaves or joins the API only by changing this list, so a reorganisation of the modules
behind the two namespaces cannot drop one by accident.
"""

import importlib

import pytest

CORE_NAMES = (
    "AnnealOptics", "AnnealParams", "AnnealResult", "BleachParams", "BleachResult",
    "CoatingMap", "DecayFit", "EnergyTransfer", "FluenceSeries", "GrowthParams",
    "GrowthResult", "Heterostructure", "IonSites", "Material", "P1_SAMPLES", "Pulse", "Sample",
    "TransferParams", "TransferResult", "XrdPattern", "absorption_spectrum", "anneal",
    "bleach_kinetics", "bootstrap_tau_avg", "bragg_d_spacing", "build_heterostructure", "bulk",
    "coating_map", "coincidence_matches", "compare_decay_models", "confinement_energy_ev",
    "confinement_mass_me", "coreshell_strain", "critical_radius_nm", "debye_pattern",
    "dilution_series", "dispersion_absorbance", "dynamics", "ecp", "eds_maps",
    "effective_misfit", "exciton_gap_ev", "find_xrd_peaks", "fit_decay", "fit_rise_decay",
    "fletcher_factor", "fluence_series", "get_material", "haadf_image",
    "homogeneous_barrier_kt", "homogeneous_rate_m3_s", "lattice_constant", "line_profile",
    "list_materials", "load_cif", "load_image", "misfit", "mixture_spectrum",
    "octahedral_factor", "perovskite_stability", "powder_pattern", "power_dependence",
    "read_simetuc_config", "reflections", "register_material", "scherrer_size",
    "simulate_growth", "size_statistics", "steady_state", "tauc_gap", "tolerance_factor",
    "yb_lifetime_us", "SWEEP_MODELS", "sweep",
    "IonLattice", "IonResult", "ion_dynamics", "read_simetuc_lattice", "solve_ions",
)

WIDGETS_NAMES = (
    "AnalysisLab", "AnnealingLab", "EnergyLevelDiagram", "GrowthLab", "LatticeSliceAnimation",
    "MismatchLab", "MismatchParams", "MismatchResult", "NumericQuiz", "ParameterPanel", "Quiz",
    "SavableLab",
    "SaveLoadBar", "StatusLine", "StructureView", "ToleranceGauge", "TransferLab",
    "check_exercise", "hidden_answer", "param",
)


@pytest.mark.parametrize(("module", "names"), [("lnhet_widgets.core", CORE_NAMES),
                                               ("lnhet_widgets.widgets", WIDGETS_NAMES)])
def test_namespace_exports_exactly_the_listed_names(module, names):
    namespace = importlib.import_module(module)
    assert sorted(namespace.__all__) == sorted(names)
    missing = [name for name in names if not hasattr(namespace, name)]
    assert not missing


def test_core_imports_no_widget_code():
    import subprocess
    import sys

    code = ("import sys, lnhet_widgets.core; "
            "print(sorted(m for m in sys.modules if m.startswith(('lnhet_widgets.widgets', "
            "'ipywidgets', 'bqplot', 'nglview', 'anywidget'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "[]"
