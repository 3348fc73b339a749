"""Objections (bezwaar, Awb chapters 6-7): the terms, every transition allowed and refused by state and
person, the new decision of a founded objection with its budget effect, and the pages."""

import datetime
import io
from decimal import Decimal

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from applicants.models import CompanyMembership, User
from grants.models import ApplicationState, LedgerEntry, Objection, ObjectionState, StaffMembership, StaffRole
from grants.services import budget_reconcile
from notifications.models import Outbox
from notifications.services import render_message
from tests import factories
from workflows import access, services
from workflows.exceptions import TransitionRefused
from workflows.models import TransitionLog

AMS = datetime.timezone(datetime.timedelta(hours=1))
D = datetime.date


def at(day, hour=10):
    return time_machine.travel(datetime.datetime(day.year, day.month, day.day, hour, tzinfo=AMS), tick=False)


@pytest.fixture
def people(org_x, org_y):
    """The objector (company A), another company's applicant, X's officer, X's manager who took the
    decisions, a second manager of X who may decide objections, and Y's officer and manager."""
    objector = factories.ApplicantFactory()
    return {
        "objector": objector,
        "other_applicant": factories.ApplicantFactory(),
        "officer": factories.make_staff(org_x, StaffRole.OFFICER),
        "decider": factories.make_staff(org_x, StaffRole.MANAGER),
        "manager": factories.make_staff(org_x, StaffRole.MANAGER),
        "officer_y": factories.make_staff(org_y, StaffRole.OFFICER),
        "manager_y": factories.make_staff(org_y, StaffRole.MANAGER),
    }


@pytest.fixture
def scheme(org_x):
    return factories.SchemeFactory(organisation=org_x, ceiling=Decimal("10000.00"))


def decided(scheme, people, outcome, *, requested="2000.00", amount=None):
    """An application of the objector decided through the real services, so the ledger is right."""
    application = factories.CompleteApplicationFactory(
        scheme=scheme, company=people["objector"].test_company, created_by=people["objector"],
        requested_amount=Decimal(requested))
    services.application_submit(application_id=application.pk, actor=people["objector"])
    services.application_start_review(application_id=application.pk, actor=people["officer"])
    services.application_propose(application_id=application.pk, actor=people["officer"], outcome=outcome,
                                 amount=Decimal(amount) if amount else None, motivation="Beoordeeld.",
                                 rejection_reason="insufficient_quality" if outcome == "reject" else "")
    return services.application_approve(application_id=application.pk, actor=people["decider"])


def rejected_on(scheme, people, day):
    """A rejection sent on ``day`` (factory state; no money involved)."""
    return factories.ApplicationFactory(
        scheme=scheme, company=people["objector"].test_company, created_by=people["objector"], rejected=True,
        decided_by=people["decider"], decided_at=datetime.datetime(day.year, day.month, day.day, 15, tzinfo=AMS))


def lodge(application, people, grounds="Onze scan is wel circulair.", **kwargs):
    return services.objection_lodge(application_id=application.pk, actor=people["objector"], grounds=grounds,
                                    **kwargs)


def settle(objection, people, outcome, motivation="Beoordeeld.", **new_decision):
    """The officer proposes ``outcome``, a manager who took no part decides it."""
    services.objection_propose(objection_id=objection.pk, actor=people["officer"], outcome=outcome,
                               motivation=motivation, **new_decision)
    return services.objection_decide(objection_id=objection.pk, actor=people["manager"])


# --- terms under frozen time --------------------------------------------------------------------------


@pytest.mark.django_db
def test_objection_period_is_six_weeks_from_the_day_after_sending_moved_past_weekend_and_holiday(scheme, people):
    # Sent on Saturday 14 March 2026: six weeks end on Saturday 25 April; Monday 27 April is King's Day.
    application = rejected_on(scheme, people, D(2026, 3, 14))
    with at(D(2026, 3, 20)):
        objection = lodge(application, people)
    assert objection.period_ends_on == D(2026, 4, 28)
    assert not objection.late


