"""The decision term: one extension before it passes (Awb 4:13-4:14) with its letter, the notice of
default and the penalty exposure (Awb 4:17), and the due date explained on the case page. Frozen time."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation

from grants.models import ApplicationState, DecisionLetter, LetterKind, StaffRole
from notifications.models import Outbox
from tests.factories import ApplicantFactory, ApplicationFactory, SchemeFactory, letter_pdf_text, make_staff
from workflows import services
from workflows.decision_term import due_date_explanation, penalty_exposure, penalty_for_days
from workflows.exceptions import TransitionRefused
from workflows.models import TransitionLog


def frozen(year, month, day):
    return time_machine.travel(datetime.datetime(year, month, day, 10, 0, tzinfo=datetime.UTC), tick=False)


@pytest.fixture
def officer(org_x):
    return make_staff(org_x, StaffRole.OFFICER)


@pytest.fixture
def case(org_x):
    applicant = ApplicantFactory()
    # Due on Tuesday 30 March 2027: four more weeks end on King's Day (Tuesday 27 April 2027).
    return ApplicationFactory(scheme=SchemeFactory(organisation=org_x), company=applicant.test_company,
                              created_by=applicant, in_review=True, decision_due_on=datetime.date(2027, 3, 30))


def extend(case, actor, weeks=4, reason="Wij wachten op het advies van de Omgevingsdienst."):
    return services.application_extend(application_id=case.pk, actor=actor, weeks=weeks, reason=reason)


@pytest.mark.django_db
def test_extension_moves_the_due_date_past_kings_day_and_sends_its_letter(case, officer):
    with frozen(2027, 3, 15):
        extend(case, officer)
    case.refresh_from_db()
    assert case.decision_due_on == datetime.date(2027, 4, 28)  # 27 April is King's Day
    assert case.state == ApplicationState.IN_REVIEW  # the transition keeps the state
    assert (case.extended_on, case.extension_weeks) == (datetime.date(2027, 3, 15), 4)
    log = TransitionLog.objects.get(transition="extend_term", object_id=case.pk)
    assert log.source_state == log.target_state == ApplicationState.IN_REVIEW and log.actor == officer
    letter = DecisionLetter.objects.get(application=case, kind=LetterKind.EXTENSION)
    assert "28 april 2027" in letter.text and "4 weken" in letter.text and "Omgevingsdienst" in letter.text
    assert "bezwaar maken" in letter.text
    assert "28 april 2027" in letter_pdf_text(letter)
    assert Outbox.objects.get(event="extension_sent").context["decision_due_on"] == "2027-04-28"


@pytest.mark.django_db
def test_the_term_can_be_extended_only_once(case, officer):
    with frozen(2027, 3, 15):
        extend(case, officer)
        with translation.override("en"), pytest.raises(TransitionRefused, match="only once"):
            extend(case, officer, weeks=2)
    assert DecisionLetter.objects.filter(kind=LetterKind.EXTENSION).count() == 1


@pytest.mark.django_db
def test_extension_after_the_term_passed_is_refused(case, officer):
    with frozen(2027, 3, 31), pytest.raises(TransitionRefused):
        extend(case, officer)
    case.refresh_from_db()
    assert case.extended_on is None and not DecisionLetter.objects.exists()


@pytest.mark.django_db
def test_extension_on_the_last_day_of_the_term_is_allowed(case, officer):
    with frozen(2027, 3, 30):
        extend(case, officer, weeks=1)
    case.refresh_from_db()
    assert case.decision_due_on == datetime.date(2027, 4, 6)


@pytest.mark.django_db
def test_manager_may_not_extend(case, org_x):
    with frozen(2027, 3, 15), pytest.raises(TransitionRefused):
        extend(case, make_staff(org_x, StaffRole.MANAGER))
    assert not TransitionLog.objects.exists()


@pytest.mark.django_db
def test_a_decided_case_cannot_be_extended(case, officer):
    case.__dict__["state"] = ApplicationState.AWARDED
    case.save()
    with frozen(2027, 3, 15), pytest.raises(TransitionRefused):
        extend(case, officer)


@pytest.mark.django_db
@pytest.mark.parametrize("weeks", [0, 27])
def test_extension_term_out_of_range_is_a_field_error_on_the_page(client, case, officer, weeks):
    with frozen(2027, 3, 15):
        client.force_login(officer)
        response = client.post(reverse("case_extend", args=[case.pk]), {"weeks": weeks, "reason": "Advies."})
    assert response.status_code == 400 and response.context["extension_form"].errors["weeks"]
    assert "Advies." in response.content.decode()  # nothing typed is lost


# --- notice of default and penalty (Awb 4:17) ----------------------------------------------------


@pytest.mark.parametrize(("days", "amount"), [
    (0, "0"), (1, "23"), (14, "322"), (15, "357"), (28, "812"), (29, "857"), (42, "1442"), (100, "1442"),
])
def test_penalty_bands(days, amount):
    assert penalty_for_days(days) == Decimal(amount)


def test_penalty_starts_two_weeks_after_the_notice_and_stops_at_the_decision():
    notice, due = datetime.date(2027, 1, 4), datetime.date(2026, 12, 20)
    assert penalty_exposure(notice_received_on=notice, due_on=due, today=datetime.date(2027, 1, 17)).days == 0
    first = penalty_exposure(notice_received_on=notice, due_on=due, today=datetime.date(2027, 1, 18))
    assert (first.first_day, first.days, first.amount) == (datetime.date(2027, 1, 18), 1, Decimal("23"))
    full = penalty_exposure(notice_received_on=notice, due_on=due, today=datetime.date(2027, 6, 1))
    assert (full.days, full.amount, full.last_day) == (42, Decimal("1442"), datetime.date(2027, 2, 28))
    decided = penalty_exposure(notice_received_on=notice, due_on=due, today=datetime.date(2027, 6, 1),
                               decided_on=datetime.date(2027, 1, 20))
    assert (decided.days, decided.amount) == (2, Decimal("46"))


def test_a_notice_before_the_term_lapsed_counts_from_the_lapse():
    exposure = penalty_exposure(notice_received_on=datetime.date(2027, 1, 10), due_on=datetime.date(2027, 2, 1),
                                today=datetime.date(2027, 2, 14))
    assert exposure.first_day == datetime.date(2027, 2, 15) and exposure.days == 0


@pytest.mark.django_db
def test_registered_notice_shows_the_penalty_on_the_case_page(client, case, officer):
    with frozen(2027, 4, 2):
        client.force_login(officer)
        client.post(reverse("case_register_default_notice", args=[case.pk]), {"received_on": "2027-04-01"})
    case.refresh_from_db()
    assert case.default_notice_received_on == datetime.date(2027, 4, 1)
    assert TransitionLog.objects.filter(transition="register_default_notice").exists()
    with frozen(2027, 4, 20), translation.override("nl"):
        client.force_login(officer)
        response = client.get(reverse("case_detail", args=[case.pk]))
    assert response.context["penalty"].days == 6 and response.context["penalty"].amount == Decimal("138")
    assert "EUR 138,00" in response.content.decode()  # 15 to 20 April


@pytest.mark.django_db
def test_notice_of_default_in_the_future_or_twice_is_refused(case, officer):
    with frozen(2027, 4, 2):
        with pytest.raises(TransitionRefused):
            services.application_register_default_notice(application_id=case.pk, actor=officer,
                                                         received_on=datetime.date(2027, 4, 3))
        services.application_register_default_notice(application_id=case.pk, actor=officer,
                                                     received_on=datetime.date(2027, 4, 1))
        with pytest.raises(TransitionRefused):
            services.application_register_default_notice(application_id=case.pk, actor=officer,
                                                         received_on=datetime.date(2027, 4, 2))


# --- the due date explained ----------------------------------------------------------------------


@pytest.mark.django_db
def test_due_date_explanation_names_christmas_and_counts_pauses_and_extension(org_x):
    # Received Friday 30 October 2026; 8 weeks end on Christmas Day, so Monday 28 December; 3 paused days
    # give Thursday 31 December; an extension of 2 weeks gives Thursday 14 January 2027.
    received = datetime.datetime(2026, 10, 30, 9, 0, tzinfo=datetime.UTC)
    case = ApplicationFactory(scheme=SchemeFactory(organisation=org_x), submitted=True, submitted_at=received,
                              paused_days=3, extension_weeks=2, decision_due_on=datetime.date(2027, 1, 14))
    with translation.override("nl"):
        explanation = due_date_explanation(case)
    term = explanation["steps"][1]
    assert term.day == datetime.date(2026, 12, 28) and term.moved_from == datetime.date(2026, 12, 25)
    assert term.skipped[0] == (datetime.date(2026, 12, 25), "Eerste kerstdag")
    assert [step.day for step in explanation["steps"][2:]] == [datetime.date(2026, 12, 31), datetime.date(2027, 1, 14)]
    assert explanation["matches"]


@pytest.mark.django_db
def test_case_page_explains_the_due_date(client, org_x, officer):
    received = datetime.datetime(2026, 10, 30, 9, 0, tzinfo=datetime.UTC)
    case = ApplicationFactory(scheme=SchemeFactory(organisation=org_x), submitted=True, submitted_at=received,
                              decision_due_on=datetime.date(2026, 12, 28))
    client.force_login(officer)
    with translation.override("en"):
        page = client.get(reverse("case_detail", args=[case.pk]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Christmas" in page or "kerstdag" in page
