"""The measurement conditions of P1 and P2, defined once (SCIENCE "Rules for every target").

A target is computed under the conditions its paper states; models, labs, lessons and tests
take them from here, so that no model is calibrated at one power and shown at another.

* :data:`P1_UC_POWER_W_CM2` — P1's upconversion spectra of β-LnNPs and β-LnNP@CsPbBr3
  (Fig. 2f,g: "under 980 nm laser excitation (at a power density of 2 W cm⁻²)"), target E6.
* :data:`P2_POWER_W_CM2` — P2's upconversion spectra and 450 nm decays of NaGdF4:Yb/Tm
  particles before and after annealing ("under 980 nm excitation (4 W cm⁻²)", Figs. 2f,g and 3a,d),
  targets A3–A6.
* :data:`P1_FLUENCES_UJ_CM2` — the pump fluences of P1's transient-absorption series at
  400 nm (Fig. 1j and Supplementary), targets E2 (23.1) and E3 (6.1, 12.2, 23.1).

Examples
--------
>>> from lnhet_widgets.core.conditions import P1_UC_POWER_W_CM2, P2_POWER_W_CM2
>>> P1_UC_POWER_W_CM2, P2_POWER_W_CM2
(2.0, 4.0)
"""

__all__ = ["P1_FLUENCES_UJ_CM2", "P1_UC_POWER_W_CM2", "P2_POWER_W_CM2"]

#: P1 Fig. 2f,g: 980 nm CW excitation of the upconversion spectra, W cm⁻².
P1_UC_POWER_W_CM2 = 2.0
#: P2 Figs. 2f,g and 3a,d: 980 nm excitation of the upconversion spectra, W cm⁻².
P2_POWER_W_CM2 = 4.0
#: P1's 400 nm pump fluences of the ground-state-bleach series, µJ cm⁻².
P1_FLUENCES_UJ_CM2 = (6.1, 12.2, 23.1)
