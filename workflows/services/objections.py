"""Objection (bezwaar) use cases, Awb chapters 6 and 7. Each runs one transition of
grants.models.Objection through run_transition; a (partly) founded decision also runs the
application's ``reconsider`` transition, with its budget effect, in the same transaction.

Terms: the objection period is six weeks from the day after the decision was sent (6:7, 6:8); a
pro forma objection gets a period to supply grounds (6:6, default two weeks); the decision on the
objection is due six weeks after the objection period ended (7:10), extendable once by six weeks.
All move past weekends and public holidays (Algemene termijnenwet).
"""

from decimal import Decimal

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from applicants.models import User
from grants import services as budget
from grants.letters import letter_link
from grants.models import (
    Application,
    ApplicationState,
    BudgetExceeded,
    DecisionKind,
    DecisionOutcome,
    Objection,
    ObjectionOutcome,
    ObjectionState,
    StaffRole,
)
from grants.models.objections import REVISING_OUTCOMES
from notifications.services import notify

from .. import access
from ..deadlines import term_end
from ..exceptions import TransitionRefused
from .awards import award_reconsider
from .core import run_transition

OBJECTION_PERIOD_WEEKS = 6  # Awb 6:7
GROUNDS_PERIOD_WEEKS = 2  # Awb 6:6: a reasonable period; two weeks is common practice
DECISION_TERM_WEEKS = 6  # Awb 7:10 (1): without an advisory committee
EXTENSION_WEEKS = 6  # Awb 7:10 (3)

DECISION_KIND_OF_STATE = {
    ApplicationState.AWARDED: DecisionKind.AWARD,
    ApplicationState.REJECTED: DecisionKind.REJECTION,
    ApplicationState.NOT_CONSIDERED: DecisionKind.NOT_CONSIDERED,
}


# --- terms -----------------------------------------------------------------------------------------


def decision_sent_on(application):
    """The day the decision on ``application`` was sent: the objection period runs from it (Awb 6:8).

    The sending date of its decision letter; None while that letter waits on the print-and-post list.
    Decisions from before letters existed count from the day of the decision."""
    if application.decided_at is None:
        return None
    letter = (application.letters.filter(kind__in=DECISION_LETTER_KINDS, objection_id__isnull=True)
              .order_by("-issued_at", "-pk").first())
    if letter is None:
        return timezone.localdate(application.decided_at)
    return letter.sent_on


DECISION_LETTER_KINDS = ("award", "partial_award", "rejection", "not_considered")


def objection_period_end(sent_on):
    """Awb 6:7, 6:8: six weeks starting the day after sending, so it ends on the same weekday six weeks
    after the sending day, moved to the next working day (Algemene termijnenwet)."""
    return term_end(sent_on, weeks=OBJECTION_PERIOD_WEEKS)


def objection_decision_due(period_ends_on, lodged_on):
    """Awb 7:10: six weeks after the objection period ended. A late objection is counted from the day it
    was received, as the period had already ended then."""
    return term_end(max(period_ends_on, lodged_on), weeks=DECISION_TERM_WEEKS)


def grounds_period_end(today):
    return term_end(today, weeks=GROUNDS_PERIOD_WEEKS)


def objection_window(application, today=None):
    """What the applicant's page needs to offer an objection: None when the application has no decision
    that can be objected to here, else {"kind", "sent_on", "period_ends_on", "late", "existing"}."""
    kind = DECISION_KIND_OF_STATE.get(application.state)
    sent_on = decision_sent_on(application)
    if kind is None or sent_on is None:
        return None
    today = today or timezone.localdate()
    period_ends_on = objection_period_end(sent_on)
    existing = application.objections.filter(decision_sent_on=sent_on).exclude(state=ObjectionState.NEW).first()
    return {"kind": kind, "sent_on": sent_on, "period_ends_on": period_ends_on,
            "late": today > period_ends_on, "existing": existing}


# --- helpers ---------------------------------------------------------------------------------------