@pytest.mark.django_db
def test_objection_on_the_last_day_of_the_period_is_in_time(scheme, people):
    application = rejected_on(scheme, people, D(2026, 3, 2))  # a Monday: the period ends Monday 13 April
    with at(D(2026, 4, 13), hour=21):  # 22:00 summer time
        objection = lodge(application, people)
    assert objection.period_ends_on == D(2026, 4, 13) and not objection.late


@pytest.mark.django_db
def test_decision_on_the_objection_is_due_six_weeks_after_the_objection_period(scheme, people):
    application = rejected_on(scheme, people, D(2026, 3, 2))
    with at(D(2026, 3, 10)):
        objection = lodge(application, people)
    # 13 April + 6 weeks = Monday 25 May 2026, Whit Monday: moves to Tuesday 26 May (Awb 7:10, Atw).
    assert objection.decision_due_on == D(2026, 5, 26)


@pytest.mark.django_db
def test_late_objection_is_flagged_and_counted_from_its_receipt(scheme, people):
    application = rejected_on(scheme, people, D(2026, 3, 2))
    with at(D(2026, 4, 14)):
        objection = lodge(application, people, delay_reason="Ik lag in het ziekenhuis.")
    assert objection.late and objection.delay_reason == "Ik lag in het ziekenhuis."
    assert objection.decision_due_on == D(2026, 5, 26)  # 14 April + 6 weeks


@pytest.mark.django_db
def test_pro_forma_grounds_period_defaults_to_two_weeks_past_a_holiday(scheme, people):
    objection = factories.ObjectionFactory(application=rejected_on(scheme, people, D(2026, 4, 1)), pro_forma=True)
    with at(D(2026, 5, 11)):  # + 2 weeks = Whit Monday 25 May
        services.objection_request_grounds(objection_id=objection.pk, actor=people["officer"])
    objection.refresh_from_db()
    assert objection.state == ObjectionState.GROUNDS_REQUESTED and objection.grounds_due_on == D(2026, 5, 26)


@pytest.mark.django_db
def test_decision_term_is_extended_once_by_six_weeks(scheme, people):
    objection = factories.ObjectionFactory(application=rejected_on(scheme, people, D(2026, 4, 1)),
                                           decision_due_on=D(2026, 6, 5))
    services.objection_extend(objection_id=objection.pk, actor=people["officer"], reason="Advies nodig.")
    objection.refresh_from_db()
    assert objection.extended and objection.decision_due_on == D(2026, 7, 17)
    with pytest.raises(TransitionRefused):
        services.objection_extend(objection_id=objection.pk, actor=people["officer"], reason="Nog eens.")


@pytest.mark.django_db
def test_extension_ending_on_a_sunday_moves_to_monday(scheme, people):
    objection = factories.ObjectionFactory(application=rejected_on(scheme, people, D(2026, 4, 1)),
                                           decision_due_on=D(2026, 9, 6))  # a Sunday
    services.objection_extend(objection_id=objection.pk, actor=people["officer"], reason="Advies nodig.")
    objection.refresh_from_db()
    assert objection.decision_due_on == D(2026, 10, 19)


# --- lodging --------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_applicant_lodges_with_a_log_row_and_a_notice_to_the_officers(scheme, people):
    objection = lodge(rejected_on(scheme, people, D(2026, 11, 20)), people)
    assert objection.state == ObjectionState.LODGED and objection.decision_kind == "rejection"
    log = TransitionLog.objects.get(object_id=objection.pk, transition="lodge")
    assert (log.source_state, log.target_state, log.actor) == ("new", "lodged", people["objector"])
    assert list(Outbox.objects.filter(event="objection_lodged").values_list("recipient", flat=True)) == [
        people["officer"].pk]


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["other_applicant", "officer", "manager", "officer_y"])
def test_only_who_acts_for_the_company_may_lodge(scheme, people, who):
    application = rejected_on(scheme, people, D(2026, 11, 20))
    with pytest.raises(TransitionRefused):
        services.objection_lodge(application_id=application.pk, actor=people[who], grounds="Oneens.")
    assert not Objection.objects.exists() and not Outbox.objects.exists()


