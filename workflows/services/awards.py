"""Award use cases: the award made at approval, final determination (vaststelling), revocation or
lowering (Awb 4:48-4:49) with four-eyes, and recoveries (terugvordering) settled by payment or set-off.

Money always moves through grants.services (the one ledger): the commitment made at approval is
released down to the final amount; what was paid above it becomes a Recovery; what is still due
becomes a remainder PaymentInstruction (paid through a batch, workflows.services.payments).
"""

from datetime import timedelta
from decimal import ROUND_DOWN, Decimal

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from grants import services as budget
from grants.demin import de_minimis_problems, de_minimis_shares
from grants.models import (
    Award,
    AwardState,
    DeMinimisShare,
    IbanChange,
    IbanChangeState,
    InstructionState,
    LedgerKind,
    PaymentInstruction,
    PaymentKind,
    Recovery,
    RecoveryState,
    StaffRole,
)
from grants.templatetags.money import format_money
from notifications.services import notify

from ..exceptions import TransitionRefused
from ..models import TransitionLog
from .core import run_transition
from .values import amount_value

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def _log(obj, transition, source, target, actor, comment=""):
    TransitionLog.objects.create(content_type=ContentType.objects.get_for_model(type(obj)), object_id=obj.pk,
                                 transition=transition, source_state=source, target_state=target, actor=actor,
                                 comment=comment)


def _company_users(award):
    from .applications import _company_users

    return _company_users(award.application)


def _context(award, **extra):
    from .applications import _context

    return {**_context(award.application), **_money("amount", award.amount), **extra}


def _money(key, value):
    """``key_nl`` and ``key_en``: the amount formatted for each reader (notifications picks one)."""
    if value is None:
        return {f"{key}_nl": "", f"{key}_en": ""}
    return {f"{key}_nl": format_money(value, "nl"), f"{key}_en": format_money(value, "en")}


def _issue_letter(award, kind, *, actor, amount, reason):
    """The decision letter of a determination or revocation, with the remedies clause (grants.letters)."""
    from grants.letters import letter_issue

    return letter_issue(application=award.application, kind=kind, actor=actor,
                        extra={"amount": amount, "reason": reason})


def issues_voucher(scheme):
    """A voucher scheme that works with approved providers issues vouchers; others make plain awards."""
    from grants.models import SchemeKind

    return scheme.kind == SchemeKind.VOUCHER and scheme.providers.exists()


def award_determine_redeemed(*, application, amount, actor):
    """A voucher's approved redemption is its award's final determination (inside that transition): the
    award is determined at ``amount`` and one payment instruction goes to the payee (the provider or the
    company). The redemption released the rest of the commitment already."""
    award = Award.objects.get(application=application)
    run_transition(model=Award, pk=award.pk, name="determine", actor=actor,
                   params={"by": actor, "on": timezone.localdate(), "amount": amount,
                           "motivation": _("Voucher redeemed")})
    award.refresh_from_db()
    if amount > ZERO:
        _instruction(award, PaymentKind.REMAINDER, amount)
    return award


def award_reconsider(*, application, actor, reason):
    """The award after a founded objection's new decision on ``application`` (called inside that
    transition, after its ledger rows): made when there was none, else re-set to the new amount with its
    advance or direct determination and de minimis shares. Refused while money has moved on the award
    (then the lowering goes through a revocation, Awb 4:48-4:49)."""
    from grants.models import ApplicationState

    award = Award.objects.select_for_update().filter(application=application).first()
    awarded = application.state == ApplicationState.AWARDED
    if award is None:
        if awarded:
            award_create(application=application, actor=actor)
        return
    if (award.payment_instructions.exclude(state__in=[InstructionState.OPEN, InstructionState.CANCELLED]).exists()
            or award.recoveries.exists()):
        raise TransitionRefused(_("Money has already moved on this award: lower or withdraw it with a revocation "
                                  "on the award page (Awb 4:48-4:49)."))
    amount = application.awarded_amount if awarded else ZERO
    today = timezone.localdate()
    if amount > ZERO:
        problems = de_minimis_problems(application, amount, award.granted_on)
        if problems:
            raise TransitionRefused(" ".join(problems))
    scheme = application.scheme
    direct = ZERO < amount < scheme.direct_determination_threshold
    advance = ZERO
    if amount > ZERO and not direct and scheme.advance_percentage:
        advance = (amount * scheme.advance_percentage / 100).quantize(CENT, rounding=ROUND_DOWN)
    PaymentInstruction.objects.filter(award=award, state=InstructionState.OPEN).update(
        state=InstructionState.CANCELLED)
    award.de_minimis_shares.all().delete()
    award = run_transition(model=Award, pk=award.pk, name="reconsider", actor=actor, comment=reason,
                           params={"by": actor, "on": today, "amount": amount, "advance": advance,
                                   "direct": direct, "reason": reason})
    for share in de_minimis_shares(application, amount) if amount > ZERO else []:
        DeMinimisShare.objects.create(award=award, kvk_number=share.kvk_number, company=share.company,
                                      name=share.name, amount=share.amount, granted_on=award.granted_on)
    if direct:
        _instruction(award, PaymentKind.REMAINDER, amount)
    elif advance > ZERO:
        _instruction(award, PaymentKind.ADVANCE, advance)