def _staff(objection, role):
    return User.objects.filter(
        staff_memberships__organisation_id=objection.application.scheme.organisation_id,
        staff_memberships__role=role, is_active=True,
    ).distinct()


def _officers(objection):
    return _staff(objection, StaffRole.OFFICER)


def _managers(objection):
    return _staff(objection, StaffRole.MANAGER)


def _deciders(objection):
    """The managers asked to decide a proposal: exactly those access.decides_objection allows (never its
    proposer, nor who took or proposed the decision objected to, nor a member of the company), so nobody is
    asked to take a step the page would refuse them."""
    return [user for user in _managers(objection) if access.decides_objection(objection, user)]


def _objectors(objection):
    return User.objects.filter(company_memberships__company_id=objection.application.company_id, is_active=True)


def _context(objection, **extra):
    application = objection.application
    return {
        "reference": application.reference,
        "scheme_nl": application.scheme.title_nl,
        "scheme_en": application.scheme.title_en,
        "organisation": application.scheme.organisation.name,
        "organisation_id": application.scheme.organisation_id,  # scopes the notification operations page
        "company": application.company.name,
        "decision_due_on": objection.decision_due_on.isoformat(),
        **extra,
    }


def _applicant_url(objection):
    return reverse("my_objection", args=[objection.pk])


def _staff_url(objection):
    return reverse("objection_detail", args=[objection.pk])


def _issue_decision_letter(objection, actor):
    """The decision on the objection as a letter with the appeal clause (administrative court, six weeks)."""
    from django.utils import translation

    from grants.letters import letter_issue
    from grants.templatetags.money import money

    with translation.override(objection.application.created_by.language or "nl"):
        decision = [_("The objection is %(outcome)s.") % {"outcome": objection.get_outcome_display().lower()},
                    objection.motivation]
        if objection.new_amount:
            decision.append(_("The new decision awards %(amount)s.") % {"amount": money(objection.new_amount)})
    return letter_issue(application=objection.application, kind="objection_decision", actor=actor,
                        objection=objection, extra={"reason": " ".join(part for part in decision if part)})


# --- use cases -------------------------------------------------------------------------------------


def objection_lodge(*, application_id, actor, grounds="", delay_reason=""):
    """Lodge an objection against the decision on the application (applicant). Empty ``grounds``
    makes it pro forma (Awb 6:6). After the objection period it is flagged late; ``delay_reason`` is
    what the objector says about it (Awb 6:11). Refused for an undecided application or when the
    decision already has an objection."""
    now = timezone.now()
    today = timezone.localdate(now)
    application = Application.objects.select_related("scheme").filter(pk=application_id).first()
    window = objection_window(application, today) if application else None
    if window is None:
        raise TransitionRefused(_("There is no decision on this application to object to."))
    if window["existing"] is not None:
        raise TransitionRefused(_("An objection against this decision has already been lodged."))
    late = window["late"]
    try:
        with transaction.atomic():
            objection = Objection.objects.create(
                application=application, decision_kind=window["kind"], decision_sent_on=window["sent_on"],
                lodged_by=actor, grounds=grounds.strip(), period_ends_on=window["period_ends_on"], late=late,
                delay_reason=delay_reason.strip() if late else "",
                decision_due_on=objection_decision_due(window["period_ends_on"], today),
            )

            def effects(obj):
                notify(event="objection_lodged", recipients=_officers(obj),
                       context=_context(obj, late=obj.late, pro_forma=obj.pro_forma), url=_staff_url(obj))

            return run_transition(model=Objection, pk=objection.pk, name="lodge", actor=actor,
                                  params={"at": now}, effects=effects, comment=objection.grounds)
    except IntegrityError:
        raise TransitionRefused(_("An objection against this decision has already been lodged.")) from None