@pytest.mark.django_db
def test_no_objection_against_an_undecided_application(scheme, people):
    application = factories.ApplicationFactory(scheme=scheme, company=people["objector"].test_company,
                                               in_review=True)
    with pytest.raises(TransitionRefused):
        lodge(application, people)


@pytest.mark.django_db
def test_a_decision_takes_one_objection(scheme, people):
    application = rejected_on(scheme, people, D(2026, 11, 20))
    lodge(application, people)
    with pytest.raises(TransitionRefused):
        lodge(application, people, grounds="Nog een keer.")
    assert Objection.objects.count() == 1


# --- grounds, hearing, delay ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_grounds_are_requested_only_for_a_pro_forma_objection_and_supplied_by_the_objector(scheme, people):
    with_grounds = factories.ObjectionFactory(application=rejected_on(scheme, people, D(2026, 11, 2)))
    with pytest.raises(TransitionRefused):
        services.objection_request_grounds(objection_id=with_grounds.pk, actor=people["officer"])
    objection = factories.ObjectionFactory(application=rejected_on(scheme, people, D(2026, 11, 3)),
                                           grounds_requested=True)
    for who in ("other_applicant", "officer"):
        with pytest.raises(TransitionRefused):
            services.objection_supply_grounds(objection_id=objection.pk, actor=people[who], grounds="X")
    services.objection_supply_grounds(objection_id=objection.pk, actor=people["objector"], grounds="Wel circulair.")
    objection.refresh_from_db()
    assert objection.state == ObjectionState.LODGED and objection.grounds == "Wel circulair."
    assert objection.grounds_due_on is None


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["manager", "officer_y", "objector"])
def test_only_an_officer_of_the_municipality_requests_grounds(scheme, people, who):
    objection = factories.ObjectionFactory(application=rejected_on(scheme, people, D(2026, 11, 2)), pro_forma=True)
    with pytest.raises(TransitionRefused):
        services.objection_request_grounds(objection_id=objection.pk, actor=people[who])


@pytest.mark.django_db
def test_hearing_is_scheduled_with_an_invitation_to_the_objector(scheme, people):
    objection = factories.ObjectionFactory(application=rejected_on(scheme, people, D(2026, 11, 2)))
    when = datetime.datetime(2099, 1, 6, 14, 30, tzinfo=AMS)
    services.objection_schedule_hearing(objection_id=objection.pk, actor=people["officer"], at=when,
                                        place="Stadhuis, zaal 2")
    objection.refresh_from_db()
    assert objection.state == ObjectionState.LODGED and objection.hearing_place == "Stadhuis, zaal 2"
    notice = Outbox.objects.get(event="hearing_scheduled")
    assert notice.recipient == people["objector"] and notice.context["hearing_on"] == "2099-01-06"


@pytest.mark.django_db
def test_no_hearing_before_the_grounds_are_known(scheme, people):
    objection = factories.ObjectionFactory(application=rejected_on(scheme, people, D(2026, 11, 2)), pro_forma=True)
    with pytest.raises(TransitionRefused):
        services.objection_schedule_hearing(objection_id=objection.pk, actor=people["officer"],
                                            at=datetime.datetime(2099, 1, 6, 14, tzinfo=AMS), place="Stadhuis")
    with pytest.raises(TransitionRefused):
        services.objection_hear(objection_id=objection.pk, actor=people["officer"], minutes="Gehoord.")


@pytest.mark.django_db
def test_hearing_is_recorded_with_minutes_or_as_waived(scheme, people):
    objection = factories.ObjectionFactory(application=rejected_on(scheme, people, D(2026, 11, 2)))
    with pytest.raises(TransitionRefused):
        services.objection_hear(objection_id=objection.pk, actor=people["officer"], minutes="  ")
    with pytest.raises(TransitionRefused):
        services.objection_hear(objection_id=objection.pk, actor=people["manager"], waived=True)
    services.objection_hear(objection_id=objection.pk, actor=people["officer"], waived=True)
    objection.refresh_from_db()
    assert objection.state == ObjectionState.HEARD and objection.hearing_waived


