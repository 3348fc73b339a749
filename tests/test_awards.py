"""Awards: made at approval (advance, direct determination), final determination and settlement,
revocation with four-eyes, recovery by payment or set-off; the ledger effect of each step."""

import datetime
from decimal import Decimal

import pytest
from django.db.models import Sum
from django.urls import reverse

from grants.models import (
    Award,
    AwardState,
    Budget,
    InstructionState,
    LedgerEntry,
    LedgerKind,
    PaymentKind,
    RecoveryMethod,
    RecoveryState,
    StaffRole,
)
from grants.services import budget_reconcile
from notifications.models import Outbox
from tests import factories
from workflows.exceptions import TransitionRefused
from workflows.models import TransitionLog
from workflows.services import (
    award_approve_revocation,
    award_determine,
    award_propose_revocation,
    award_reject_revocation,
    batch_approve,
    batch_mark_paid,
    batch_prepare,
    recovery_register_payment,
    recovery_set_off,
)

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def pilot(org_x):
    return factories.PilotSchemeFactory(organisation=org_x, ceiling=D("200000.00"))


@pytest.fixture
def officer(org_x):
    return factories.make_staff(org_x, StaffRole.OFFICER)


@pytest.fixture
def manager(org_x):
    return factories.make_staff(org_x, StaffRole.MANAGER)


def budget_of(scheme):
    return Budget.objects.get(scheme=scheme)


def pay(award, officer, manager, today=None):
    """Run every open instruction of the award through a batch, marked paid today."""
    from django.utils import timezone

    ids = list(award.payment_instructions.filter(state=InstructionState.OPEN).values_list("pk", flat=True))
    batch = batch_prepare(organisation_id=award.application.scheme.organisation_id, instruction_ids=ids,
                          actor=officer)
    batch_approve(batch_id=batch.pk, actor=manager)
    return batch_mark_paid(batch_id=batch.pk, actor=manager, paid_on=today or timezone.localdate())


def commitment_released(budget):
    """What was released of commitments (the budget's released total also counts reservations that an
    award's commitment replaced)."""
    return budget.entries.filter(kind=LedgerKind.RELEASE).aggregate(total=Sum("amount"))["total"] or D("0.00")


def test_award_above_threshold_commits_and_instructs_the_advance(pilot):
    award = factories.make_award(pilot, "50000.00")
    assert award.state == AwardState.GRANTED and award.advance_amount == D("40000.00")
    advance = award.payment_instructions.get()
    assert (advance.kind, advance.amount, advance.state) == (PaymentKind.ADVANCE, D("40000.00"), InstructionState.OPEN)
    assert advance.iban == award.application.company.iban
    assert budget_of(pilot).committed == D("50000.00") and budget_of(pilot).paid == D("0.00")


def test_award_below_threshold_is_determined_directly_and_paid_in_full(org_x):
    scheme = factories.SchemeFactory(organisation=org_x, advance_percentage=50)
    award = factories.make_award(scheme, "1500.00")
    assert award.state == AwardState.DETERMINED and award.determined_amount == D("1500.00")
    assert award.advance_amount == D("0.00")
    assert list(award.payment_instructions.values_list("kind", "amount")) == [(PaymentKind.REMAINDER, D("1500.00"))]


def test_direct_determination_settles_when_the_payment_is_made(org_x, officer, manager):
    scheme = factories.SchemeFactory(organisation=org_x)
    award = factories.make_award(scheme, "1500.00")
    pay(award, officer, manager)
    award.refresh_from_db()
    assert award.state == AwardState.SETTLED
    budget = budget_of(scheme)
    assert (budget.committed, budget.paid) == (D("1500.00"), D("1500.00"))
    assert budget_reconcile(budget) == {}


def test_determination_below_the_advance_releases_and_recovers(pilot, officer, manager):
    award = factories.make_award(pilot, "50000.00")
    pay(award, officer, manager)  # the advance of 40,000
    factories.make_member(award.application.company)
    award = award_determine(award_id=award.pk, actor=officer, amount=D("30000.00"), motivation="Deels uitgevoerd")
    assert award.state == AwardState.DETERMINED
    recovery = award.recoveries.get()
    assert (recovery.amount, recovery.state) == (D("10000.00"), RecoveryState.OPEN)
    budget = budget_of(pilot)
    assert (budget.committed, budget.paid) == (D("30000.00"), D("40000.00"))
    # released: the reservation the commitment replaced, and the 20,000 the determination left unused
    assert commitment_released(budget) == D("20000.00")
    assert not award.payment_instructions.filter(kind=PaymentKind.REMAINDER).exists()
    assert Outbox.objects.filter(event="award_determined").exists()

    recovery_register_payment(recovery_id=recovery.pk, actor=officer)
    award.refresh_from_db()
    assert award.state == AwardState.SETTLED
    budget.refresh_from_db()
    assert budget.recovered == D("10000.00") and budget_reconcile(budget) == {}


