"""Application use cases. Each runs one transition through run_transition and adds its own
effects (reference, deadlines, ledger rows, outbox rows) inside the same transaction."""

from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from applicants.models import User
from grants import services as budget
from grants.eligibility import application_problems, computed_amount
from grants.letters import decision_letter_kind, letter_issue, letter_link
from grants.models import (
    Application,
    ApplicationState,
    BudgetExceeded,
    DecisionOutcome,
    DistributionMethod,
    ReferenceCounter,
    RejectionReason,
    StaffRole,
)
from grants.ranking import is_ranked, rank_order_refusal
from notifications.services import notify

from .. import access
from ..deadlines import next_working_day, term_end
from ..exceptions import TransitionRefused
from .awards import award_create
from .core import run_transition
from .pilots import reporting_plan_create
from .values import amount_value, date_value
from .vouchers import voucher_issue_for_award


def _staff(application, role):
    return User.objects.filter(
        staff_memberships__organisation_id=application.scheme.organisation_id,
        staff_memberships__role=role,
        is_active=True,
    ).distinct()


def _company_users(application):
    return User.objects.filter(company_memberships__company_id=application.company_id, is_active=True)


def _context(application):
    return {
        "reference": application.reference,
        "title": application.title,
        "scheme_nl": application.scheme.title_nl,
        "scheme_en": application.scheme.title_en,
        "organisation": application.scheme.organisation.name,
        "organisation_id": application.scheme.organisation_id,  # scopes the notification operations page
        "company": application.company.name,
        "decision_due_on": application.decision_due_on.isoformat() if application.decision_due_on else "",
    }


def _applicant_url(application):
    return reverse("application_detail", args=[application.pk])


def _staff_url(application):
    return reverse("case_detail", args=[application.pk])


def next_reference(organisation, year):
    """Reserve the next number of ``organisation`` in ``year`` (the counter row is locked by the update)."""
    counter, _created = ReferenceCounter.objects.get_or_create(organisation=organisation, year=year)
    ReferenceCounter.objects.filter(pk=counter.pk).update(last=F("last") + 1)
    counter.refresh_from_db()
    return f"{organisation.code}-{year}-{counter.last:05d}"


def application_submit(*, application_id, actor):
    """Submit a draft: reference, receipt, decision due date and, for first-come schemes, the budget
    reservation in order of completeness. Refused when the scheme is closed or while
    grants.eligibility.application_problems finds anything (the draft stays; the message lists them and
    the refusal's ``reasons`` holds them)."""
    now = timezone.now()

    def effects(app):
        scheme = app.scheme
        if not scheme.is_open(timezone.localdate(now)):
            raise TransitionRefused(_("This scheme is not open for applications; your draft has been kept."))
        problems = application_problems(app, today=timezone.localdate(now))
        if problems:
            refusal = TransitionRefused(" ".join([_("Your application cannot be submitted yet; your draft has been "
                                                    "kept."), *(str(problem.message) for problem in problems)]))
            refusal.reasons = problems  # the grants.eligibility.Reason list, for pages that show them per step
            raise refusal
        app.reference = next_reference(scheme.organisation, timezone.localdate(now).year)
        app.decision_due_on = term_end(timezone.localdate(now), weeks=scheme.decision_term_weeks)
        if scheme.distribution == DistributionMethod.FIRST_COME:
            # The moment of completeness is taken under the budget lock, so the order of reservations
            # is the order of completeness even when submissions race (first come, first served).
            budget.budget_lock(scheme.pk)
            app.submitted_at = app.completed_at = timezone.now()
            budget.budget_reserve(application=app, amount=app.requested_amount, actor=actor)
        notify(event="application_submitted", recipients=_company_users(app), context=_context(app),
               url=_applicant_url(app))
        notify(event="application_received", recipients=_staff(app, StaffRole.OFFICER), context=_context(app),
               url=_staff_url(app))

    return run_transition(model=Application, pk=application_id, name="submit", actor=actor,
                          params={"at": now}, effects=effects)


def application_request_info(*, application_id, actor, missing, deadline=None):
    """Ask the applicant to complete the application by ``deadline`` (default: the scheme's repair
    period). Awb 4:15: the decision clock stops from the day after this request."""

    today = timezone.localdate()
    due = date_value(deadline, optional=True) or term_end(today, days=app_repair_days(application_id))
    if due <= today:
        raise TransitionRefused(_("The repair deadline must be after today."))

    def effects(app):
        notify(event="info_requested", recipients=_company_users(app),
               context={**_context(app), "missing": missing, "repair_due_on": due.isoformat()},
               url=_applicant_url(app))

    return run_transition(model=Application, pk=application_id, name="request_info", actor=actor,
                          params={"on": today, "due": due}, effects=effects, comment=missing)


def app_repair_days(application_id):
    """The scheme's default repair period in days (DOMAIN: two weeks unless the scheme says otherwise)."""
    days = Application.objects.filter(pk=application_id).values_list("scheme__repair_period_days", flat=True)
    return days.first() or 14


