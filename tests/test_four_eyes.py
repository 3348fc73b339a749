"""Four-eyes bands: a second officer approves proposals up to the scheme's officer_approval_limit, a
manager above it; both may send back with a comment; the proposer never approves."""

from decimal import Decimal

import pytest
from django.utils import translation

from applicants.models import CompanyMembership
from grants.models import ApplicationState, StaffMembership, StaffRole
from notifications.models import Outbox
from tests.factories import ApplicationFactory, SchemeFactory, make_staff
from workflows.exceptions import TransitionRefused
from workflows.models import TransitionLog
from workflows.services import application_approve, application_propose, application_send_back

LIMIT = Decimal("1000.00")


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def scheme(org_x):
    return SchemeFactory(organisation=org_x, officer_approval_limit=LIMIT)


@pytest.fixture
def people(org_x):
    proposer, second = make_staff(org_x), make_staff(org_x)
    return proposer, second, make_staff(org_x, StaffRole.MANAGER)


def _proposed(scheme, proposer, amount, outcome="award"):
    case = ApplicationFactory(scheme=scheme, in_review=True)
    application_propose(application_id=case.pk, actor=proposer, outcome=outcome, amount=Decimal(amount),
                        motivation="Voldoet.", rejection_reason="" if outcome == "award" else "not_eligible")
    return case


@pytest.mark.django_db
def test_second_officer_approves_a_proposal_within_the_officer_band(scheme, people):
    proposer, second, _manager = people
    case = _proposed(scheme, proposer, "1000.00")
    application_approve(application_id=case.pk, actor=second)
    case.refresh_from_db()
    assert (case.state, case.decided_by, case.awarded_amount) == (ApplicationState.AWARDED, second, LIMIT)


@pytest.mark.django_db
def test_manager_may_also_approve_within_the_officer_band(scheme, people):
    proposer, _second, manager = people
    case = _proposed(scheme, proposer, "500.00")
    application_approve(application_id=case.pk, actor=manager)
    case.refresh_from_db()
    assert case.state == ApplicationState.AWARDED


@pytest.mark.django_db
def test_the_proposing_officer_never_approves_within_the_officer_band(scheme, people):
    proposer, _second, _manager = people
    case = _proposed(scheme, proposer, "500.00")
    with pytest.raises(TransitionRefused, match="not allowed"):
        application_approve(application_id=case.pk, actor=proposer)
    case.refresh_from_db()
    assert case.state == ApplicationState.PROPOSED and not TransitionLog.objects.filter(transition="approve").exists()


@pytest.mark.django_db
def test_an_officer_cannot_approve_above_the_limit_but_a_manager_can(scheme, people):
    proposer, second, manager = people
    case = _proposed(scheme, proposer, "1000.01")
    with pytest.raises(TransitionRefused, match="not allowed"):
        application_approve(application_id=case.pk, actor=second)
    application_approve(application_id=case.pk, actor=manager)
    case.refresh_from_db()
    assert (case.state, case.decided_by) == (ApplicationState.AWARDED, manager)


@pytest.mark.django_db
def test_a_proposer_who_is_also_manager_cannot_approve_above_the_limit(scheme, org_x):
    both = make_staff(org_x)
    StaffMembership.objects.create(user=both, organisation=org_x, role=StaffRole.MANAGER)
    case = _proposed(scheme, both, "1500.00")
    with pytest.raises(TransitionRefused, match="not allowed"):
        application_approve(application_id=case.pk, actor=both)


@pytest.mark.django_db
def test_a_second_officer_with_a_conflict_of_interest_cannot_approve(scheme, people):
    proposer, second, _manager = people
    case = _proposed(scheme, proposer, "500.00")
    CompanyMembership.objects.create(user=second, company=case.company)
    with pytest.raises(TransitionRefused, match="not allowed"):
        application_approve(application_id=case.pk, actor=second)


@pytest.mark.django_db
def test_a_rejection_is_banded_by_the_requested_amount(scheme, people):
    proposer, second, manager = people
    case = ApplicationFactory(scheme=scheme, in_review=True, requested_amount=Decimal("1500.00"))
    application_propose(application_id=case.pk, actor=proposer, outcome="reject", amount=None,
                        motivation="Buiten de doelgroep.", rejection_reason="not_eligible")
    with pytest.raises(TransitionRefused, match="not allowed"):
        application_approve(application_id=case.pk, actor=second)
    application_approve(application_id=case.pk, actor=manager)
    case.refresh_from_db()
    assert (case.state, case.rejection_reason) == (ApplicationState.REJECTED, "not_eligible")


@pytest.mark.django_db
def test_second_officer_sends_back_within_the_band_with_a_comment(scheme, people):
    proposer, second, _manager = people
    case = _proposed(scheme, proposer, "800.00")
    application_send_back(application_id=case.pk, actor=second, comment="Motivering aanvullen.")
    case.refresh_from_db()
    assert case.state == ApplicationState.IN_REVIEW
    assert TransitionLog.objects.get(transition="send_back").comment == "Motivering aanvullen."
    assert Outbox.objects.filter(event="proposal_sent_back", recipient=proposer).exists()


@pytest.mark.django_db
def test_officer_cannot_send_back_above_the_limit_but_a_manager_can(scheme, people):
    proposer, second, manager = people
    case = _proposed(scheme, proposer, "1400.00")
    with pytest.raises(TransitionRefused, match="not allowed"):
        application_send_back(application_id=case.pk, actor=second, comment="Nee.")
    application_send_back(application_id=case.pk, actor=manager, comment="Bedrag onderbouwen.")
    case.refresh_from_db()
    assert case.state == ApplicationState.IN_REVIEW


@pytest.mark.django_db
def test_approval_is_refused_in_any_state_but_proposed(scheme, people):
    _proposer, second, manager = people
    for state in ("submitted", "in_review", "info_requested"):
        case = ApplicationFactory(scheme=scheme, **{state: True})
        for actor in (second, manager):
            with pytest.raises(TransitionRefused, match="not possible while"):
                application_approve(application_id=case.pk, actor=actor)


@pytest.mark.django_db
def test_officers_are_asked_to_approve_within_the_band_and_managers_above(scheme, people, org_x):
    proposer, second, manager = people
    low = _proposed(scheme, proposer, "700.00")
    high = _proposed(scheme, proposer, "1200.00")
    asked = {case.pk: set(Outbox.objects.filter(event="proposal_awaiting_approval", url__contains=f"/{case.pk}/")
                          .values_list("recipient_id", flat=True)) for case in (low, high)}
    assert asked == {low.pk: {second.pk}, high.pk: {manager.pk}}