def payment_iban(company):
    """The IBAN payments to ``company`` go to. Once the company has an award, a new IBAN counts only when a
    second person confirmed it (an IbanChange), whatever else edited Company.iban: the latest confirmed
    change, else the IBAN of its first payment instruction (taken at its first award), else Company.iban."""
    confirmed = IbanChange.objects.filter(company=company, state=IbanChangeState.CONFIRMED).order_by(
        "-decided_at", "-pk").values_list("new_iban", flat=True).first()
    if confirmed:
        return confirmed
    first = PaymentInstruction.objects.filter(award__application__company=company).order_by("pk").values_list(
        "iban", flat=True).first()
    return first or company.iban


def payee_of(application):
    """(name, IBAN) that the award's payments go to: the provider for a voucher its scheme pays to the
    provider, otherwise the company at its confirmed IBAN (payment_iban)."""
    voucher = getattr(application, "voucher", None)
    if voucher is not None and voucher.payee == "provider":
        return voucher.provider.name[:200], voucher.provider.iban
    return application.company.name[:200], payment_iban(application.company)


def _instruction(award, kind, amount, milestone=None):
    application = award.application
    payee_name, iban = payee_of(application)
    if milestone is not None:
        key = f"milestone:{milestone.pk}:tranche"
    else:
        key = f"award:{award.pk}:{kind}:{PaymentInstruction.objects.filter(award=award, kind=kind).count()}"
    description = f"{application.reference} {PaymentKind(kind).label}"
    if milestone is not None:
        description += f" ({milestone.title})"
    return PaymentInstruction.objects.create(
        award=award, kind=kind, amount=amount, payee_name=payee_name, iban=iban, milestone=milestone,
        description=description[:140], idempotency_key=key,
    )


def award_pay_tranche(milestone):
    """A milestone of a granted award was accepted: instruct its tranche (inside the accepting transaction).
    Capped at what the award has left after its live instructions (advance, earlier tranches), so the
    payments before the final determination never exceed the award; the final determination counts them
    (``_finalise``). Returns the instruction, or None when nothing is due."""
    award = Award.objects.select_for_update().filter(
        application_id=milestone.plan.application_id, state=AwardState.GRANTED).first()
    if award is None or milestone.payment_instructions.exclude(state=InstructionState.CANCELLED).exists():
        return None
    instructed = award.payment_instructions.exclude(state=InstructionState.CANCELLED).aggregate(
        total=Sum("amount"))["total"] or ZERO
    amount = min(milestone.tranche_amount, award.amount - instructed)
    if amount <= ZERO:
        return None
    return _instruction(award, PaymentKind.TRANCHE, amount, milestone=milestone)


def award_create(*, application, actor):
    """Make the award of an application that is being approved (called inside application_approve's
    transaction, after the commitment). Refused (TransitionRefused) when the de minimis ceiling would
    be passed, the computation in the message. Below the scheme's direct determination threshold the
    award is determined at once and paid in full (DOMAIN 6); otherwise an advance instruction is made
    when the scheme pays one (Awb 4:95)."""
    scheme = application.scheme
    amount = application.awarded_amount
    today = timezone.localdate(application.decided_at) if application.decided_at else timezone.localdate()
    problems = de_minimis_problems(application, amount, today)
    if problems:
        raise TransitionRefused(" ".join(problems))
    # A voucher is determined by its redemption (workflows.services.vouchers), never at the award.
    redeemed_later = issues_voucher(scheme)
    direct = amount < scheme.direct_determination_threshold and not redeemed_later
    advance = ZERO
    if not direct and not redeemed_later and scheme.advance_percentage:
        advance = (amount * scheme.advance_percentage / 100).quantize(CENT, rounding=ROUND_DOWN)
    # The award's history starts with the application's "approve" log row; a direct determination is
    # part of that decision, so neither gets a log row of its own.
    award = Award.objects.create(
        application=application, amount=amount, advance_amount=advance, granted_on=today,
        state=AwardState.DETERMINED if direct else AwardState.GRANTED,
        determined_amount=amount if direct else None, determined_on=today if direct else None,
        determined_by=actor if direct else None,
    )
    for share in de_minimis_shares(application, amount):
        DeMinimisShare.objects.create(award=award, kvk_number=share.kvk_number, company=share.company,
                                      name=share.name, amount=share.amount, granted_on=today)
    if direct:
        _instruction(award, PaymentKind.REMAINDER, amount)
    elif advance > ZERO:
        _instruction(award, PaymentKind.ADVANCE, advance)
    return award