def objection_request_grounds(*, objection_id, actor, deadline=None):
    """Give the objector of a pro forma objection a period to supply the grounds (Awb 6:6; default two
    weeks, moved past weekends and holidays)."""
    today = timezone.localdate()
    due = deadline or grounds_period_end(today)
    if due <= today:
        raise TransitionRefused(_("The period to supply grounds must end after today."))

    def effects(obj):
        notify(event="objection_grounds_requested", recipients=_objectors(obj),
               context=_context(obj, grounds_due_on=due.isoformat()), url=_applicant_url(obj))

    return run_transition(model=Objection, pk=objection_id, name="request_grounds", actor=actor,
                          params={"due": due}, effects=effects)


def objection_supply_grounds(*, objection_id, actor, grounds):
    grounds = grounds.strip()
    if not grounds:
        raise TransitionRefused(_("Please state the grounds of your objection."))

    def effects(obj):
        notify(event="objection_lodged", recipients=_officers(obj),
               context=_context(obj, late=obj.late, pro_forma=False, grounds_supplied=True), url=_staff_url(obj))

    return run_transition(model=Objection, pk=objection_id, name="supply_grounds", actor=actor,
                          params={"grounds": grounds}, effects=effects, comment=grounds)


def objection_schedule_hearing(*, objection_id, actor, at, place):
    """Invite the objector to be heard (Awb 7:2) at ``at`` in ``place``."""
    if at <= timezone.now():
        raise TransitionRefused(_("The hearing must be in the future."))

    def effects(obj):
        local = timezone.localtime(at)
        notify(event="hearing_scheduled", recipients=_objectors(obj),
               context=_context(obj, hearing_on=local.date().isoformat(), hearing_time=local.strftime("%H:%M"),
                                place=place),
               url=_applicant_url(obj))

    return run_transition(model=Objection, pk=objection_id, name="schedule_hearing", actor=actor,
                          params={"at": at, "place": place}, effects=effects, comment=place)


def objection_hear(*, objection_id, actor, minutes="", waived=False):
    """Record the minutes of the hearing, or that the objector waived being heard (Awb 7:2, 7:3 b)."""
    if not waived and not minutes.strip():
        raise TransitionRefused(_("Record the minutes of the hearing, or that the objector waived it."))
    return run_transition(model=Objection, pk=objection_id, name="hear", actor=actor,
                          params={"minutes": minutes.strip(), "waived": waived})


def objection_excuse_delay(*, objection_id, actor, reason):
    """Record that the delay of a late objection is excusable (Awb 6:11), so it can be admissible."""
    return run_transition(model=Objection, pk=objection_id, name="excuse_delay", actor=actor,
                          params={"reason": reason}, comment=reason)


def objection_extend(*, objection_id, actor, reason):
    """Extend the decision term once by six weeks (Awb 7:10 (3)), with the reason."""
    return run_transition(model=Objection, pk=objection_id, name="extend", actor=actor,
                          params={"weeks": EXTENSION_WEEKS, "reason": reason}, comment=reason)


def objection_declare_inadmissible(*, objection_id, actor, motivation):
    """Decide the objection inadmissible without a hearing (late without excuse, no grounds supplied)."""
    now = timezone.now()

    def effects(obj):
        _decided(obj, actor)

    return run_transition(model=Objection, pk=objection_id, name="declare_inadmissible", actor=actor,
                          params={"motivation": motivation, "by": actor, "at": now}, effects=effects,
                          comment=motivation)


def objection_propose(*, objection_id, actor, outcome, motivation, new_outcome=None, new_amount=None):
    """The officer proposes the decision on a heard objection, for a manager's decision (four-eyes).

    A (partly) founded objection names the decision that replaces the old one: ``new_outcome`` award with
    ``new_amount`` (above zero, at most the request and the scheme's maximum), or reject. Refused for any
    outcome but inadmissible when the objection was late without an excusable delay (Awb 6:11)."""
    revising = outcome in REVISING_OUTCOMES

    def effects(obj):
        if obj.is_late_and_unexcused() and outcome != ObjectionOutcome.INADMISSIBLE:
            raise TransitionRefused(
                _("This objection was lodged late and its delay has not been found excusable: it can only be "
                  "declared inadmissible (Awb 6:11)."))
        if revising:
            _check_new_decision(obj.application, new_outcome, new_amount)
        notify(event="objection_decision_proposed", recipients=_deciders(obj),
               context=_context(obj), url=_staff_url(obj))

    award = revising and new_outcome == DecisionOutcome.AWARD
    return run_transition(
        model=Objection, pk=objection_id, name="propose", actor=actor, effects=effects, comment=motivation,
        params={"by": actor, "outcome": outcome, "motivation": motivation,
                "decision": new_outcome if revising else "", "amount": new_amount if award else None},
    )