@pytest.mark.django_db
def test_late_objection_is_only_inadmissible_unless_the_delay_is_excused(scheme, people):
    objection = factories.ObjectionFactory(application=rejected_on(scheme, people, D(2026, 9, 1)), heard=True,
                                           late=True)
    with pytest.raises(TransitionRefused, match="6:11"):
        services.objection_propose(objection_id=objection.pk, actor=people["officer"], outcome="unfounded",
                                   motivation="Ongegrond.")
    services.objection_excuse_delay(objection_id=objection.pk, actor=people["officer"], reason="Ziekenhuisopname.")
    settle(objection, people, "unfounded")
    objection.refresh_from_db()
    assert objection.state == ObjectionState.DECIDED and objection.outcome == "unfounded"


@pytest.mark.django_db
def test_delay_is_excused_only_for_a_late_objection(scheme, people):
    objection = factories.ObjectionFactory(application=rejected_on(scheme, people, D(2026, 11, 2)))
    with pytest.raises(TransitionRefused):
        services.objection_excuse_delay(objection_id=objection.pk, actor=people["officer"], reason="Geen.")


# --- deciding (four-eyes: the officer proposes, a manager decides) ---------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["manager", "officer_y", "objector"])
def test_only_an_officer_of_the_municipality_proposes(scheme, people, who):
    objection = factories.ObjectionFactory(application=rejected_on(scheme, people, D(2026, 11, 2)), heard=True)
    with pytest.raises(TransitionRefused):
        services.objection_propose(objection_id=objection.pk, actor=people[who], outcome="unfounded",
                                   motivation="Ongegrond.")


@pytest.mark.django_db
@pytest.mark.parametrize("trait", [{}, {"grounds_requested": True}, {"proposed": True}, {"decided": True}])
def test_a_proposal_needs_a_heard_objection(scheme, people, trait):
    objection = factories.ObjectionFactory(application=rejected_on(scheme, people, D(2026, 11, 2)), **trait)
    with pytest.raises(TransitionRefused):
        services.objection_propose(objection_id=objection.pk, actor=people["officer"], outcome="unfounded",
                                   motivation="Ongegrond.")


@pytest.mark.django_db
def test_proposal_awaits_a_manager_with_a_notice(scheme, people):
    objection = factories.ObjectionFactory(application=rejected_on(scheme, people, D(2026, 11, 2)), heard=True)
    services.objection_propose(objection_id=objection.pk, actor=people["officer"], outcome="unfounded",
                               motivation="Ongegrond.")
    objection.refresh_from_db()
    assert objection.state == ObjectionState.PROPOSED and objection.proposed_by == people["officer"]
    # Not "decider", who took the decision objected to and may not decide the objection (Awb 7:5 spirit).
    assert set(Outbox.objects.filter(event="objection_decision_proposed").values_list("recipient", flat=True)) == {
        people["manager"].pk}


@pytest.mark.django_db
def test_proposal_is_announced_only_to_the_managers_who_may_decide_it(scheme, people, org_x):
    application = rejected_on(scheme, people, D(2026, 11, 2))
    application.proposed_by = factories.make_staff(org_x, StaffRole.MANAGER)  # proposed the decision objected to
    application.save()
    involved = factories.make_staff(org_x, StaffRole.MANAGER)
    CompanyMembership.objects.create(user=involved, company=application.company)
    proposer = people["officer"]
    StaffMembership.objects.create(user=proposer, organisation=org_x, role=StaffRole.MANAGER)
    factories.make_staff(org_x, StaffRole.MANAGER, is_active=False)
    objection = factories.ObjectionFactory(application=application, heard=True)

    services.objection_propose(objection_id=objection.pk, actor=proposer, outcome="unfounded", motivation="Nee.")

    told = set(Outbox.objects.filter(event="objection_decision_proposed").values_list("recipient", flat=True))
    assert told == {people["manager"].pk}
    objection.refresh_from_db()
    managers = User.objects.filter(staff_memberships__organisation=org_x, staff_memberships__role=StaffRole.MANAGER)
    assert told == {m.pk for m in managers if m.is_active and access.decides_objection(objection, m)}


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["officer", "decider", "manager_y", "objector"])
def test_decision_is_refused_to_officers_others_and_the_one_who_took_the_decision(scheme, people, who):
    objection = factories.ObjectionFactory(application=rejected_on(scheme, people, D(2026, 11, 2)), proposed=True)
    with pytest.raises(TransitionRefused):
        services.objection_decide(objection_id=objection.pk, actor=people[who])
    objection.refresh_from_db()
    assert objection.state == ObjectionState.PROPOSED