def _finalise(award, final, actor, reason):
    """Settle the money of ``award`` against its final amount: open instructions are cancelled, the
    commitment above ``final`` is released, and what was instructed is topped up by a remainder
    instruction or reduced by a Recovery. Returns the Recovery or None."""
    application = award.application
    for instruction in award.payment_instructions.filter(state=InstructionState.OPEN):
        instruction.cancel()
        instruction.save()
    instructed = award.payment_instructions.filter(
        state__in=[InstructionState.BATCHED, InstructionState.PAID]).aggregate(total=Sum("amount"))["total"] or ZERO
    committed = budget.committed_for(application)
    if committed > final:
        releases = application.ledger_entries.filter(kind=LedgerKind.RELEASE).count()
        budget.budget_release(application=application, amount=committed - final, actor=actor, reason=reason,
                              key=f"award:{award.pk}:release:{releases}")
    if final > instructed:
        _instruction(award, PaymentKind.REMAINDER, final - instructed)
    elif final < instructed:
        count = award.recoveries.count()
        return Recovery.objects.create(award=award, amount=instructed - final, reason=reason[:300],
                                       idempotency_key=f"award:{award.pk}:recovery:{count}")
    return None


def award_settle_if_done(award_id):
    """Settle a determined award once every instruction is paid and every recovery is in (system step)."""
    award = Award.objects.get(pk=award_id)
    if award.state != AwardState.DETERMINED:
        return award
    pending_payment = award.payment_instructions.filter(
        state__in=[InstructionState.OPEN, InstructionState.BATCHED]).exists()
    pending_recovery = award.recoveries.filter(state=RecoveryState.OPEN).exists() or award.recoveries.filter(
        set_off_instruction__isnull=False).exclude(set_off_instruction__state=InstructionState.PAID).exists()
    if pending_payment or pending_recovery:
        return award
    return run_transition(model=Award, pk=award_id, name="settle", actor=None)


def _staff_url(award):
    return reverse("award_detail", args=[award.pk])


def _applicant_url(award):
    return reverse("application_detail", args=[award.application_id])


def _recovery_due(award, recovery):
    """Awb 4:57: the company is told what it must pay back (or what will be set off) and by when."""
    if recovery is None:
        return
    due = timezone.localdate() + timedelta(weeks=6)
    notify(event="recovery_due", recipients=_company_users(award), url=_applicant_url(award),
           context=_context(award, due_on=due.isoformat(), **_money("recovery", recovery.amount)))


def award_determine(*, award_id, actor, amount, motivation=""):
    """Final determination (Awb 4:46): ``amount`` between zero and the award. Releases the unused
    commitment, instructs the remainder or opens a recovery of an overpaid advance (Awb 4:57)."""
    amount = amount_value(amount)

    def effects(award):
        if amount < ZERO or amount > award.amount:
            raise TransitionRefused(_("The final amount must be between zero and the awarded amount (%(amount)s).")
                                    % {"amount": format_money(award.amount)})
        recovery = _finalise(award, amount, actor, reason=_("Final determination"))
        _recovery_due(award, recovery)
        _issue_letter(award, "determination", actor=actor, amount=amount,
                      reason=motivation or _("The activities were carried out as awarded."))
        notify(event="award_determined", recipients=_company_users(award), url=_applicant_url(award),
               context=_context(award, **_money("final", amount),
                                **_money("recovery", recovery.amount if recovery else None)))

    with transaction.atomic():
        award = run_transition(model=Award, pk=award_id, name="determine", actor=actor, effects=effects,
                               comment=motivation, params={"by": actor, "on": timezone.localdate(),
                                                           "amount": amount, "motivation": motivation})
        # What the lower final amount released flows to the next applications in line.
        budget.budget_reflow(scheme_id=award.application.scheme_id, actor=actor)
        return award_settle_if_done(award.pk)