def application_supply_info(*, application_id, actor, comment=""):
    """The applicant completes the application: the decision clock resumes, and the days it stood
    still (from the day after the request up to and including today, Awb 4:15) extend the due date."""
    today = timezone.localdate()

    def effects(app):
        if app.info_requested_on and app.decision_due_on:
            paused = max((today - app.info_requested_on).days, 0)
            app.paused_days += paused
            app.decision_due_on = next_working_day(app.decision_due_on + timedelta(days=paused))
        recipients = [app.assigned_to] if app.assigned_to_id else _staff(app, StaffRole.OFFICER)
        notify(event="info_supplied", recipients=recipients, context=_context(app), url=_staff_url(app))

    return run_transition(model=Application, pk=application_id, name="supply_info", actor=actor,
                          params={"at": timezone.now()}, effects=effects, comment=comment)


def application_assign(*, application_id, actor, assignee):
    """Assign an open case to ``assignee``: an active officer of the case's municipality who is not a member
    of the applying company (never a conflict of interest). The assignee is told unless they assigned it
    themselves. Raises TransitionRefused."""

    def effects(app):
        if not (assignee.is_active and access.handles_case(app, assignee)):
            raise TransitionRefused(_("%(name)s cannot handle this case: only an officer of %(municipality)s who "
                                      "is not involved with the company.") % {
                "name": assignee.full_name, "municipality": app.scheme.organisation.name})
        if assignee.pk != actor.pk:
            notify(event="case_assigned", recipients=[assignee], url=_staff_url(app),
                   context={**_context(app), "assigned_by": actor.full_name})

    return run_transition(model=Application, pk=application_id, name="assign", actor=actor, effects=effects,
                          params={"to": assignee}, comment=assignee.full_name)


def application_start_review(*, application_id, actor):
    def effects(app):
        if app.assigned_to_id is None:
            app.assigned_to = actor

    return run_transition(model=Application, pk=application_id, name="start_review", actor=actor, effects=effects)


def award_cap(application):
    """The most an award may be: the request, the scheme's maximum and, when the application has cost
    lines, the co-funding share of its eligible costs."""
    cap = min(application.requested_amount, application.scheme.max_amount)
    if application.cost_lines.exists():
        cap = min(cap, computed_amount(application))
    return cap


def _approvers(app, actor):
    """Who is asked to approve: officers or managers by the scheme's four-eyes band, never the proposer."""
    role = StaffRole.OFFICER if access.approver_role(app) == access.OFFICER else StaffRole.MANAGER
    return _staff(app, role).exclude(pk=actor.pk).exclude(company_memberships__company_id=app.company_id)


def application_propose(*, application_id, actor, outcome, amount, motivation, rejection_reason=""):
    """Propose a decision for approval by a second officer or a manager (the scheme's four-eyes band).
    An award's amount is above zero and at most award_cap; a rejection needs a reason code. When the
    scheme has assessment criteria, every criterion must be scored first. Raises TransitionRefused."""
    if outcome not in (DecisionOutcome.AWARD, DecisionOutcome.REJECT, DecisionOutcome.NOT_CONSIDERED):
        raise TransitionRefused(_("Choose the decision to propose."))
    if outcome == DecisionOutcome.AWARD:
        amount = amount_value(amount, optional=True)

    def effects(app):
        if outcome == DecisionOutcome.NOT_CONSIDERED:
            raise TransitionRefused(
                _("“Not considered” can only be proposed when the repair period has lapsed (Awb 4:5).")
            )
        missing = app.scheme.criteria.exclude(scores__application=app).count()
        if missing:
            raise TransitionRefused(_("Score every assessment criterion before proposing a decision "
                                      "(%(count)s not scored yet).") % {"count": missing})
        if outcome == DecisionOutcome.AWARD:
            cap = award_cap(app)
            if amount is None or amount <= Decimal("0") or amount > cap:
                raise TransitionRefused(_("The proposed amount must be above zero and at most %(cap)s.") % {"cap": cap})
        elif rejection_reason not in RejectionReason.values:
            raise TransitionRefused(_("Choose the reason for the rejection."))
        notify(event="proposal_awaiting_approval", recipients=_approvers(app, actor),
               context=_context(app), url=_staff_url(app))

    return run_transition(
        model=Application, pk=application_id, name="propose", actor=actor, effects=effects, comment=motivation,
        params={"by": actor, "outcome": outcome, "amount": amount if outcome == DecisionOutcome.AWARD else None,
                "motivation": motivation, "rejection_reason": rejection_reason or ""},
    )


