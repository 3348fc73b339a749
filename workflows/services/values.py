"""The keyword values a service takes from outside (a form, a command, an API): an amount or a date that
is not one is refused with a message (TransitionRefused), never another exception and never half a write.
Forms validate first; these are the services' own last line, so a caller that skips a form is safe too."""

import datetime
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from ..exceptions import TransitionRefused

# Money columns are DecimalField(max_digits=12, decimal_places=2): at most 10 digits before the point.
MAX_AMOUNT = Decimal("9999999999.99")


def amount_value(value, *, optional=False):
    """``value`` as a Decimal in euros with at most two decimals (a Decimal, an int or a numeric string);
    None when optional and empty. Refused: text, NaN, infinity, more than two decimals, out of range."""
    if optional and value in (None, ""):
        return None
    if isinstance(value, bool) or not isinstance(value, Decimal | int | str):
        raise TransitionRefused(_("Enter an amount in euros."))
    try:
        amount = Decimal(value.strip() if isinstance(value, str) else value)
    except (InvalidOperation, ValueError):
        raise TransitionRefused(_("Enter an amount in euros.")) from None
    if not amount.is_finite() or abs(amount) > MAX_AMOUNT:
        raise TransitionRefused(_("Enter an amount in euros."))
    if amount != amount.quantize(Decimal("0.01")):
        raise TransitionRefused(_("Enter an amount in euros with at most two decimals."))
    return amount


def date_value(value, *, optional=False):
    """``value`` as a date (a date, or an ISO string such as 2026-03-01); None when optional and empty.
    Refused: anything else, such as 2026-02-30."""
    if optional and value in (None, ""):
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str):
        try:
            return datetime.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise TransitionRefused(_("Enter a valid date."))


def whole_number(value, *, low, high):
    """``value`` as an int between ``low`` and ``high``, or refused."""
    if isinstance(value, bool):
        raise TransitionRefused(_("Enter a whole number between %(low)s and %(high)s.") % {"low": low, "high": high})
    try:
        number = int(value.strip() if isinstance(value, str) else value)
    except (TypeError, ValueError, OverflowError):
        number = None
    if number is None or number != value and not isinstance(value, str) or not low <= number <= high:
        raise TransitionRefused(_("Enter a whole number between %(low)s and %(high)s.") % {"low": low, "high": high})
    return number
