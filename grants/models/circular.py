"""Circular-economy vocabulary shared by applications and pilot reports (DOMAIN.md "Pilot results")."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class RLadder(models.TextChoices):
    """The R-ladder R0-R9 (PBL); stored as is and mapped to the six-rung RVO/ICER scale in reports."""

    R0 = "R0", _("R0 Refuse")
    R1 = "R1", _("R1 Rethink")
    R2 = "R2", _("R2 Reduce")
    R3 = "R3", _("R3 Reuse")
    R4 = "R4", _("R4 Repair")
    R5 = "R5", _("R5 Refurbish")
    R6 = "R6", _("R6 Remanufacture")
    R7 = "R7", _("R7 Repurpose")
    R8 = "R8", _("R8 Recycle")
    R9 = "R9", _("R9 Recover")


# Six-rung scale of RVO and PBL's ICER: R1 refuse/rethink, R2 reduce, R3 reuse,
# R4 repair/refurbish/remanufacture/repurpose, R5 recycle, R6 recover.
SIX_RUNG = {"R0": 1, "R1": 1, "R2": 2, "R3": 3, "R4": 4, "R5": 4, "R6": 4, "R7": 4, "R8": 5, "R9": 6}


def rung_number(rung):
    """0 for R0 (most circular) to 9 for R9; a lower number is a higher rung."""
    return int(rung[1:])


class Indicator(models.TextChoices):
    """Typed result indicators; two figures are comparable only with the same indicator and unit."""

    RAW_MATERIAL_SAVED = "raw_material_saved", _("Primary raw material saved")
    WASTE_AVOIDED = "waste_avoided", _("Waste avoided")
    CO2_AVOIDED = "co2_avoided", _("CO2-eq avoided")
    MATERIAL_REUSED = "material_reused", _("Materials reused or recycled")
    CHAIN_PARTNERS = "chain_partners", _("Chain partners involved")
    JOBS_CREATED = "jobs_created", _("Jobs created")
    FOLLOW_UP_INVESTMENT = "follow_up_investment", _("Follow-up investment")


INDICATOR_UNITS = {
    Indicator.RAW_MATERIAL_SAVED: "kg",
    Indicator.WASTE_AVOIDED: "kg",
    Indicator.CO2_AVOIDED: "kg",
    Indicator.MATERIAL_REUSED: "kg",
    Indicator.CHAIN_PARTNERS: "count",
    Indicator.JOBS_CREATED: "FTE",
    Indicator.FOLLOW_UP_INVESTMENT: "EUR",
}
