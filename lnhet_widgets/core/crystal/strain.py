"""Coherent strain in a spherical core–shell particle: the isotropic Lamé solution (SCIENCE §3).

A core of radius a sits in a shell of outer radius b. The misfit is
``f = (a_shell − a_core) / a_core`` (the convention of :func:`~lnhet_widgets.core.crystal.misfit`).
The magnitude of the interface pressure is SCIENCE.md's

    |P| = |f| / ( 1/(3 K_c) + (a³/(3 K_s) + b³/(4 G_s)) / (b³ − a³) )

and this module carries its sign: ``pressure_gpa > 0`` compresses the core. A shell with the
larger lattice (``f > 0``, e.g. CsPbBr3 on NaYF4) pulls the core into tension (``P < 0``)
and is itself compressed tangentially near the interface — the compression that shifts the
CsPbBr3 (110) and (200) reflections to higher 2θ in P1. For b → ∞ the expression reduces to
Eshelby's misfitting sphere, P = 12 K_c G_s ε / (3 K_c + 4 G_s).

Stresses: σ_rr(r) = −P a³ (b³/r³ − 1)/(b³ − a³), σ_θθ(r) = P a³ (b³/(2r³) + 1)/(b³ − a³) in
the shell, −P (hydrostatic) in the core. Radial displacements relative to each phase's own
stress-free lattice:

    core:  u(r) = −P r / (3 K_c)
    shell: u(r) = P a³/(b³ − a³) · ( r/(3 K_s) + b³/(4 G_s r²) )

Stored energy E_el = 2π a³ |f P| and its areal density w_el = E_el/(4π a²), which grows
linearly with a: small cores can be overgrown, large ones cannot. Gong & Kelley
(J. Phys. Chem. Lett. 2015) place the limit for uniform CdSe/CdS shells near
0.6–0.85 eV nm⁻² (:data:`UNIFORM_SHELL_LIMIT_EV_NM2`).

Examples
--------
>>> s = coreshell_strain(2.0, 5.0, 0.078)
>>> round(s.pressure_gpa, 3), round(s.energy_density_ev_nm2, 3)
(-1.532, 0.746)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import constants

from .._base.results import ResultIO
from .._base.validate import check_range

__all__ = [
    "UNIFORM_SHELL_LIMIT_EV_NM2",
    "CoreShellStrain",
    "coreshell_strain",
    "shell_displacement_nm",
]

#: Gong & Kelley's range of areal strain energy above which uniform shells fail (eV nm⁻²).
UNIFORM_SHELL_LIMIT_EV_NM2 = (0.6, 0.85)

# 1 GPa · nm³ = 1e9 J m⁻³ · 1e-27 m³ = 1e-18 J.
_GPA_NM3_TO_EV = 1e-18 / constants.e


@dataclass(frozen=True)
class CoreShellStrain(ResultIO):
    """Result of :func:`coreshell_strain`.

    Attributes
    ----------
    core_radius_nm, outer_radius_nm, misfit : float
        The inputs.
    core_bulk_gpa, shell_bulk_gpa, shell_shear_gpa : float
        Moduli used.
    pressure_gpa : float
        Interface pressure, positive when it compresses the core.
    energy_ev : float
        Stored elastic energy of the particle.
    energy_density_ev_nm2 : float
        ``energy_ev`` per core surface area, w_el.
    r_nm : ndarray
        Radii of the profiles, core centre to outer surface.
    sigma_rr_gpa, sigma_tt_gpa : ndarray
        Radial and hoop stress at ``r_nm``.
    displacement_nm : ndarray
        Radial displacement at ``r_nm`` relative to each phase's stress-free lattice.
    """

    core_radius_nm: float
    outer_radius_nm: float
    misfit: float
    core_bulk_gpa: float
    shell_bulk_gpa: float
    shell_shear_gpa: float
    pressure_gpa: float
    energy_ev: float
    energy_density_ev_nm2: float
    r_nm: np.ndarray
    sigma_rr_gpa: np.ndarray
    sigma_tt_gpa: np.ndarray
    displacement_nm: np.ndarray

    @property
    def shell_hoop_strain_at_interface(self) -> float:
        """Tangential strain of the shell at r = a (negative: compressed)."""
        return float(self.displacement_nm[np.searchsorted(self.r_nm, self.core_radius_nm)]
                     / self.core_radius_nm)


def _compliance(a, b, core_bulk, shell_bulk, shell_shear):
    a3, b3 = a**3, b**3
    return 1.0 / (3 * core_bulk) + (a3 / (3 * shell_bulk) + b3 / (4 * shell_shear)) / (b3 - a3)


def shell_displacement_nm(r_nm, core_radius_nm, outer_radius_nm, pressure_gpa, *,
                          shell_bulk_gpa, shell_shear_gpa):
    """Radial displacement (nm) of shell material at ``r_nm`` ≥ a for a given interface pressure.

    Vectorised over ``r_nm``; used by the atomistic builder to compress the shell lattice.

    Examples
    --------
    >>> round(float(shell_displacement_nm(2.0, 2.0, 5.0, -1.0, shell_bulk_gpa=15.5,
    ...                                   shell_shear_gpa=5.9)), 4)
    -0.0935
    """
    a3, b3 = core_radius_nm**3, outer_radius_nm**3
    r = np.asarray(r_nm, dtype=float)
    return pressure_gpa * a3 / (b3 - a3) * (r / (3 * shell_bulk_gpa)
                                            + b3 / (4 * shell_shear_gpa * r**2))


def coreshell_strain(
    core_radius_nm: float,
    outer_radius_nm: float,
    misfit: float,
    *,
    core_bulk_gpa: float = 80.0,
    shell_bulk_gpa: float = 15.5,
    shell_shear_gpa: float = 5.9,
    n_points: int = 200,
) -> CoreShellStrain:
    """Stress, displacement and stored energy of a coherent spherical core–shell particle.

    Parameters
    ----------
    core_radius_nm : float
        Core radius a, in (0, 100] nm.
    outer_radius_nm : float
        Outer shell radius b, in nm; must exceed ``core_radius_nm``.
    misfit : float
        f = (a_shell − a_core)/a_core, in [−0.3, 0.3].
    core_bulk_gpa, shell_bulk_gpa, shell_shear_gpa : float
        Moduli in GPa. Defaults: NaREF4 core (80 GPa, a CaF2-like estimate) and CsPbBr3 shell
        (K 15.5 GPa, G 5.9 GPa derived from E 15.8 GPa).
    n_points : int
        Points of the radial profiles.

    Returns
    -------
    CoreShellStrain

    Examples
    --------
    >>> thick = coreshell_strain(1.0, 1000.0, 0.01, core_bulk_gpa=80, shell_shear_gpa=5.9)
    >>> eshelby = -12 * 80 * 5.9 * 0.01 / (3 * 80 + 4 * 5.9)
    >>> abs(thick.pressure_gpa - eshelby) < 1e-6
    True
    """
    a = check_range("core_radius_nm", core_radius_nm, "nm", 0.0, 100.0, low_inclusive=False)
    b = check_range("outer_radius_nm", outer_radius_nm, "nm", a, 1e4, low_inclusive=False)
    f = check_range("misfit", misfit, "", -0.3, 0.3)
    kc = check_range("core_bulk_gpa", core_bulk_gpa, "GPa", 0.0, 1000.0, low_inclusive=False)
    ks = check_range("shell_bulk_gpa", shell_bulk_gpa, "GPa", 0.0, 1000.0, low_inclusive=False)
    gs = check_range("shell_shear_gpa", shell_shear_gpa, "GPa", 0.0, 1000.0, low_inclusive=False)
    n = int(check_range("n_points", n_points, "", 3, 100000))

    pressure = -f / _compliance(a, b, kc, ks, gs)
    energy = 2 * np.pi * a**3 * abs(f * pressure) * _GPA_NM3_TO_EV
    a3, b3 = a**3, b**3

    r = np.unique(np.concatenate([np.linspace(0.0, a, n // 2), np.linspace(a, b, n - n // 2)]))
    in_core = r < a
    shell_r = np.where(in_core, a, r)
    sigma_rr = np.where(in_core, -pressure, -pressure * a3 * (b3 / shell_r**3 - 1) / (b3 - a3))
    sigma_tt = np.where(in_core, -pressure, pressure * a3 * (b3 / (2 * shell_r**3) + 1) / (b3 - a3))
    displacement = np.where(
        in_core,
        -pressure * r / (3 * kc),
        shell_displacement_nm(shell_r, a, b, pressure, shell_bulk_gpa=ks, shell_shear_gpa=gs),
    )
    return CoreShellStrain(
        core_radius_nm=a,
        outer_radius_nm=b,
        misfit=f,
        core_bulk_gpa=kc,
        shell_bulk_gpa=ks,
        shell_shear_gpa=gs,
        pressure_gpa=float(pressure),
        energy_ev=float(energy),
        energy_density_ev_nm2=float(energy / (4 * np.pi * a**2)),
        r_nm=r,
        sigma_rr_gpa=sigma_rr,
        sigma_tt_gpa=sigma_tt,
        displacement_nm=displacement,
    )
