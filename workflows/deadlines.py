"""Legal deadlines: weeks and days that end on a weekend or Dutch public holiday move to the next
working day (Algemene termijnenwet); working days skip weekends and public holidays."""

from datetime import date, timedelta
from functools import lru_cache

import holidays


@lru_cache(maxsize=64)
def _dutch_holidays(year):
    """The general holidays of the Algemene termijnenwet (art. 3): the package's Dutch calendar
    minus Good Friday (not in the law), plus Liberation Day on 5 May every year (the package
    has it only every fifth year)."""
    calendar = holidays.country_holidays("NL", years=year)
    days = {day for day, name in calendar.items() if "goede vrijdag" not in name.lower()}
    days.add(date(year, 5, 5))
    return frozenset(days)


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _dutch_holidays(day.year)


def next_working_day(day: date) -> date:
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def term_end(start: date, *, weeks=0, days=0) -> date:
    """The last day of a term of weeks or days counted from ``start`` (Algemene termijnenwet art. 1)."""
    return next_working_day(start + timedelta(weeks=weeks, days=days))


def add_working_days(start: date, count: int) -> date:
    day = start
    while count > 0:
        day += timedelta(days=1)
        if is_working_day(day):
            count -= 1
    return day