def application_propose_not_considered(*, application_id, actor, motivation):
    """Propose "not considered" (Awb 4:5) for an application whose repair period lapsed incomplete."""

    def effects(app):
        notify(event="proposal_awaiting_approval", recipients=_approvers(app, actor),
               context=_context(app), url=_staff_url(app))

    return run_transition(model=Application, pk=application_id, name="propose_not_considered", actor=actor,
                          effects=effects, comment=motivation, params={"by": actor, "motivation": motivation})


def application_send_back(*, application_id, actor, comment):
    def effects(app):
        proposer = User.objects.filter(pk=app.proposed_by_id)
        notify(event="proposal_sent_back", recipients=proposer, context={**_context(app), "comment": comment},
               url=_staff_url(app))

    return run_transition(model=Application, pk=application_id, name="send_back", actor=actor, effects=effects,
                          comment=comment)


def _budget_for_award(application_id, actor):
    """What the budget can give the proposed award being approved (Awb 4:25), under the case and budget
    locks: first come, its reservation; ranking or lottery, what is left of the ceiling, and only in rank
    order (TransitionRefused otherwise). None when there is no award to approve by ``actor``, so that
    run_transition gives its own refusal."""
    app = Application.objects.select_for_update(no_key=True).select_related("scheme").filter(pk=application_id).first()
    if (app is None or app.state != ApplicationState.PROPOSED or app.proposed_outcome != DecisionOutcome.AWARD
            or not access.approves_case(app, actor)):
        return None
    locked = budget.budget_lock(app.scheme_id)
    if app.scheme.distribution == DistributionMethod.FIRST_COME:
        # Budget nobody holds (a raised ceiling) first reaches the applications in line, in order of
        # completeness; what this one then holds is what it can be awarded.
        budget.budget_reflow(scheme_id=app.scheme_id, actor=actor)
        return budget.reserved_for(app)
    if is_ranked(app.scheme):
        refusal = rank_order_refusal(app)
        if refusal:
            raise TransitionRefused(refusal)
    return max(locked.available, Decimal("0.00"))


def application_approve(*, application_id, actor):
    """Approve the proposed decision (four-eyes: never by its proposer; the scheme's band says whether a
    second officer or a manager). An award is refused to the extent the budget cannot give it (Awb 4:25):
    a partial award up to the reservation (first come) or the rest of the ceiling (ranking, lottery), or a
    rejection with reason "ceiling reached"; the award commits the amount in place of the reservation; a
    rejection releases the reservation. Ranked schemes award in rank order only."""

    def effects(app):
        if app.state == ApplicationState.AWARDED:
            try:
                budget.budget_commit(application=app, amount=app.awarded_amount, actor=actor)
            except BudgetExceeded as error:
                raise TransitionRefused(str(error)) from None
            award_create(application=app, actor=actor)  # the Award, its advance, de minimis (services/awards.py)
            voucher_issue_for_award(application=app, actor=actor)  # vouchers: workflows/services/vouchers.py
        else:
            budget.budget_release_reservation(application=app, actor=actor,
                                              reason=app.rejection_reason or app.proposed_outcome)
        # What this decision leaves unused flows to the next applications in line.
        app.save()
        reporting_plan_create(application=app)  # pilot and chain awards only (workflows.services.pilots)
        budget.budget_reflow(scheme_id=app.scheme_id, actor=actor)
        letter = letter_issue(application=app, kind=decision_letter_kind(app), actor=actor)
        notify(event="decision_made", recipients=_company_users(app),
               context={**_context(app), "outcome": DECIDED_OUTCOME[app.state],
                        "amount": str(app.awarded_amount or ""), **_reason_context(app),
                        "letter_url": letter_link(letter)},
               url=_applicant_url(app))

    with transaction.atomic():
        granted = _budget_for_award(application_id, actor)
        return run_transition(model=Application, pk=application_id, name="approve", actor=actor, effects=effects,
                              params={"by": actor, "at": timezone.now(), "granted": granted})


def _reason_context(app):
    """The reason for (partly) refusing, in both languages, for the decision's message."""
    if not app.rejection_reason:
        return {}
    labels = {}
    for language in ("nl", "en"):
        with translation.override(language):
            labels[f"rejection_reason_{language}"] = str(app.get_rejection_reason_display())
    return labels


DECIDED_OUTCOME = {
    ApplicationState.AWARDED: DecisionOutcome.AWARD,
    ApplicationState.REJECTED: DecisionOutcome.REJECT,
    ApplicationState.NOT_CONSIDERED: DecisionOutcome.NOT_CONSIDERED,
}


def application_withdraw(*, application_id, actor):
    def effects(app):
        budget.budget_release_reservation(application=app, actor=actor, reason="withdrawn")
        app.save()  # leave the line before the released money flows to the next applications
        budget.budget_reflow(scheme_id=app.scheme_id, actor=actor)
        if app.reference:
            notify(event="application_withdrawn", recipients=_staff(app, StaffRole.OFFICER),
                   context=_context(app), url=_staff_url(app))

    return run_transition(model=Application, pk=application_id, name="withdraw", actor=actor, effects=effects)