@pytest.mark.django_db
def test_the_proposer_never_decides_the_objection(scheme, people, org_x):
    proposer = people["officer"]
    StaffMembership.objects.create(user=proposer, organisation=org_x, role=StaffRole.MANAGER)
    objection = factories.ObjectionFactory(application=rejected_on(scheme, people, D(2026, 11, 2)), heard=True)
    services.objection_propose(objection_id=objection.pk, actor=proposer, outcome="unfounded", motivation="Nee.")
    with pytest.raises(TransitionRefused):
        services.objection_decide(objection_id=objection.pk, actor=proposer)
    with pytest.raises(TransitionRefused):
        services.objection_send_back(objection_id=objection.pk, actor=proposer, comment="Zelf.")


@pytest.mark.django_db
def test_who_proposed_the_decision_objected_to_may_not_decide_the_objection(scheme, people, org_x):
    proposer = factories.make_staff(org_x, StaffRole.MANAGER)
    application = rejected_on(scheme, people, D(2026, 11, 2))
    application.proposed_by = proposer
    application.save()
    objection = factories.ObjectionFactory(application=application, proposed=True)
    with pytest.raises(TransitionRefused):
        services.objection_decide(objection_id=objection.pk, actor=proposer)


@pytest.mark.django_db
@pytest.mark.parametrize("trait", [{}, {"grounds_requested": True}, {"heard": True}, {"decided": True}])
def test_decide_needs_a_proposal(scheme, people, trait):
    objection = factories.ObjectionFactory(application=rejected_on(scheme, people, D(2026, 11, 2)), **trait)
    with pytest.raises(TransitionRefused):
        services.objection_decide(objection_id=objection.pk, actor=people["manager"])


@pytest.mark.django_db
def test_manager_sends_a_proposal_back_to_its_proposer(scheme, people):
    objection = factories.ObjectionFactory(application=rejected_on(scheme, people, D(2026, 11, 2)), heard=True)
    services.objection_propose(objection_id=objection.pk, actor=people["officer"], outcome="unfounded",
                               motivation="Ongegrond.")
    with pytest.raises(TransitionRefused):
        services.objection_send_back(objection_id=objection.pk, actor=people["officer"], comment="Zelf.")
    services.objection_send_back(objection_id=objection.pk, actor=people["manager"], comment="Hoorverslag erbij.")
    objection.refresh_from_db()
    assert objection.state == ObjectionState.HEARD
    assert Outbox.objects.get(event="proposal_sent_back").recipient == people["officer"]


@pytest.mark.django_db
def test_unfounded_objection_leaves_the_decision_and_informs_the_objector(scheme, people):
    application = decided(scheme, people, "award", amount="1500.00")
    objection = factories.ObjectionFactory(application=application, heard=True)
    before = LedgerEntry.objects.count()
    settle(objection, people, "unfounded", motivation="Het besluit blijft.")
    application.refresh_from_db()
    objection.refresh_from_db()
    assert (objection.outcome, objection.motivation, objection.decided_by) == (
        "unfounded", "Het besluit blijft.", people["manager"])
    assert application.state == ApplicationState.AWARDED and application.awarded_amount == Decimal("1500.00")
    assert LedgerEntry.objects.count() == before
    assert Outbox.objects.get(event="objection_decided").recipient == people["objector"]


