from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import template
from django.utils.translation import get_language

register = template.Library()


def format_money(value, language=None):
    """EUR with cents, the Dutch way in Dutch (EUR 1.234,56) and the English way in English."""
    if value in (None, ""):
        return ""
    try:
        amount = Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    except (InvalidOperation, TypeError, ValueError):
        return str(value)
    text = f"{abs(amount):,.2f}"
    if (language or get_language() or "nl").startswith("nl"):
        text = text.replace(",", "_").replace(".", ",").replace("_", ".")
    return f"{'-' if amount < 0 else ''}EUR {text}"


@register.filter
def money(value):
    return format_money(value)