def test_determination_above_the_advance_instructs_the_remainder(pilot, officer, manager):
    award = factories.make_award(pilot, "50000.00")
    pay(award, officer, manager)
    award = award_determine(award_id=award.pk, actor=officer, amount=D("45000.00"))
    remainder = award.payment_instructions.get(kind=PaymentKind.REMAINDER)
    assert remainder.amount == D("5000.00")
    assert commitment_released(budget_of(pilot)) == D("5000.00")
    pay(award, officer, manager)
    award.refresh_from_db()
    assert award.state == AwardState.SETTLED and budget_of(pilot).paid == D("45000.00")


def test_determination_before_the_advance_was_paid_cancels_it(pilot, officer):
    award = factories.make_award(pilot, "50000.00")
    award = award_determine(award_id=award.pk, actor=officer, amount=D("20000.00"))
    states = dict(award.payment_instructions.values_list("kind", "state"))
    assert states == {PaymentKind.ADVANCE: InstructionState.CANCELLED, PaymentKind.REMAINDER: InstructionState.OPEN}
    assert award.payment_instructions.get(kind=PaymentKind.REMAINDER).amount == D("20000.00")
    assert not award.recoveries.exists()


@pytest.mark.parametrize("amount", ["50000.01", "-1"])
def test_determination_refused_outside_zero_and_the_award(pilot, officer, amount):
    award = factories.make_award(pilot, "50000.00")
    with pytest.raises(TransitionRefused):
        award_determine(award_id=award.pk, actor=officer, amount=D(amount))
    award.refresh_from_db()
    assert award.state == AwardState.GRANTED and commitment_released(budget_of(pilot)) == D("0.00")


def test_determination_is_for_officers_only(pilot, manager):
    award = factories.make_award(pilot, "50000.00")
    with pytest.raises(TransitionRefused):
        award_determine(award_id=award.pk, actor=manager, amount=D("1000.00"))


def test_revocation_needs_a_second_person_and_recovers_what_was_paid(pilot, officer, manager, org_x):
    award = factories.make_award(pilot, "50000.00")
    pay(award, officer, manager)
    factories.make_member(award.application.company)
    award_propose_revocation(award_id=award.pk, actor=officer, amount=D("0"), reason="Activiteiten niet verricht")
    with pytest.raises(TransitionRefused):
        award_approve_revocation(award_id=award.pk, actor=officer)  # not a manager, and the proposer
    award = award_approve_revocation(award_id=award.pk, actor=manager)
    assert (award.state, award.amount) == (AwardState.REVOKED, D("0.00"))
    assert award.recoveries.get().amount == D("40000.00")
    budget = budget_of(pilot)
    assert (budget.committed, commitment_released(budget)) == (D("0.00"), D("50000.00"))
    assert award.de_minimis_shares.get().amount == D("0.00")
    assert Outbox.objects.filter(event="award_revoked").exists()
    assert TransitionLog.objects.filter(transition="revoke", object_id=award.pk).exists()


def test_manager_who_proposed_a_revocation_cannot_approve_it(pilot, org_x):
    from grants.models import StaffMembership

    both = factories.make_staff(org_x, StaffRole.OFFICER)
    StaffMembership.objects.create(user=both, organisation=org_x, role=StaffRole.MANAGER)
    award = factories.make_award(pilot, "50000.00")
    award_propose_revocation(award_id=award.pk, actor=both, amount=D("25000.00"), reason="Lager")
    with pytest.raises(TransitionRefused):
        award_approve_revocation(award_id=award.pk, actor=both)
    award.refresh_from_db()
    assert award.state == AwardState.REVOCATION_PROPOSED


def test_lowering_releases_the_difference_to_the_next_in_line(pilot, officer, manager):
    award = factories.make_award(pilot, "50000.00")
    award_propose_revocation(award_id=award.pk, actor=officer, amount=D("30000.00"), reason="Lager")
    award = award_approve_revocation(award_id=award.pk, actor=manager)
    assert award.amount == D("30000.00") and award.advance_amount == D("30000.00")
    assert budget_of(pilot).committed == D("30000.00")
    # The open advance was cancelled; what is due now is one remainder of the new amount.
    assert award.payment_instructions.get(state=InstructionState.OPEN).amount == D("30000.00")


def test_rejected_revocation_returns_to_the_previous_state(pilot, officer, manager):
    award = factories.make_award(pilot, "50000.00")
    award_propose_revocation(award_id=award.pk, actor=officer, amount=D("1.00"), reason="Lager")
    award = award_reject_revocation(award_id=award.pk, actor=manager)
    assert award.state == AwardState.GRANTED and award.amount == D("50000.00")