@pytest.mark.django_db
@pytest.mark.parametrize("trait", [{"late": True}, {"grounds_requested": True, "grounds_due_on": D(2026, 11, 26)}])
def test_inadmissible_directly_when_late_or_after_the_grounds_period(scheme, people, trait):
    objection = factories.ObjectionFactory(application=rejected_on(scheme, people, D(2026, 9, 1)), **trait)
    with pytest.raises(TransitionRefused):
        services.objection_declare_inadmissible(objection_id=objection.pk, actor=people["officer"],
                                                motivation="Te laat.")
    services.objection_declare_inadmissible(objection_id=objection.pk, actor=people["manager"],
                                            motivation="Te laat, niet verschoonbaar.")
    objection.refresh_from_db()
    assert (objection.state, objection.outcome) == (ObjectionState.DECIDED, "inadmissible")


@pytest.mark.django_db
def test_not_inadmissible_for_want_of_grounds_while_the_grounds_period_runs(scheme, people):
    objection = factories.ObjectionFactory(application=rejected_on(scheme, people, D(2026, 11, 2)),
                                           grounds_requested=True, grounds_due_on=D(2026, 12, 9))
    with at(D(2026, 12, 9)), pytest.raises(TransitionRefused):
        services.objection_declare_inadmissible(objection_id=objection.pk, actor=people["manager"],
                                                motivation="Geen gronden.")
    with at(D(2026, 12, 10)):
        services.objection_declare_inadmissible(objection_id=objection.pk, actor=people["manager"],
                                                motivation="Geen gronden binnen de termijn (Awb 6:6).")
    objection.refresh_from_db()
    assert objection.outcome == "inadmissible"


@pytest.mark.django_db
def test_founded_objection_turns_a_rejection_into_an_award_committed_in_the_ledger(scheme, people):
    application = decided(scheme, people, "reject")
    objection = factories.ObjectionFactory(application=application, heard=True)
    settle(objection, people, "founded", new_outcome="award", new_amount=Decimal("2000.00"))
    application.refresh_from_db()
    scheme.budget.refresh_from_db()
    assert application.state == ApplicationState.AWARDED and application.awarded_amount == Decimal("2000.00")
    entry = LedgerEntry.objects.get(idempotency_key=f"objection:{objection.pk}:commitment")
    assert entry.amount == Decimal("2000.00") and scheme.budget.committed == Decimal("2000.00")
    assert TransitionLog.objects.filter(object_id=application.pk, transition="reconsider",
                                        target_state="awarded").exists()
    assert budget_reconcile(scheme.budget) == {}


@pytest.mark.django_db
def test_founded_award_beyond_the_ceiling_is_refused_with_the_ceiling_reason(org_x, people):
    scheme = factories.SchemeFactory(organisation=org_x, ceiling=Decimal("3000.00"))
    application = decided(scheme, people, "reject")
    decided(scheme, people, "award", requested="1500.00", amount="1500.00")
    objection = factories.ObjectionFactory(application=application, heard=True)
    services.objection_propose(objection_id=objection.pk, actor=people["officer"], outcome="founded",
                               new_outcome="award", new_amount=Decimal("2000.00"), motivation="Toch.")
    with translation.override("en"), pytest.raises(TransitionRefused, match="budget ceiling"):
        services.objection_decide(objection_id=objection.pk, actor=people["manager"])
    application.refresh_from_db()
    objection.refresh_from_db()
    assert application.state == ApplicationState.REJECTED and objection.state == ObjectionState.PROPOSED
    assert not LedgerEntry.objects.filter(idempotency_key__startswith="objection:").exists()


@pytest.mark.django_db
@pytest.mark.parametrize(("new_amount", "kind", "difference", "committed"), [
    ("2000.00", "commitment", "500.00", "2000.00"),
    ("1200.00", "release", "300.00", "1200.00"),
])
def test_partly_founded_objection_moves_the_budget_by_the_difference(scheme, people, new_amount, kind, difference,
                                                                     committed):
    application = decided(scheme, people, "award", amount="1500.00")
    objection = factories.ObjectionFactory(application=application, heard=True)
    settle(objection, people, "partly_founded", new_outcome="award", new_amount=Decimal(new_amount))
    application.refresh_from_db()
    scheme.budget.refresh_from_db()
    assert application.awarded_amount == Decimal(new_amount)
    assert LedgerEntry.objects.get(idempotency_key=f"objection:{objection.pk}:{kind}").amount == Decimal(difference)
    assert scheme.budget.committed == Decimal(committed) and budget_reconcile(scheme.budget) == {}


