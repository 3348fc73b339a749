"""The decision due date explained step by step, and the penalty exposure after a notice of default.

Pure functions of dates: the case page shows them, the tests run them under frozen time."""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

import holidays
from django.utils import timezone
from django.utils.translation import get_language

from .deadlines import is_working_day

# Awb 4:17: EUR 23 a day for the first 14 days, EUR 35 for the next 14, EUR 45 after; at most 42 days.
PENALTY_BANDS = ((14, Decimal("23")), (14, Decimal("35")), (14, Decimal("45")))
PENALTY_MAX_DAYS = 42
PENALTY_MAX_AMOUNT = Decimal("1442")
# The penalty starts when two weeks have passed after the notice was received (and the term lapsed).
PENALTY_GRACE = timedelta(weeks=2)


@dataclass(frozen=True)
class PenaltyExposure:
    first_day: date  # the first day a penalty is due for
    last_day: date  # the day the maximum is reached
    days: int  # days counted so far (0 before first_day)
    amount: Decimal  # owed so far
    max_amount: Decimal = PENALTY_MAX_AMOUNT


def penalty_for_days(days):
    """The penalty for ``days`` days of default (Awb 4:17 lid 2), at most 42 days and EUR 1,442."""
    remaining, total = max(0, min(days, PENALTY_MAX_DAYS)), Decimal("0")
    for length, rate in PENALTY_BANDS:
        counted = min(remaining, length)
        total += counted * rate
        remaining -= counted
    return min(total, PENALTY_MAX_AMOUNT)


def penalty_exposure(*, notice_received_on, due_on, today, decided_on=None):
    """What a late decision costs: counted from the day two weeks after the later of the notice's
    receipt and the lapse of the decision term, up to and including today (or the day before the
    decision). Awb 4:17 lid 3."""
    start = max(notice_received_on, due_on) if due_on else notice_received_on
    first_day = start + PENALTY_GRACE
    until = min(today, decided_on - timedelta(days=1)) if decided_on else today
    days = max(0, (until - first_day).days + 1)
    return PenaltyExposure(first_day=first_day, last_day=first_day + timedelta(days=PENALTY_MAX_DAYS - 1),
                           days=min(days, PENALTY_MAX_DAYS), amount=penalty_for_days(days))


def holiday_name(day):
    """The name of the public holiday on ``day`` in the interface language, or "" (weekdays only)."""
    language = "nl" if (get_language() or "nl").startswith("nl") else "en_US"
    if day.month == 5 and day.day == 5:
        return "Bevrijdingsdag" if language == "nl" else "Liberation Day"
    name = holidays.country_holidays("NL", years=day.year, language=language).get(day)
    return name or ""


@dataclass
class DueDateStep:
    label: str  # a key: receipt, term, paused, extension
    day: date
    amount: int = 0  # weeks or days added
    moved_from: date | None = None  # the day the term fell on, when it had to move
    skipped: list = field(default_factory=list)  # (day, reason) pairs passed over


def _move(day):
    """next_working_day (deadlines.py) with the reasons: each skipped day, named when a holiday."""
    skipped, moved = [], day
    while not is_working_day(moved):
        skipped.append((moved, holiday_name(moved)))  # no name: a Saturday or Sunday
        moved += timedelta(days=1)
    return moved, skipped


def due_date_explanation(application):
    """The steps from the receipt to the decision due date: the scheme's term, the days the clock stood
    still for information requests (Awb 4:15) and the extension (Awb 4:14), each ending on a working day
    (Algemene termijnenwet). ``matches`` is False when the stored due date was set another way (e.g. a
    ranking scheme's closing date): the page then shows the stored date as it is."""
    if application.submitted_at is None or application.decision_due_on is None:
        return None
    receipt = timezone.localdate(application.submitted_at)
    steps = [DueDateStep("receipt", receipt)]
    weeks = application.scheme.decision_term_weeks
    raw = receipt + timedelta(weeks=weeks)
    day, skipped = _move(raw)
    steps.append(DueDateStep("term", day, weeks, raw if skipped else None, skipped))
    if application.paused_days:
        raw = day + timedelta(days=application.paused_days)
        day, skipped = _move(raw)
        steps.append(DueDateStep("paused", day, application.paused_days, raw if skipped else None, skipped))
    if application.extension_weeks:
        raw = day + timedelta(weeks=application.extension_weeks)
        day, skipped = _move(raw)
        steps.append(DueDateStep("extension", day, application.extension_weeks, raw if skipped else None, skipped))
    return {"steps": steps, "matches": day == application.decision_due_on, "due_on": application.decision_due_on}
