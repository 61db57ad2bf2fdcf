"""The models run on a design: the methods of
:class:`~lnhet_widgets.core.heterostructure.Heterostructure` that call growth, annealing,
optics, strain, the builder and what the instruments see, each result kept in the shared store.

Each method maps the design onto one model's params (the mapping and the choices behind it are
in :mod:`~lnhet_widgets.core.heterostructure.design`) and calls that model.
"""

from __future__ import annotations

import types
from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np

from .._base.validate import check_range
from ..annealing import AnnealResult, anneal, ensemble_optical
from ..conditions import P1_UC_POWER_W_CM2, P2_POWER_W_CM2
from ..crystal import (
    CU_KALPHA1_A,
    CoreShellStrain,
    HaadfImage,
    build_heterostructure,
    coreshell_strain,
    debye_pattern,
    eds_maps,
    effective_misfit,
    get_material,
    haadf_image,
    misfit,
    powder_pattern,
)
from ..crystal.builder import _CUBE_TO_SPHERE
from ..growth import CoatingMap, GrowthResult, coating_map, core_wetting, simulate_growth
from ..optics import (
    Pulse,
    Sample,
    TransferResult,
    dynamics,
    power_dependence,
    steady_state,
    yb_lifetime_us,
)
from ._cache import _cached, cache_clear, cache_info
from .xrd_pattern import XrdPattern

if TYPE_CHECKING:
    from .design import Heterostructure

_P2_SNAPSHOTS = (0, 100, 500, 1000)
_DEFAULT_TWO_THETA = np.linspace(10.0, 80.0, 1401)
_XRD_METHODS = ("debye", "bulk")