@pytest.mark.django_db
def test_founded_objection_against_an_award_may_reject_and_release_it(scheme, people):
    application = decided(scheme, people, "award", amount="1500.00")
    objection = factories.ObjectionFactory(application=application, heard=True)
    settle(objection, people, "founded", new_outcome="reject")
    application.refresh_from_db()
    scheme.budget.refresh_from_db()
    assert application.state == ApplicationState.REJECTED and application.awarded_amount is None
    assert scheme.budget.committed == Decimal("0.00") and budget_reconcile(scheme.budget) == {}


@pytest.mark.django_db
def test_founded_award_above_the_request_is_refused(scheme, people):
    application = decided(scheme, people, "reject", requested="1500.00")
    objection = factories.ObjectionFactory(application=application, heard=True)
    with pytest.raises(TransitionRefused):
        services.objection_propose(objection_id=objection.pk, actor=people["officer"], outcome="founded",
                                   new_outcome="award", new_amount=Decimal("1600.00"), motivation="Toch.")


@pytest.mark.django_db
def test_reconsider_is_refused_on_an_undecided_application(scheme, people):
    application = factories.ApplicationFactory(scheme=scheme, in_review=True)
    with pytest.raises(TransitionRefused):
        services.run_transition(model=type(application), pk=application.pk, name="reconsider",
                                actor=people["manager"], params={"outcome": "award", "amount": Decimal("1")})


# --- notices ----------------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["nl", "en"])
@pytest.mark.parametrize(("event", "context"), [
    ("objection_lodged", {"late": True, "pro_forma": True}),
    ("objection_lodged", {"grounds_supplied": True}),
    ("objection_grounds_requested", {"grounds_due_on": "2026-05-26"}),
    ("hearing_scheduled", {"hearing_on": "2026-06-02", "hearing_time": "14:30", "place": "Stadhuis"}),
    ("objection_decided", {"outcome": "founded", "motivation": "Toch.", "new_amount": "2000.00"}),
    ("objection_decision_proposed", {}),
])
def test_objection_notices_render_in_both_languages(event, context, language):
    row = Outbox(event=event, language=language, url="/x/", context={
        "reference": "ALP-2026-00001", "scheme_nl": "Voucher", "scheme_en": "Voucher", "company": "Bedrijf B.V.",
        "organisation": "Gemeente Alphen", "decision_due_on": "2026-07-07", **context})
    subject, text, html = render_message(row)
    assert "ALP-2026-00001" in subject and "ALP-2026-00001" in text and "ALP-2026-00001" in html
    assert "{{" not in text + html


# --- pages ------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_applicant_lodges_a_pro_forma_objection_through_the_page(client, scheme, people):
    application = rejected_on(scheme, people, D(2026, 11, 20))
    client.force_login(people["objector"])
    page = client.get(reverse("application_detail", args=[application.pk]))
    assert reverse("objection_lodge", args=[application.pk]) in page.content.decode()
    response = client.post(reverse("objection_lodge", args=[application.pk]), {"grounds": ""})
    objection = Objection.objects.get()
    assert response.url == reverse("my_objection", args=[objection.pk]) and objection.pro_forma
    assert client.get(response.url).status_code == 200