def award_propose_revocation(*, award_id, actor, amount, reason):
    """Propose to withdraw (``amount`` 0) or lower an award (Awb 4:48-4:49) for a manager's approval."""
    amount = amount_value(amount)

    def effects(award):
        if amount < ZERO or amount >= award.final_amount:
            raise TransitionRefused(_("The new amount must be at least zero and below the current amount "
                                      "(%(amount)s).") % {"amount": format_money(award.final_amount)})
        from .applications import _staff

        notify(event="revocation_awaiting_approval", url=_staff_url(award),
               recipients=_staff(award.application, StaffRole.MANAGER).exclude(pk=actor.pk),
               context=_context(award, **_money("new_amount", amount)))

    return run_transition(model=Award, pk=award_id, name="propose_revocation", actor=actor, effects=effects,
                          comment=reason, params={"by": actor, "amount": amount, "reason": reason})


def award_approve_revocation(*, award_id, actor):
    """Approve a proposed revocation (four-eyes): the new amount is final; the commitment above it is
    released (and flows on to the applications in line), what was paid above it is recovered, and the
    de minimis shares are lowered with it."""

    def effects(award):
        recovery = _finalise(award, award.amount, actor, reason=_("Revocation: %(reason)s")
                             % {"reason": award.revocation_reason})
        _rescale_shares(award)
        _recovery_due(award, recovery)
        _issue_letter(award, "revocation", actor=actor, amount=award.amount, reason=award.revocation_reason)
        notify(event="award_revoked", recipients=_company_users(award), url=_applicant_url(award),
               context=_context(award, reason=award.revocation_reason,
                                **_money("recovery", recovery.amount if recovery else None)))

    with transaction.atomic():
        award = run_transition(model=Award, pk=award_id, name="revoke", actor=actor, effects=effects,
                               params={"by": actor, "on": timezone.localdate()})
        budget.budget_reflow(scheme_id=award.application.scheme_id, actor=actor)
        return award


def award_reject_revocation(*, award_id, actor, comment=""):
    return run_transition(model=Award, pk=award_id, name="reject_revocation", actor=actor, comment=comment,
                          params={"by": actor})


def _rescale_shares(award):
    shares = list(award.de_minimis_shares.order_by("-amount", "pk"))
    old = sum((s.amount for s in shares), ZERO)
    if not shares or old == award.amount:
        return
    rest = award.amount
    for share in shares[1:]:
        share.amount = (share.amount * award.amount / old).quantize(CENT, rounding=ROUND_DOWN) if old else ZERO
        rest -= share.amount
        share.save(update_fields=["amount"])
    shares[0].amount = rest
    shares[0].save(update_fields=["amount"])


def recovery_register_payment(*, recovery_id, actor, on=None):
    """The company paid the recovery back: a recovery ledger row (its key: paid back once)."""

    def effects(recovery):
        budget.budget_recover(application=recovery.award.application, amount=recovery.amount,
                              key=recovery.idempotency_key, actor=actor, note="paid back")

    with transaction.atomic():
        recovery = run_transition(model=Recovery, pk=recovery_id, name="register_payment", actor=actor,
                                  effects=effects, params={"on": on or timezone.localdate()})
        award_settle_if_done(recovery.award_id)
        return recovery


def recovery_set_off(*, recovery_id, actor, instruction_id):
    """Set a recovery off against an open payment instruction to the same company: the instruction's
    transfer is lowered by it, and the recovery is booked when that instruction is paid."""

    def effects(recovery):
        instruction = PaymentInstruction.objects.select_for_update(of=("self",)).filter(
            pk=instruction_id, state=InstructionState.OPEN,
            award__application__company_id=recovery.award.application.company_id).first()
        if instruction is None:
            raise TransitionRefused(_("Choose an open payment to the same company."))
        if hasattr(instruction, "set_off_recovery"):
            raise TransitionRefused(_("Another recovery is already set off against that payment."))
        if instruction.net_amount < recovery.amount:
            raise TransitionRefused(_("That payment is too small to set this recovery off against."))
        instruction.set_off_amount += recovery.amount
        instruction.save(update_fields=["set_off_amount"])
        recovery.set_off_instruction = instruction

    return run_transition(model=Recovery, pk=recovery_id, name="set_off", actor=actor, effects=effects,
                          params={"on": timezone.localdate()})