def objection_send_back(*, objection_id, actor, comment):
    def effects(obj):
        notify(event="proposal_sent_back", recipients=User.objects.filter(pk=obj.proposed_by_id),
               context={**_context(obj), "comment": comment}, url=_staff_url(obj))

    return run_transition(model=Objection, pk=objection_id, name="send_back", actor=actor, effects=effects,
                          comment=comment)


def objection_decide(*, objection_id, actor):
    """Decide the objection as proposed (a manager who neither proposed it nor took or proposed the
    decision objected to). A (partly) founded objection replaces the decision: the application's
    ``reconsider`` transition runs in the same transaction and the budget moves by the difference (a
    higher or new award is committed, refused with the ceiling reason when the ceiling cannot cover it;
    a lower award or a rejection releases, and the release flows to the next applications in line)."""

    def effects(obj):
        if obj.outcome in REVISING_OUTCOMES:
            _reconsider(obj, actor, new_outcome=obj.proposed_decision, new_amount=obj.new_amount,
                        motivation=obj.motivation)
        _decided(obj, actor)

    return run_transition(model=Objection, pk=objection_id, name="decide", actor=actor, effects=effects,
                          params={"by": actor, "at": timezone.now()})


def _check_new_decision(application, new_outcome, new_amount):
    if new_outcome not in (DecisionOutcome.AWARD, DecisionOutcome.REJECT):
        raise TransitionRefused(_("A founded objection needs the new decision: award or reject."))
    if new_outcome == DecisionOutcome.AWARD:
        cap = min(application.requested_amount, application.scheme.max_amount)
        if new_amount is None or new_amount <= Decimal("0") or new_amount > cap:
            raise TransitionRefused(_("The new amount must be above zero and at most %(cap)s.") % {"cap": cap})


def _reconsider(objection, actor, *, new_outcome, new_amount, motivation):
    """Run the application's new decision and move the budget by the difference with the old one."""
    application = objection.application
    _check_new_decision(application, new_outcome, new_amount)
    old = application.awarded_amount if application.state == ApplicationState.AWARDED else Decimal("0.00")
    new = new_amount if new_outcome == DecisionOutcome.AWARD else Decimal("0.00")

    def effects(app):
        key = f"objection:{objection.pk}"
        try:
            if new > old:
                budget.budget_commit(application=app, amount=new - old, actor=actor, key=f"{key}:commitment")
            elif new < old:
                budget.budget_release(application=app, amount=old - new, actor=actor, key=f"{key}:release",
                                      reason="objection")
        except BudgetExceeded as error:
            raise TransitionRefused(str(error)) from None
        app.save()
        award_reconsider(application=app, actor=actor, reason=motivation)
        if new < old:
            # What the new decision leaves unused flows to the next applications in line.
            budget.budget_reflow(scheme_id=app.scheme_id, actor=actor)

    run_transition(model=Application, pk=application.pk, name="reconsider", actor=actor, effects=effects,
                   params={"outcome": new_outcome, "amount": new_amount}, comment=motivation)
    objection.application.refresh_from_db()


def _decided(objection, actor):
    letter = _issue_decision_letter(objection, actor)
    notify(event="objection_decided", recipients=_objectors(objection),
           context=_context(objection, outcome=objection.outcome, motivation=objection.motivation,
                            new_amount=str(objection.new_amount or ""), letter_url=letter_link(letter)),
           url=_applicant_url(objection))