@pytest.mark.django_db
def test_the_objector_never_sees_the_proposal(client, scheme, people):
    objection = factories.ObjectionFactory(application=rejected_on(scheme, people, D(2026, 11, 2)), heard=True)
    services.objection_propose(objection_id=objection.pk, actor=people["officer"], outcome="unfounded",
                               motivation="Interne afweging: ongegrond.")
    client.force_login(people["objector"])
    with translation.override("en"):
        body = client.get(reverse("my_objection", args=[objection.pk]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Interne afweging" not in body and "Decision proposed" not in body and "Besluit voorgesteld" not in body


@pytest.mark.django_db
def test_invalid_staff_forms_answer_at_the_field_without_change(client, scheme, people):
    objection = factories.ObjectionFactory(application=rejected_on(scheme, people, D(2026, 11, 2)), heard=True)
    client.force_login(people["officer"])
    response = client.post(reverse("objection_propose", args=[objection.pk]),
                           {"outcome": "founded", "new_outcome": "award", "new_amount": "abc", "motivation": "x"})
    assert response.status_code == 400 and 'id="id_new_amount_error"' in response.content.decode()
    objection.refresh_from_db()
    assert objection.state == ObjectionState.HEARD


@pytest.mark.django_db
def test_staff_detail_shows_only_the_allowed_actions(client, scheme, people):
    objection = factories.ObjectionFactory(application=rejected_on(scheme, people, D(2026, 11, 2)), proposed=True)
    decide = reverse("objection_decide", args=[objection.pk])
    client.force_login(people["officer"])
    assert decide not in client.get(reverse("objection_detail", args=[objection.pk])).content.decode()
    client.force_login(people["manager"])
    assert decide in client.get(reverse("objection_detail", args=[objection.pk])).content.decode()


@pytest.mark.django_db
def test_objection_list_shows_only_the_municipalitys_objections(client, scheme, people, org_y):
    mine = factories.ObjectionFactory(application=rejected_on(scheme, people, D(2026, 11, 2)))
    other = factories.ObjectionFactory(application=factories.ApplicationFactory(
        scheme=factories.SchemeFactory(organisation=org_y), rejected=True))
    client.force_login(people["officer"])
    body = client.get(reverse("objection_list")).content.decode()
    assert reverse("objection_detail", args=[mine.pk]) in body
    assert reverse("objection_detail", args=[other.pk]) not in body
    assert client.get(reverse("objection_detail", args=[other.pk])).status_code == 404


def _objections(scheme, count):
    for _ in range(count):
        factories.ObjectionFactory(application=factories.ApplicationFactory(scheme=scheme, rejected=True))


@pytest.mark.django_db
def test_objection_list_costs_the_same_for_one_and_fifty_rows(client, scheme, people, django_assert_num_queries):
    client.force_login(people["officer"])
    _objections(scheme, 1)
    client.get(reverse("objection_list"))  # warm the session and the content types
    # session, user, the second-factor device, memberships (one query), count of objections,
    # unread count, the page's rows with application, company and scheme joined
    with django_assert_num_queries(7):
        assert client.get(reverse("objection_list")).status_code == 200
    _objections(scheme, 49)
    with django_assert_num_queries(7):
        response = client.get(reverse("objection_list"))
    assert response.content.decode().count(reverse("objection_detail", args=[0])[:-2]) >= 50


@pytest.mark.django_db
def test_demo_region_holds_an_objection_in_every_state_with_a_founded_one(client):
    call_command("seed_demo", stdout=io.StringIO())
    states = set(Objection.objects.values_list("state", flat=True))
    assert states == {"lodged", "grounds_requested", "heard", "proposed", "decided"}
    founded = Objection.objects.get(outcome="founded")
    assert founded.application.state == ApplicationState.AWARDED
    assert LedgerEntry.objects.filter(idempotency_key=f"objection:{founded.pk}:commitment").exists()
    assert budget_reconcile(founded.application.scheme.budget) == {}
    # Every demo objection's pages render for the officer, the deciding manager and the objector.
    officer, jurist = User.objects.get(email="behandelaar@alphen.demo"), User.objects.get(email="jurist@alphen.demo")
    for objection in Objection.objects.select_related("application", "lodged_by"):
        for user in (officer, jurist):
            client.force_login(user)
            assert client.get(reverse("objection_detail", args=[objection.pk])).status_code == 200
        client.force_login(objection.lodged_by)
        assert client.get(reverse("my_objection", args=[objection.pk])).status_code == 200
        assert client.get(reverse("application_detail", args=[objection.application_id])).status_code == 200
    client.force_login(officer)
    assert client.get(reverse("objection_list") + "?all=1").content.decode().count("/behandeling/bezwaren/") >= 5
