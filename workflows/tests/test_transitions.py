"""run_transition and the application services on it: state and permission checks, the log row,
the outbox rows and the ledger rows written together, or none of them."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from grants.models import (
    Application,
    ApplicationState,
    Budget,
    DecisionOutcome,
    LedgerEntry,
    StaffMembership,
    StaffRole,
)
from grants.services import budget_reserve
from notifications.models import Outbox
from notifications.services import notify
from tests.factories import ApplicantFactory, ApplicationFactory, CompleteApplicationFactory, SchemeFactory, make_staff
from workflows.exceptions import TransitionRefused
from workflows.models import TransitionLog
from workflows.services import (
    application_approve,
    application_propose,
    application_start_review,
    application_submit,
    run_transition,
)


@pytest.fixture(autouse=True)
def english():
    # The refusal messages are asserted in English, whatever the Dutch catalogue says.
    with translation.override("en"):
        yield


@pytest.fixture
def scheme(org_x):
    return SchemeFactory(organisation=org_x, ceiling=Decimal("10000.00"))


@pytest.fixture
def applicant(db):
    return ApplicantFactory()


@pytest.fixture
def officer(org_x):
    return make_staff(org_x, StaffRole.OFFICER)


@pytest.fixture
def draft(scheme, applicant):
    return CompleteApplicationFactory(scheme=scheme, company=applicant.test_company, created_by=applicant)


def assert_nothing_written():
    assert not TransitionLog.objects.exists()
    assert not Outbox.objects.exists()


def test_submit_writes_a_log_row_with_source_target_and_actor(draft, applicant):
    application_submit(application_id=draft.pk, actor=applicant)

    entry = TransitionLog.objects.get()
    assert (entry.transition, entry.source_state, entry.target_state) == ("submit", "draft", "submitted")
    assert entry.actor == applicant
    assert entry.subject == draft


def test_submit_writes_outbox_rows_for_the_applicant_and_the_municipalitys_officers(
    draft, applicant, officer, org_y
):
    make_staff(org_y, StaffRole.OFFICER)  # another municipality's officer hears nothing

    application_submit(application_id=draft.pk, actor=applicant)

    assert set(Outbox.objects.values_list("event", "recipient")) == {
        ("application_submitted", applicant.pk),
        ("application_received", officer.pk),
    }


def test_submit_reserves_the_requested_amount_in_the_same_transition(draft, applicant):
    application_submit(application_id=draft.pk, actor=applicant)

    entry = LedgerEntry.objects.get(application=draft)
    assert (entry.kind, entry.amount) == ("reservation", Decimal("1500.00"))
    assert Budget.objects.get(scheme=draft.scheme).reserved == Decimal("1500.00")


def test_transition_refused_from_a_state_it_does_not_leave(scheme, applicant):
    application = ApplicationFactory(
        in_review=True, scheme=scheme, company=applicant.test_company, created_by=applicant
    )

    with pytest.raises(TransitionRefused, match="while the case is “In review”"):
        application_submit(application_id=application.pk, actor=applicant)

    application.refresh_from_db()
    assert application.state == ApplicationState.IN_REVIEW
    assert_nothing_written()


def test_transition_refused_for_someone_outside_the_company(draft):
    stranger = ApplicantFactory()

    with pytest.raises(TransitionRefused, match="not allowed to take this step") as refused:
        application_submit(application_id=draft.pk, actor=stranger)

    assert refused.value.message == "You are not allowed to take this step on this case."
    draft.refresh_from_db()
    assert draft.state == ApplicationState.DRAFT
    assert_nothing_written()
    assert not LedgerEntry.objects.filter(application=draft).exists()


def test_transition_refused_for_an_officer_of_another_municipality(scheme, org_y):
    application = ApplicationFactory(submitted=True, scheme=scheme)
    outsider = make_staff(org_y, StaffRole.OFFICER)

    with pytest.raises(TransitionRefused, match="not allowed"):
        application_start_review(application_id=application.pk, actor=outsider)

    application.refresh_from_db()
    assert application.state == ApplicationState.SUBMITTED
    assert_nothing_written()


def test_transition_on_a_case_that_no_longer_exists_is_refused(applicant):
    with pytest.raises(TransitionRefused, match="no longer exists"):
        application_submit(application_id=987654, actor=applicant)


def test_effects_that_raise_roll_back_state_log_outbox_and_ledger(
    draft, applicant, django_capture_on_commit_callbacks
):
    def effects(application):
        budget_reserve(application=application, amount=Decimal("1500.00"))
        notify(event="application_submitted", recipients=[applicant], context={},
               organisation=application.scheme.organisation_id)
        raise RuntimeError("the reference service is down")

    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(RuntimeError):
        run_transition(model=Application, pk=draft.pk, name="submit", actor=applicant,
                       params={"at": timezone.now()}, effects=effects)

    draft.refresh_from_db()
    assert draft.state == ApplicationState.DRAFT
    assert_nothing_written()
    assert not LedgerEntry.objects.filter(application=draft).exists()
    assert Budget.objects.get(scheme=draft.scheme).reserved == 0
    assert callbacks == []  # nothing is relayed for a rolled-back transaction


def test_submit_to_a_closed_scheme_is_refused_and_keeps_the_draft(draft, applicant):
    draft.scheme.closes_on = timezone.localdate() - datetime.timedelta(days=1)
    draft.scheme.save()

    with pytest.raises(TransitionRefused, match="not open for applications"):
        application_submit(application_id=draft.pk, actor=applicant)

    draft.refresh_from_db()
    assert (draft.state, draft.reference, draft.submitted_at) == (ApplicationState.DRAFT, "", None)
    assert_nothing_written()


def test_proposer_cannot_approve_their_own_proposal_even_as_manager(org_x, scheme):
    officer_and_manager = make_staff(org_x, StaffRole.OFFICER)
    StaffMembership.objects.create(user=officer_and_manager, organisation=org_x, role=StaffRole.MANAGER)
    application = ApplicationFactory(in_review=True, scheme=scheme)
    application_propose(application_id=application.pk, actor=officer_and_manager,
                        outcome=DecisionOutcome.AWARD, amount=Decimal("1500.00"), motivation="Past in de regeling.")

    with pytest.raises(TransitionRefused, match="not allowed"):
        application_approve(application_id=application.pk, actor=officer_and_manager)

    application.refresh_from_db()
    assert application.state == ApplicationState.PROPOSED
    assert not TransitionLog.objects.filter(transition="approve").exists()
    assert not LedgerEntry.objects.filter(application=application).exists()


def test_another_manager_approves_and_the_award_is_committed(org_x, scheme):
    manager = make_staff(org_x, StaffRole.MANAGER)
    application = ApplicationFactory(proposed=True, scheme=scheme)
    applicant = ApplicantFactory(company=application.company)

    application_approve(application_id=application.pk, actor=manager)

    application.refresh_from_db()
    assert (application.state, application.decided_by) == (ApplicationState.AWARDED, manager)
    assert Budget.objects.get(scheme=scheme).committed == Decimal("1500.00")
    assert TransitionLog.objects.get().target_state == ApplicationState.AWARDED
    assert list(Outbox.objects.values_list("event", "recipient")) == [("decision_made", applicant.pk)]


def test_state_field_cannot_be_assigned_directly(draft):
    application = Application.objects.get(pk=draft.pk)

    with pytest.raises(AttributeError, match="Direct state modification is not allowed"):
        application.state = ApplicationState.AWARDED

    assert Application.objects.get(pk=draft.pk).state == ApplicationState.DRAFT
