"""Run simetuc 1.8.2 on the bundled lattice and write its numbers to simetuc_reference.json.

Run with the Python of the venv that ../shared/tools/simetuc-venv.sh builds, from this folder:

    $(bash ../../../../shared/tools/simetuc-venv.sh)/bin/python run_simetuc.py [--new-lattice]

``--new-lattice`` draws a new random lattice first (simetuc seeds its doping from the OS, so
the bundled file is the one reference; don't redraw it without regenerating the numbers).
"""

import json
import sys
import time
import warnings
from importlib import metadata

import numpy as np
from simetuc import lattice, settings, simulations

LATTICE = "latticeData/bNaYF4/data_8uc_25.0S_2.0A.hdf5"


def load(name):
    cte = settings.load(name)
    cte["no_console"] = True
    cte["no_plot"] = True
    return cte


warnings.simplefilter("ignore")
if "--new-lattice" in sys.argv:
    lattice.generate(load("config_cw.cfg"), full_path=LATTICE)

out = {"simetuc_version": metadata.version("simetuc"), "lattice_file": LATTICE}
start = time.perf_counter()
steady = simulations.Simulations(load("config_cw.cfg"), full_path=LATTICE).simulate_steady_state()
out["steady_state"] = {
    "config": "config_cw.cfg",
    "seconds": time.perf_counter() - start,
    "labels": list(steady.state_labels),
    # simetuc's report: mean population per ion of the species x its concentration in %
    "steady_state_populations": [float(v) for v in steady.steady_state_populations],
    "mean_per_ion": [float(curve[-1]) for curve in steady.list_avg_data],
    "ions": {k: int(v) for k, v in steady.cte.ions.items()},
}
start = time.perf_counter()
decay = simulations.Simulations(load("config_pulse.cfg"), full_path=LATTICE).simulate_dynamics()
keep = np.unique(np.round(np.geomspace(1, len(decay.t_sol), 300)).astype(int) - 1)
out["dynamics"] = {
    "config": "config_pulse.cfg",
    "seconds": time.perf_counter() - start,
    "labels": list(decay.state_labels),
    "t_pulse_s": 1e-8,
    "time_s": [float(t) for t in decay.t_sol[keep]],
    # mean population per ion of the species, time after the end of the pulse
    "mean_per_ion": [[float(v) for v in curve[keep]] for curve in decay.list_avg_data],
}
with open("simetuc_reference.json", "w") as f:
    json.dump(out, f, indent=1)
print(json.dumps(out["steady_state"], indent=1))