class _ModelRuns:
    """The model-calling methods of :class:`~lnhet_widgets.core.heterostructure.Heterostructure`,
    which mixes them in; they read the design's fields and its ``growth_params``,
    ``transfer_params`` and ``anneal_params``."""

    # --- growth (SCIENCE §4) --------------------------------------------------------------

    @_cached
    def grow(self, seed: int = 0, **overrides) -> GrowthResult:
        """One simulated hot-injection reaction of the design
        (:func:`~lnhet_widgets.core.growth.simulate_growth`).

        Parameters
        ----------
        seed : int
            Seed of the core sizes and every stochastic event.
        **overrides
            :class:`~lnhet_widgets.core.growth.GrowthParams` fields the design does not set,
            e.g. ``simulated_cores=300`` or a model constant.
        """
        return simulate_growth(self.growth_params(**overrides), seed=seed)

    def coated_fraction(self, seed: int = 0, **overrides) -> float:
        """Will the cores be coated? The share of the design's cores that end inside a
        heterostructure in the reaction of :meth:`grow` (same arguments)."""
        return self.grow(seed, **overrides).coated_fraction

    def wetting(self, **overrides) -> tuple[float, float]:
        """Young's wetting m of the shell on a core of the mean diameter at the injection
        temperature, and the areal strain energy w_el (J/m²) that lowers it
        (:func:`~lnhet_widgets.core.growth.core_wetting`). m near 1 wets; m ≤ 0 does not."""
        m, w_el = core_wetting(self.core_diameter_nm, self.growth_params(**overrides))
        return float(m), float(w_el)

    @_cached
    def coating_map(self, core_diameters_nm, temperatures_c, seed: int = 0,
                    **overrides) -> CoatingMap:
        """Coated fraction of the design's recipe over core diameter × temperature
        (:func:`~lnhet_widgets.core.growth.coating_map`, cells in parallel threads)."""
        return coating_map(core_diameters_nm, temperatures_c, self.growth_params(**overrides),
                           seed=seed)

    def as_grown(self, seed: int = 0, **overrides) -> Heterostructure:
        """The design with ``shell_edge_nm`` set to the mean edge of the heterostructures
        that :meth:`grow` makes (same arguments).

        Raises
        ------
        ValueError
            If the simulated reaction coats no core.

        Examples
        --------
        >>> from lnhet_widgets.core.heterostructure import Heterostructure
        >>> hs = Heterostructure(core_diameter_nm=3.7, core_diameter_sd_nm=0.3)
        >>> 8.0 < hs.as_grown(simulated_cores=300).shell_edge_nm < 12.0
        True
        """
        result = self.grow(seed, **overrides)
        if result.edge_lengths_nm.size == 0:
            raise ValueError(f"the reaction coats none of the {self.core_diameter_nm:g} nm cores "
                             f"at {self.temperature_c:g} °C (coated fraction 0): no edge to "
                             "take; set shell_edge_nm yourself")
        return self.with_(shell_edge_nm=float(result.edge_lengths_nm.mean()))

    @_cached
    def sample(self, seed: int = 0, **overrides) -> Sample:
        """What the reaction of :meth:`grow` makes, as a mixture of particle classes for the
        optics — heterostructures, bare cores and free perovskite crystals, per core
        (:meth:`~lnhet_widgets.core.optics.Sample.from_growth` with the design's
        composition and rate constants)."""
        return Sample.from_growth(self.grow(seed, **overrides),
                                  lanthanide=self.transfer_params())

    # --- annealing (SCIENCE §5) -----------------------------------------------------------

    @_cached
    def anneal(self, *, steps: int = 1000, complex: str | None = None, snapshots=None,
               seed: int = 0, **overrides) -> AnnealResult:
        """P2's anneal of the design's lanthanide particle
        (:func:`~lnhet_widgets.core.annealing.anneal`).

        Parameters
        ----------
        steps : int
            MC steps (1000 ≈ P2's hour at 300 °C).
        complex : {None, "Y", "Gd"}
            Ion of the docking complexes; None anneals without.
        snapshots : sequence of int, optional
            Steps to record; default P2's 0, 100, 500, 1000 up to ``steps``, and ``steps``.
        seed : int
        **overrides
            :class:`~lnhet_widgets.core.annealing.AnnealParams` fields the design does not
            set, e.g. ``shell_thickness_nm=2.0`` or the anneal's ``temperature_c``.
        """
        params = self.anneal_params(complex=complex, **overrides)
        steps = int(check_range("steps", steps, "MC steps", 0, 1_000_000))
        if snapshots is None:
            snapshots = [s for s in _P2_SNAPSHOTS if s <= steps] + [steps]
        return anneal(params, steps=steps, snapshots=snapshots, seed=seed)

    @_cached
    def anneal_optics(self, *, steps: int = 1000, complex: str | None = None, seeds=range(4),
                      snapshot: int = -1, power_w_cm2: float = P2_POWER_W_CM2,
                      **overrides):
        """Emission under 980 nm of annealed particles of the design, averaged over one
        particle per seed (:func:`~lnhet_widgets.core.annealing.ensemble_optical`); returns
        an :class:`~lnhet_widgets.core.annealing.AnnealOptics`. ``snapshot=0`` gives the
        pristine particles."""
        return ensemble_optical(self.anneal_params(complex=complex, **overrides), steps=steps,
                                seeds=seeds, snapshot=snapshot, power_w_cm2=power_w_cm2)

    # --- optics (SCIENCE §6–§7) -----------------------------------------------------------

    @_cached
    def spectrum(self, excitation_nm: float = 980.0, power_w_cm2: float = P1_UC_POWER_W_CM2,
                 **overrides) -> TransferResult:
        """Steady-state emission of one heterostructure under continuous excitation
        (:func:`~lnhet_widgets.core.optics.steady_state`): ``.lines`` per wavelength,
        ``.spectrum(wavelength_nm)`` on a grid, ``.quantum_yield(...)``.

        Parameters
        ----------
        excitation_nm : {980, 365, 400}
        power_w_cm2 : float
        **overrides
            :class:`~lnhet_widgets.core.optics.TransferParams` fields the design does not
            set (rate constants, ``contact_factor``).
        """
        return steady_state(self.transfer_params(**overrides), excitation_nm=excitation_nm,
                            power_w_cm2=power_w_cm2)

    @_cached
    def decay(self, excitation_nm: float = 980.0, power_w_cm2: float = P1_UC_POWER_W_CM2, *,
              pulse_s: float = 10e-6, t_end_s: float = 1e-3, n_points: int = 601,
              **overrides) -> TransferResult:
        """Populations and emission after a rectangular pulse from t = 0
        (:func:`~lnhet_widgets.core.optics.dynamics`) on ``n_points`` times from 0 to
        ``t_end_s``; ``.lines[nm]`` is each line's decay. The defaults are TransferLab's
        (10 µs pulse, 1 ms window, 601 points)."""
        check_range("t_end_s", t_end_s, "s", 0.0, 10.0, low_inclusive=False)
        n = int(check_range("n_points", n_points, "", 2, 100_000))
        return dynamics(self.transfer_params(**overrides),
                        pulse=Pulse(excitation_nm, power_w_cm2, pulse_s),
                        t_eval=np.linspace(0.0, t_end_s, n))

    @_cached
    def power_dependence(self, powers_w_cm2=None, excitation_nm: float = 980.0,
                         **overrides) -> TransferResult:
        """Steady states over a power sweep (:func:`~lnhet_widgets.core.optics.power_dependence`);
        default TransferLab's 25 powers from 0.1 to 1e5 W cm⁻²."""
        powers = np.logspace(-1.0, 5.0, 25) if powers_w_cm2 is None else powers_w_cm2
        return power_dependence(self.transfer_params(**overrides), powers,
                                excitation_nm=excitation_nm)

    @_cached
    def yb_lifetime_us(self, **overrides) -> float:
        """Yb³⁺ 980 nm lifetime after a weak pulse, µs
        (:func:`~lnhet_widgets.core.optics.yb_lifetime_us`)."""
        return yb_lifetime_us(self.transfer_params(**overrides))

    # --- mismatch and strain (SCIENCE §2–§3) ----------------------------------------------

    def misfit(self, *, temperature_c: float | None = None, effective: bool = True) -> float:
        """Misfit of the shell on the core at ``temperature_c`` (default the injection
        temperature): the effective misfit f_eff that the growth model uses
        (:func:`~lnhet_widgets.core.crystal.effective_misfit`), or with ``effective=False``
        the signed a-axis misfit (:func:`~lnhet_widgets.core.crystal.misfit`)."""
        temperature = self.temperature_c if temperature_c is None else temperature_c
        if effective:
            return effective_misfit(self.core, self.shell, temperature_c=temperature)
        return misfit(self.core, self.shell, temperature_c=temperature)

    @_cached
    def strain(self, *, temperature_c: float = 25.0, n_points: int = 200) -> CoreShellStrain:
        """Coherent strain of the particle (:func:`~lnhet_widgets.core.crystal.coreshell_strain`)
        as the atomistic builder applies it: the cube as the sphere of equal volume, the
        effective misfit at ``temperature_c`` with the shell compressed onto the core, the
        moduli of the two phases."""
        core, shell = get_material(self.core), get_material(self.shell)
        return coreshell_strain(self.core_diameter_nm / 2, self.shell_edge_nm * _CUBE_TO_SPHERE,
                                self.misfit(temperature_c=temperature_c),
                                core_bulk_gpa=core.bulk_gpa, shell_bulk_gpa=shell.bulk_gpa,
                                shell_shear_gpa=shell.shear_gpa, n_points=n_points)

    # --- atoms and what the instruments see (SCIENCE §9) ----------------------------------

    @_cached
    def _structure(self, seed: int, strain: bool, n_cores: int):
        return build_heterostructure(self.core, self.core_diameter_nm, self.shell,
                                     self.shell_edge_nm, dopants=dict(self.dopants),
                                     n_cores=n_cores, strain=strain, seed=seed)

    def atoms(self, *, seed: int = 0, strain: bool = True, n_cores: int = 1):
        """The atomistic particle as ``ase.Atoms``
        (:func:`~lnhet_widgets.core.crystal.build_heterostructure`): ``n_cores`` cores of the
        mean diameter in the cube, dopants placed with ``seed``. Returns a copy of the cached
        structure, free to modify.

        Examples
        --------
        >>> from lnhet_widgets.core.heterostructure import Heterostructure
        >>> atoms = Heterostructure(core_diameter_nm=3.0, shell_edge_nm=5.0).atoms()
        >>> sorted(set(atoms.arrays["region"].tolist())), atoms.info["n_cores"]
        (['core', 'shell'], 1)
        """
        return self._structure(seed, strain, n_cores).copy()

    @_cached
    def xrd(self, two_theta_deg=None, *, method: str = "debye",
            wavelength_a: float = CU_KALPHA1_A, seed: int = 0, strain: bool = True,
            n_cores: int = 1, **options) -> XrdPattern:
        """Powder XRD of the design on ``two_theta_deg`` (default 10–80° in 0.05° steps).

        ``method="debye"`` scatters from the atoms of :meth:`atoms` by the Debye equation
        (:func:`~lnhet_widgets.core.crystal.debye_pattern`: size broadening, both phases and the
        shell's strain shift; tens of seconds for a 17 nm particle). ``method="bulk"`` gives
        the bulk patterns of the doped core phase and of the shell phase for phase
        identification (:func:`~lnhet_widgets.core.crystal.powder_pattern`). ``options`` go to
        that function (e.g. ``bin_width_a``, ``damping_a2``; ``fwhm_deg`` for bulk).
        """
        if method not in _XRD_METHODS:
            raise ValueError(f"method must be one of {_XRD_METHODS}, got {method!r}")
        grid = _DEFAULT_TWO_THETA if two_theta_deg is None else two_theta_deg
        if method == "debye":
            atoms = self._structure(seed, strain, n_cores)
            tt = np.array(grid, dtype=float, ndmin=1)
            rows = [debye_pattern(atoms, tt, wavelength_a=wavelength_a, **options)]
            labels = ("heterostructure",)
        else:
            tt, core = powder_pattern(self.core, grid, wavelength_a=wavelength_a,
                                      dopants=dict(self.dopants), **options)
            _, shell = powder_pattern(self.shell, grid, wavelength_a=wavelength_a, **options)
            rows, labels = [core, shell], (self.core, self.shell)
        return XrdPattern(two_theta_deg=tt, intensity=np.array(rows), labels=labels,
                          method=method, wavelength_a=float(wavelength_a))

    @_cached
    def haadf(self, *, axis: str = "z", pixel_nm: float = 0.05, probe_fwhm_nm: float = 0.12,
              z_exponent: float = 1.7, margin_nm: float = 0.5, seed: int = 0,
              strain: bool = True, n_cores: int = 1) -> HaadfImage:
        """HAADF-STEM image of the particle of :meth:`atoms`
        (:func:`~lnhet_widgets.core.crystal.haadf_image`); ``.line_profile(...)`` reads across
        it as in P1 Fig. 1c."""
        return haadf_image(self._structure(seed, strain, n_cores), axis=axis, pixel_nm=pixel_nm,
                           probe_fwhm_nm=probe_fwhm_nm, z_exponent=z_exponent,
                           margin_nm=margin_nm)

    @_cached
    def eds(self, elements=None, *, axis: str = "z", pixel_nm: float = 0.2,
            probe_fwhm_nm: float = 0.5, margin_nm: float = 0.5, seed: int = 0,
            strain: bool = True, n_cores: int = 1) -> Mapping:
        """EDS maps of the particle of :meth:`atoms` (:func:`~lnhet_widgets.core.crystal.eds_maps`),
        element → map, a read-only mapping; default every element present."""
        atoms = self._structure(seed, strain, n_cores)
        chosen = sorted(set(atoms.get_chemical_symbols())) if elements is None else elements
        return types.MappingProxyType(eds_maps(atoms, chosen, axis=axis, pixel_nm=pixel_nm,
                                               probe_fwhm_nm=probe_fwhm_nm,
                                               margin_nm=margin_nm))

    # --- the cache ------------------------------------------------------------------------

    cache_info = staticmethod(cache_info)
    cache_clear = staticmethod(cache_clear)
