"""Application use cases. Each runs one transition through run_transition and adds its own
effects (reference, deadlines, ledger rows, outbox rows) inside the same transaction."""

from datetime import timedelta
from decimal import Decimal

from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from applicants.models import User
from grants import services as budget
from grants.eligibility import application_problems
from grants.models import (
    Application,
    BudgetExceeded,
    DecisionOutcome,
    DistributionMethod,
    ReferenceCounter,
    StaffRole,
)
from notifications.services import notify

from ..deadlines import next_working_day, term_end
from ..exceptions import TransitionRefused
from .core import run_transition


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
    due = deadline or term_end(today, days=app_repair_days(application_id))
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


def application_start_review(*, application_id, actor):
    def effects(app):
        if app.assigned_to_id is None:
            app.assigned_to = actor

    return run_transition(model=Application, pk=application_id, name="start_review", actor=actor, effects=effects)


def application_propose(*, application_id, actor, outcome, amount, motivation):
    """Propose a decision for a manager's approval. The amount may not exceed the request or the
    scheme's maximum."""

    def effects(app):
        if outcome == DecisionOutcome.NOT_CONSIDERED:
            raise TransitionRefused(
                _("“Not considered” can only be proposed when the repair period has lapsed (Awb 4:5).")
            )
        if outcome == DecisionOutcome.AWARD:
            cap = min(app.requested_amount, app.scheme.max_amount)
            if amount is None or amount <= Decimal("0") or amount > cap:
                raise TransitionRefused(_("The proposed amount must be above zero and at most %(cap)s.") % {"cap": cap})
        notify(event="proposal_awaiting_approval", recipients=_staff(app, StaffRole.MANAGER).exclude(pk=actor.pk),
               context=_context(app), url=_staff_url(app))

    return run_transition(
        model=Application, pk=application_id, name="propose", actor=actor, effects=effects, comment=motivation,
        params={"by": actor, "outcome": outcome, "amount": amount if outcome == DecisionOutcome.AWARD else None,
                "motivation": motivation},
    )


def application_propose_not_considered(*, application_id, actor, motivation):
    """Propose "not considered" (Awb 4:5) for an application whose repair period lapsed incomplete."""

    def effects(app):
        notify(event="proposal_awaiting_approval", recipients=_staff(app, StaffRole.MANAGER).exclude(pk=actor.pk),
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


def application_approve(*, application_id, actor):
    """Approve the proposed decision (four-eyes: never by its proposer). An award commits the amount
    in place of the reservation; a rejection releases the reservation."""

    def effects(app):
        if app.proposed_outcome == DecisionOutcome.AWARD:
            try:
                budget.budget_commit(application=app, amount=app.awarded_amount, actor=actor)
            except BudgetExceeded as error:
                raise TransitionRefused(str(error)) from None
        else:
            budget.budget_release_reservation(application=app, actor=actor, reason=app.proposed_outcome)
        # What this decision leaves unused flows to the next applications in line.
        app.save()
        budget.budget_reflow(scheme_id=app.scheme_id, actor=actor)
        notify(event="decision_made", recipients=_company_users(app),
               context={**_context(app), "outcome": app.proposed_outcome,
                        "amount": str(app.awarded_amount or "")},
               url=_applicant_url(app))

    return run_transition(model=Application, pk=application_id, name="approve", actor=actor, effects=effects,
                          params={"by": actor, "at": timezone.now()})


def application_withdraw(*, application_id, actor):
    def effects(app):
        budget.budget_release_reservation(application=app, actor=actor, reason="withdrawn")
        app.save()  # leave the line before the released money flows to the next applications
        budget.budget_reflow(scheme_id=app.scheme_id, actor=actor)
        if app.reference:
            notify(event="application_withdrawn", recipients=_staff(app, StaffRole.OFFICER),
                   context=_context(app), url=_staff_url(app))

    return run_transition(model=Application, pk=application_id, name="withdraw", actor=actor, effects=effects)