def test_recovery_set_off_against_another_payment_to_the_same_company(pilot, officer, manager, org_x):
    company = factories.CompanyFactory()
    first = factories.make_award(pilot, "50000.00", company=company, manager=manager)
    pay(first, officer, manager)
    first = award_determine(award_id=first.pk, actor=officer, amount=D("35000.00"))
    recovery = first.recoveries.get()
    second = factories.make_award(pilot, "30000.00", company=company, manager=manager)
    advance = second.payment_instructions.get()
    recovery_set_off(recovery_id=recovery.pk, actor=officer, instruction_id=advance.pk)
    advance.refresh_from_db()
    assert advance.net_amount == D("24000.00") - D("5000.00")
    recovery.refresh_from_db()
    assert (recovery.state, recovery.method) == (RecoveryState.SETTLED, RecoveryMethod.SET_OFF)
    assert budget_of(pilot).recovered == D("0.00")  # booked when the reduced payment is made
    pay(second, officer, manager)
    budget = budget_of(pilot)
    assert budget.recovered == D("5000.00") and budget.paid == D("40000.00") + D("24000.00")
    first.refresh_from_db()
    assert first.state == AwardState.SETTLED
    assert budget_reconcile(budget) == {}


def test_set_off_refused_against_another_companys_payment(pilot, officer, manager):
    first = factories.make_award(pilot, "50000.00", manager=manager)
    pay(first, officer, manager)
    recovery = award_determine(award_id=first.pk, actor=officer, amount=D("35000.00")).recoveries.get()
    other = factories.make_award(pilot, "30000.00", manager=manager).payment_instructions.get()
    with pytest.raises(TransitionRefused):
        recovery_set_off(recovery_id=recovery.pk, actor=officer, instruction_id=other.pk)
    assert LedgerEntry.objects.filter(kind=LedgerKind.RECOVERY).count() == 0


def test_one_award_per_application(pilot):
    award = factories.make_award(pilot, "50000.00")
    with pytest.raises(Exception):  # noqa: B017 - the OneToOne unique constraint
        Award.objects.create(application=award.application, amount=D("1.00"), granted_on=award.granted_on)


def test_award_page_links_from_the_case_and_shows_the_officer_the_determination(client, pilot, officer):
    from django.urls import reverse

    award = factories.make_award(pilot, "50000.00")
    client.force_login(officer)
    case = client.get(reverse("case_detail", args=[award.application_id])).content.decode()
    assert reverse("award_detail", args=[award.pk]) in case
    page = client.get(reverse("award_detail", args=[award.pk]))
    assert page.status_code == 200 and "determine" in page.context["actions"]


def test_award_page_shows_an_invalid_final_amount_at_the_field(client, pilot, officer):
    from django.urls import reverse

    award = factories.make_award(pilot, "50000.00")
    client.force_login(officer)
    response = client.post(reverse("award_determine", args=[award.pk]), {"amount": "veel", "motivation": "x"})
    assert response.status_code == 400 and "amount" in response.context["determination_form"].errors
    response = client.post(reverse("award_determine", args=[award.pk]), {"amount": "60000", "motivation": "x"})
    assert response.status_code == 302
    award.refresh_from_db()
    assert award.state == AwardState.GRANTED


def test_what_a_lower_determination_releases_flows_to_the_next_in_line(org_x, officer):
    from grants.services import budget_reserve, reserved_for

    scheme = factories.PilotSchemeFactory(organisation=org_x, ceiling=D("60000.00"))
    award = factories.make_award(scheme, "50000.00")
    waiting = factories.ApplicationFactory(scheme=scheme, submitted=True, requested_amount=D("20000.00"))
    assert budget_reserve(application=waiting, amount=D("20000.00")) == D("10000.00")  # partly covered
    award_determine(award_id=award.pk, actor=officer, amount=D("30000.00"))
    assert reserved_for(waiting) == D("20000.00")
    budget = budget_of(scheme)
    assert (budget.committed, budget.reserved, budget.available) == (D("30000.00"), D("20000.00"), D("10000.00"))


def a_year():
    today = datetime.date.today()
    return {"starts_on": today, "ends_on": today + datetime.timedelta(days=365)}


def accept_progress_reports(award, officer, count):
    """Accept the first ``count`` progress reports of the award's pilot (test setup submits them)."""
    from grants.models import ReportKind
    from workflows.services import report_accept

    reports = award.application.reporting_plan.reports.filter(kind=ReportKind.PROGRESS).order_by("due_on")
    for report in list(reports)[:count]:
        factories.set_report_state(report, "submitted")
        report_accept(report_id=report.pk, actor=officer)


