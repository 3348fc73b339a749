"""Payment use cases: batches of payment instructions (officer prepares, another person, a manager,
approves; marked paid with the payment date, which books the ledger's payment rows), and the IBAN
change of a company that takes effect only when a second person confirms it.

Nothing is paid twice: an instruction is in at most one live batch (its state), each award has at most
one live advance and one live remainder (a partial unique constraint), and each paid instruction books
one ledger row under the key ``payment-instruction:<id>`` (a second booking is a no-op).
"""

import uuid

from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from stdnum import iban as stdnum_iban

from applicants.models import Company, CompanyMembership, User
from grants import services as budget
from grants.models import (
    AwardState,
    IbanChange,
    InstructionState,
    Organisation,
    PaymentBatch,
    PaymentInstruction,
    PaymentKind,
    StaffRole,
    VoucherState,
)
from grants.templatetags.money import format_money
from notifications.services import notify

from .. import access
from ..exceptions import TransitionRefused
from .awards import (
    _applicant_url,
    _company_users,
    _context,
    _log,
    _money,
    award_settle_if_done,
    payee_of,
)
from .core import run_transition
from .values import date_value
from .vouchers import voucher_mark_paid

# Paid before the final determination, which counts them: the ledger books these as advances.
ADVANCE_KINDS = (PaymentKind.ADVANCE, PaymentKind.TRANCHE)


def batch_prepare(*, organisation_id, instruction_ids, actor, execution_date=None):
    """An officer collects open instructions of one municipality into a batch. Payee and IBAN are
    taken now (awards.payee_of: a voucher's provider, or the company's confirmed IBAN). Refused when an
    instruction is no longer open, belongs elsewhere, or its award waits for a decision on revocation."""
    if not access.has_role(actor, organisation_id, access.OFFICER):
        raise TransitionRefused(_("Only an officer of this municipality prepares payment batches."))
    ids = set(instruction_ids)
    if not ids:
        raise TransitionRefused(_("Choose at least one payment."))
    with transaction.atomic():
        instructions = list(
            PaymentInstruction.objects.select_for_update(of=("self",)).filter(
                pk__in=ids, state=InstructionState.OPEN, award__application__scheme__organisation_id=organisation_id
            ).exclude(award__state=AwardState.REVOCATION_PROPOSED).select_related("award__application__company")
        )
        if len(instructions) != len(ids):
            raise TransitionRefused(_("Some of these payments are no longer ready for a batch; nothing was changed."))
        payees = {instruction.pk: payee_of(instruction.award.application) for instruction in instructions}
        missing = [i.award.application.reference for i in instructions if not stdnum_iban.is_valid(payees[i.pk][1])]
        if missing:
            # A bank file with an empty or invalid account would be refused as a whole by the bank.
            raise TransitionRefused(_("No valid IBAN for the payee of %(references)s: record it first; nothing was "
                                      "changed.") % {"references": ", ".join(missing)})
        organisation = Organisation.objects.get(pk=organisation_id)
        batch = PaymentBatch.objects.create(
            organisation=organisation, prepared_by=actor, execution_date=execution_date or timezone.localdate(),
            reference=f"{organisation.code}-BET-{uuid.uuid4().hex[:10].upper()}",
        )
        for instruction in instructions:
            instruction.payee_name, instruction.iban = payees[instruction.pk]
            instruction.add_to_batch(batch=batch)
            instruction.save()
        _log(batch, "prepare", "", batch.state, actor)
        managers = User.objects.filter(staff_memberships__organisation=organisation,
                                       staff_memberships__role=StaffRole.MANAGER, is_active=True).exclude(pk=actor.pk)
        total = sum(i.net_amount for i in instructions)
        notify(event="batch_awaiting_approval", recipients=managers.distinct(), organisation=organisation,
               url=reverse("payment_batch_detail", args=[batch.pk]),
               context={"reference": batch.reference, "count": len(instructions),
                        "total_nl": format_money(total, "nl"), "total_en": format_money(total, "en")})
        return batch


def batch_approve(*, batch_id, actor):
    """Four-eyes: a manager of the municipality who did not prepare the batch."""
    return run_transition(model=PaymentBatch, pk=batch_id, name="approve", actor=actor, params={"by": actor})


def batch_cancel(*, batch_id, actor):
    """Cancel a batch that was not paid: its instructions are open again for another batch."""

    def effects(batch):
        for instruction in batch.instructions.filter(state=InstructionState.BATCHED):
            instruction.remove_from_batch()
            instruction.save()

    return run_transition(model=PaymentBatch, pk=batch_id, name="cancel", actor=actor, effects=effects)


