"""Legal deadlines (Algemene termijnenwet): a term that ends on a weekend or Dutch public holiday
ends on the next working day; working days skip both. Fixed dates, and frozen time for a service."""

import datetime
from datetime import date, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from tests.factories import ApplicantFactory, CompleteApplicationFactory, SchemeFactory
from workflows.deadlines import add_working_days, is_working_day, term_end
from workflows.services import application_submit

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def test_term_ending_on_a_working_day_ends_that_day():
    # Monday 12 January 2026 + 6 weeks = Monday 23 February 2026.
    assert term_end(date(2026, 1, 12), weeks=6) == date(2026, 2, 23)


def test_term_ending_on_a_saturday_moves_to_monday():
    assert term_end(date(2026, 3, 6), days=1) == date(2026, 3, 9)


def test_term_ending_on_a_sunday_moves_to_monday():
    assert term_end(date(2026, 3, 1), weeks=1) == date(2026, 3, 9)


def test_term_ending_on_kings_day_moves_to_the_next_day():
    # Monday 27 April 2026 is King's Day.
    assert term_end(date(2026, 4, 13), weeks=2) == date(2026, 4, 28)


def test_term_ending_on_easter_monday_moves_to_tuesday():
    assert term_end(date(2026, 3, 23), weeks=2) == date(2026, 4, 7)


def test_term_ending_on_christmas_moves_over_boxing_day_and_the_weekend():
    # Friday 25 December 2026, Boxing Day on Saturday, then Sunday.
    assert term_end(date(2026, 10, 30), weeks=8) == date(2026, 12, 28)


def test_term_ending_on_christmas_on_a_thursday_moves_over_boxing_day_and_the_weekend():
    # Thursday 25 and Friday 26 December 2025.
    assert term_end(date(2025, 12, 11), weeks=2) == date(2025, 12, 29)


def test_term_ending_on_new_years_day_moves_to_the_next_day():
    # Thursday 1 January 2026.
    assert term_end(date(2025, 12, 18), weeks=2) == date(2026, 1, 2)


def test_public_holidays_and_weekends_are_not_working_days():
    assert not is_working_day(date(2026, 4, 27))  # King's Day
    assert not is_working_day(date(2026, 5, 14))  # Ascension Day
    assert not is_working_day(date(2026, 5, 25))  # Whit Monday
    assert not is_working_day(date(2026, 3, 7))  # Saturday
    assert is_working_day(date(2026, 4, 28))


def test_add_working_days_skips_the_weekend():
    # Friday 6 March 2026 + 1 working day = Monday 9 March.
    assert add_working_days(date(2026, 3, 6), 1) == date(2026, 3, 9)


def test_add_working_days_skips_kings_day():
    # Friday 24 April 2026 + 2 working days: the weekend and King's Day do not count.
    assert add_working_days(date(2026, 4, 24), 2) == date(2026, 4, 29)


def test_add_working_days_skips_christmas():
    # Thursday 24 December 2026 + 2 working days: Christmas, Boxing Day and Sunday do not count.
    assert add_working_days(date(2026, 12, 24), 2) == date(2026, 12, 29)


def test_add_working_days_counts_from_the_day_after_the_start():
    assert add_working_days(date(2026, 3, 2), 5) == date(2026, 3, 9)


@pytest.mark.django_db
def test_submission_decision_due_date_is_eight_weeks_later_moved_past_kings_day(time_machine):
    # Received Monday 2 March 2026: 8 weeks later is Monday 27 April, King's Day.
    time_machine.move_to(datetime.datetime(2026, 3, 2, 10, 0, tzinfo=AMSTERDAM), tick=False)
    applicant = ApplicantFactory()
    scheme = SchemeFactory(decision_term_weeks=8, ceiling=Decimal("10000.00"))
    application = CompleteApplicationFactory(scheme=scheme, company=applicant.test_company)

    application_submit(application_id=application.pk, actor=applicant)

    application.refresh_from_db()
    assert application.decision_due_on == date(2026, 4, 28)


def test_good_friday_is_a_working_day_under_the_algemene_termijnenwet():
    assert is_working_day(date(2027, 3, 26))


def test_liberation_day_is_a_holiday_every_year():
    assert not is_working_day(date(2027, 5, 5))
    assert term_end(date(2027, 4, 21), weeks=2) == date(2027, 5, 6) + timedelta(days=1)