def test_accepted_milestones_instruct_their_tranches_and_the_determination_counts_them(client, org_x, officer,
                                                                                        manager):
    scheme = factories.PilotSchemeFactory(organisation=org_x, ceiling=D("200000.00"), advance_percentage=0,
                                          milestone_tranche_percentage=25, progress_report_months=3)
    award = factories.make_award(scheme, "40000.00", manager=manager, **a_year())
    assert award.payment_instructions.count() == 0  # no advance on this scheme
    milestones = list(award.application.reporting_plan.milestones.order_by("due_on"))
    assert len(milestones) >= 2 and {m.tranche_amount for m in milestones} == {D("10000.00")}

    accept_progress_reports(award, officer, 2)
    tranches = award.payment_instructions.filter(kind=PaymentKind.TRANCHE).order_by("pk")
    assert [(t.amount, t.milestone_id, t.state) for t in tranches] == [
        (D("10000.00"), milestones[0].pk, InstructionState.OPEN),
        (D("10000.00"), milestones[1].pk, InstructionState.OPEN),
    ]
    assert milestones[0].title in tranches[0].description
    client.force_login(officer)
    page = client.get(reverse("award_detail", args=[award.pk]), HTTP_ACCEPT_LANGUAGE="nl").content.decode()
    assert f"Termijn bij mijlpaal ({milestones[1].title})" in page

    pay(award, officer, manager)  # both tranches, booked as advances (paid before the determination)
    assert LedgerEntry.objects.filter(application=award.application, kind=LedgerKind.ADVANCE).aggregate(
        total=Sum("amount"))["total"] == D("20000.00")
    assert budget_of(scheme).paid == D("20000.00")

    award_determine(award_id=award.pk, actor=officer, amount="35000.00", motivation="Minder kosten.")
    remainder = award.payment_instructions.get(kind=PaymentKind.REMAINDER)
    assert remainder.amount == D("15000.00")  # 35,000 less the two tranches paid
    pay(award, officer, manager)
    award.refresh_from_db()
    assert award.state == AwardState.SETTLED and budget_of(scheme).paid == D("35000.00")
    assert budget_reconcile(budget_of(scheme)) == {}


def test_tranches_never_pay_more_than_the_award(org_x, officer, manager):
    # An 80% advance leaves 20% of the award: the first 25% tranche is cut to what is left, the next is nothing.
    scheme = factories.PilotSchemeFactory(organisation=org_x, ceiling=D("200000.00"), advance_percentage=80,
                                          milestone_tranche_percentage=25, progress_report_months=3)
    award = factories.make_award(scheme, "40000.00", manager=manager, **a_year())
    accept_progress_reports(award, officer, 2)
    assert list(award.payment_instructions.order_by("pk").values_list("kind", "amount")) == [
        (PaymentKind.ADVANCE, D("32000.00")), (PaymentKind.TRANCHE, D("8000.00"))]

    # An open tranche at the final determination is cancelled and folded into the remainder.
    award_determine(award_id=award.pk, actor=officer, amount="40000.00")
    live = award.payment_instructions.exclude(state=InstructionState.CANCELLED)
    assert sorted(live.values_list("kind", "amount")) == [
        (PaymentKind.REMAINDER, D("40000.00"))]  # the advance was not paid yet either
    assert sum(live.values_list("amount", flat=True)) == D("40000.00")


def test_the_accepted_final_report_proposes_the_final_amount_from_its_costs(client, org_x, officer, manager):
    from grants.models import ReportKind
    from workflows.services import report_accept

    scheme = factories.PilotSchemeFactory(organisation=org_x, ceiling=D("200000.00"), cofunding_percentage=50)
    award = factories.make_award(scheme, "40000.00", manager=manager, **a_year())
    client.force_login(officer)
    url = reverse("award_detail", args=[award.pk])
    page = client.get(url)
    assert page.context["determination_basis"] is None
    assert page.context["determination_form"].initial["amount"] == D("40000.00")  # no final report yet

    final = award.application.reporting_plan.reports.get(kind=ReportKind.FINAL)
    factories.set_report_state(final, "submitted", costs_spent=D("61000.00"))
    report_accept(report_id=final.pk, actor=officer)
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="nl")
    basis = page.context["determination_basis"]
    # 50% of EUR 61,000 is EUR 30,500, below the award: that is the amount the form proposes.
    assert (basis.costs, basis.computed, basis.proposed) == (D("61000.00"), D("30500.00"), D("30500.00"))
    assert page.context["determination_form"].initial["amount"] == D("30500.00")
    text = page.content.decode()
    assert "Het geaccepteerde eindverslag vermeldt EUR 61.000,00" in text and "regeling van 50% is dat" in text

    factories.set_report_state(final, "accepted", costs_spent=D("99000.00"))  # more than the award covers
    assert client.get(url).context["determination_basis"].proposed == D("40000.00")

    # Staff of another municipality see nothing of it.
    stranger = factories.make_staff(factories.OrganisationFactory(), StaffRole.OFFICER)
    client.force_login(stranger)
    assert client.get(url).status_code == 404
