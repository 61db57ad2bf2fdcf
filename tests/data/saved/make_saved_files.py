"""Write one saved JSON file of every result type and every lab into this folder.

The files were written by the code of 2026-12-04 (before the core moved into domain
packages) and are kept unchanged: ``tests/test_saved_files.py`` loads them with today's code,
so a file a user saved with an older version keeps loading. Rerun this only to add a type:
``python tests/data/saved/make_saved_files.py``.
"""

import json
from pathlib import Path

import numpy as np

from lnhet_widgets import core
from lnhet_widgets.io import read_table
from lnhet_widgets.widgets import AnalysisLab, AnnealingLab, GrowthLab, MismatchLab, TransferLab
from lnhet_widgets.widgets.labs.analysis_outcomes import xrd_outcome

HERE = Path(__file__).parent


def results():
    """(file stem, result) for every result dataclass of the core."""
    t = np.linspace(0.0, 50.0, 150)
    rng = np.random.default_rng(0)
    y = 1000 * (0.6 * np.exp(-t / 3) + 0.4 * np.exp(-t / 15)) + 5
    y = rng.poisson(y).astype(float)
    fit = core.fit_decay(t, y, n_exp=2)
    design = core.Heterostructure(core_diameter_nm=3.7, shell_edge_nm=9.5)
    haadf = design.haadf(pixel_nm=0.4)
    two_theta = np.linspace(10, 60, 2001)
    _, pattern = core.powder_pattern("CsPbBr3", two_theta)
    energy = np.linspace(2.2, 2.8, 300)
    yield "DecayFit", fit
    from scipy.stats import exponnorm

    t_ns = np.arange(200) * 0.05
    irf = np.exp(-0.5 * ((t_ns - 2.0) / 0.1) ** 2)
    tcspc = rng.poisson(1e4 * exponnorm.pdf(t_ns, 15.0, loc=2.0, scale=0.1) + 2)
    yield "ReconvolutionFit", core.fit_decay(t_ns, tcspc, irf=irf)
    yield "DecayModelComparison", core.compare_decay_models(t, y, max_exp=2)
    rise_t = np.linspace(0, 200, 150)
    rise_y = 100 * (np.exp(-rise_t / 60) - np.exp(-rise_t / 8)) + rng.normal(0, 0.5, rise_t.size)
    yield "RiseDecayFit", core.fit_rise_decay(rise_t, rise_y)
    yield "TauAvgBootstrap", core.bootstrap_tau_avg(fit, n_resamples=20)
    yield "TaucFit", core.tauc_gap(energy, core.absorption_spectrum(energy, gap_ev=2.42))
    yield "EcpResult", core.ecp([0.5, 1, 2, 4, 8], [508.0, 508.2, 509.5, 511.0, 514.0])
    yield "XrdPeaks", core.find_xrd_peaks(two_theta, pattern)
    yield "LatticeFit", core.lattice_constant([15.2, 21.6, 30.7], [(1, 0, 0), (1, 1, 0), (2, 0, 0)])
    yield "SizeStatistics", core.size_statistics(rng.normal(9.5, 1.0, 200))
    yield "LineProfile", core.line_profile(haadf.image, (0.5, 0.5), (6.0, 6.0),
                                              pixel_size_nm=0.4)
    yield "HaadfImage", haadf
    yield "CoreShellStrain", core.coreshell_strain(2.45, 4.75, misfit=0.05)
    yield "Reflections", core.reflections("CsPbBr3")
    yield "DilutionSeries", core.dilution_series([0.1, 10], gap_ev=2.42)
    yield "XrdPattern", design.xrd(np.linspace(10, 40, 301), method="bulk")
    yield "GrowthResult", core.simulate_growth(core.GrowthParams(), seed=0)
    yield "CoatingMap", core.coating_map([4.0, 9.0], [200.0, 220.0])
    anneal_params = core.AnnealParams()
    yield "AnnealResult", core.anneal(anneal_params, steps=20, snapshots=(20,), seed=0)
    yield "AnnealOptics", design.anneal_optics(steps=20, seeds=range(1))
    params = core.TransferParams()
    yield "TransferResult", core.steady_state(params, excitation_nm=980.0, power_w_cm2=2.0)
    bleach = core.BleachParams()
    yield "BleachResult", core.bleach_kinetics(bleach, fluence_uj_cm2=6.1)
    yield "FluenceSeries", core.fluence_series(bleach, [6.1, 12.2])
    yield "XrdAnalysis", xrd_outcome(two_theta, pattern, window=None, min_prominence=0.05,
                                          wavelength_a=1.5406, system="cubic",
                                          hkl_by_angle={15.2: "100", 21.6: "110"}).result
    yield "MeasuredTable", read_table(b"t,y\n0,1\n1,0.5\n")


def labs():
    """(file stem, lab) for every lab."""
    yield "MismatchLab", MismatchLab()
    yield "GrowthLab", GrowthLab()
    yield "AnnealingLab", AnnealingLab()
    yield "TransferLab", TransferLab()
    yield "AnalysisLab", AnalysisLab()


def params():
    """(file stem, params) whose ``to_dict`` a user may have saved."""
    yield "GrowthParams", core.GrowthParams()
    yield "AnnealParams", core.AnnealParams()
    yield "BleachParams", core.BleachParams()


def main():
    for stem, result in results():
        result.to_json(HERE / f"{stem}.json")
    for stem, lab in labs():
        lab.save(HERE / f"{stem}.lab.json")
    for stem, p in params():
        (HERE / f"{stem}.params.json").write_text(json.dumps(p.to_dict()), encoding="utf-8")


if __name__ == "__main__":
    main()