def batch_mark_paid(*, batch_id, actor, paid_on):
    """The bank executed the batch on ``paid_on``: each instruction paid once, with its ledger row
    (advance or payment, gross) and, where a recovery was set off against it, that recovery's row.
    Awards whose money is complete are settled."""
    paid_on = date_value(paid_on)
    if paid_on > timezone.localdate():
        raise TransitionRefused(_("The payment date cannot be in the future."))
    award_ids = []

    def effects(batch):
        for instruction in batch.instructions.filter(state=InstructionState.BATCHED).select_related(
                "award__application"):
            application = instruction.award.application
            instruction.mark_paid(on=paid_on)
            instruction.save()
            paid.append(instruction)
            budget.budget_pay(application=application, amount=instruction.amount, actor=actor,
                              key=f"payment-instruction:{instruction.pk}",
                              advance=instruction.kind in ADVANCE_KINDS, note=batch.reference)
            recovery = getattr(instruction, "set_off_recovery", None)
            if recovery is not None:
                budget.budget_recover(application=recovery.award.application, amount=recovery.amount,
                                      key=recovery.idempotency_key, actor=actor, note=f"set off {batch.reference}")
                award_ids.append(recovery.award_id)
            award_ids.append(instruction.award_id)
            voucher = getattr(application, "voucher", None)
            if voucher is not None and voucher.state == VoucherState.REDEEMED:
                voucher_ids.append(voucher.pk)

    voucher_ids = []
    paid = []
    with transaction.atomic():
        batch = run_transition(model=PaymentBatch, pk=batch_id, name="mark_paid", actor=actor, effects=effects,
                               params={"on": paid_on})
        for instruction in paid:
            # The company hears of every payment on its award (a voucher paid to its provider too).
            notify(event="payment_made", recipients=_company_users(instruction.award),
                   url=_applicant_url(instruction.award),
                   context=_context(instruction.award, payee=instruction.payee_name, paid_on=paid_on.isoformat(),
                                    **_money("paid", instruction.net_amount)))
        for award_id in dict.fromkeys(award_ids):
            award_settle_if_done(award_id)
        for voucher_id in voucher_ids:
            voucher_mark_paid(voucher_id=voucher_id, actor=actor)
        return batch


# --- IBAN changes ---------------------------------------------------------------------------------


def _told_of_iban_change(company_id, *, requester_id=None):
    """Who hears of a change of the company's bank account: its active owners, the people who manage its
    bank details (they confirm or cancel a change: access.confirms_iban_change, cancels_iban_change), and
    ``requester_id`` while still an owner or colleague. Other colleagues and advisers are not told: a
    changed account is a fraud risk its owners must see, not news for everyone acting for the company."""
    roles = Q(company_memberships__role=CompanyMembership.Role.OWNER)
    if requester_id:
        roles |= Q(pk=requester_id, company_memberships__role=CompanyMembership.Role.MEMBER)
    # One filter() call, so the role and the company are those of one and the same membership.
    return User.objects.filter(roles, company_memberships__company_id=company_id, is_active=True).distinct()


def iban_change_request(*, company_id, actor, iban):
    """An owner or colleague of the company asks for a new IBAN. It waits for a second person
    (another owner, or an officer of a municipality that awarded the company); payments keep going to
    the confirmed IBAN until then. The other owners are told (_told_of_iban_change)."""
    iban = iban.replace(" ", "").upper()
    if not stdnum_iban.is_valid(iban):
        raise TransitionRefused(_("This IBAN is not valid: check the number for typing errors."))
    membership = CompanyMembership.objects.filter(company_id=company_id, user=actor).exclude(
        role=CompanyMembership.Role.ADVISER).first()
    if membership is None:
        raise TransitionRefused(_("Only the company's owners and colleagues change its bank account."))
    with transaction.atomic():
        company = Company.objects.select_for_update().get(pk=company_id)
        if company.iban == iban:
            raise TransitionRefused(_("This is already the company's bank account."))
        if company.iban_changes.filter(state="pending").exists():
            raise TransitionRefused(_("A change of bank account is already waiting for confirmation."))
        change = IbanChange.objects.create(company=company, old_iban=company.iban, new_iban=iban, requested_by=actor)
        _log(change, "request", "", change.state, actor)
        owners = _told_of_iban_change(company.pk).exclude(pk=actor.pk)
        # No organisation: the account is paid by every municipality that awarded the company (notifications.events).
        notify(event="iban_change_requested", recipients=owners, url=reverse("company_iban", args=[company.pk]),
               context={"company": company.name, "iban_end": iban[-4:], "requested_by": actor.full_name})
        return change


def iban_change_confirm(*, change_id, actor):
    """The second person confirms: the company's IBAN changes, and so does that of its open payment
    instructions (a batch already prepared keeps the account it was approved with). The owners and the
    colleague who asked are told (_told_of_iban_change); other colleagues and advisers are not."""

    def effects(change):
        Company.objects.filter(pk=change.company_id).update(iban=change.new_iban)
        # Open instructions to the company follow; a voucher paid to its provider keeps the provider's account.
        PaymentInstruction.objects.filter(award__application__company_id=change.company_id,
                                          state=InstructionState.OPEN).exclude(
            award__application__voucher__payee="provider").update(iban=change.new_iban)
        told = _told_of_iban_change(change.company_id, requester_id=change.requested_by_id)
        notify(event="iban_change_confirmed", recipients=told,
               url=reverse("company_edit", args=[change.company_id]),
               context={"company": change.company.name, "iban_end": change.new_iban[-4:]})

    return run_transition(model=IbanChange, pk=change_id, name="confirm", actor=actor, effects=effects,
                          params={"by": actor, "at": timezone.now()})


def iban_change_cancel(*, change_id, actor):
    return run_transition(model=IbanChange, pk=change_id, name="cancel", actor=actor,
                          params={"at": timezone.now()})
