"""Validators for Dutch business identifiers (DOMAIN.md "Identifiers and formats")."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum import iban as stdnum_iban

POSTCODE_RE = re.compile(r"^[1-9][0-9]{3} ?(?!SA|SD|SS)[A-Z]{2}$")


def validate_kvk_number(value):
    if not re.fullmatch(r"[0-9]{8}", value or ""):
        raise ValidationError(_("A KvK number has exactly 8 digits."), code="kvk")


def validate_branch_number(value):
    if value and not re.fullmatch(r"[0-9]{12}", value):
        raise ValidationError(_("A branch number (vestigingsnummer) has exactly 12 digits."), code="branch")


def normalise_postcode(value):
    compact = (value or "").replace(" ", "").upper()
    return f"{compact[:4]} {compact[4:]}" if len(compact) == 6 else (value or "").upper()


def validate_postcode(value):
    if not POSTCODE_RE.match(normalise_postcode(value)):
        raise ValidationError(_("Enter a Dutch postcode like 2311 AB."), code="postcode")


def normalise_iban(value):
    return stdnum_iban.compact(value or "")


def validate_iban(value):
    if not stdnum_iban.is_valid(value or ""):
        raise ValidationError(_("This IBAN is not valid: check the number for typing errors."), code="iban")


def validate_sbi_code(value):
    if value and not re.fullmatch(r"[0-9]{2,5}", value):
        raise ValidationError(_("An SBI code has 2 to 5 digits."), code="sbi")
