"""Voucher use cases: issue at the award, redeem (submit, return, approve), pay, extend once, expire and
the reminders. Each state change runs through run_transition with its ledger and
outbox rows in the same transaction (DOMAIN "Voucher schemes")."""

import calendar
import datetime
import secrets
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from applicants.models import User
from grants import services as budget
from grants.attachments import validate_upload
from grants.models import (
    Payee,
    ProviderChoice,
    Redemption,
    RedemptionOutcome,
    StaffRole,
    Voucher,
    VoucherState,
    VoucherTerms,
)
from grants.models.vouchers import UNREDEEMED
from notifications.models import Outbox
from notifications.services import notify

from ..exceptions import TransitionRefused
from ..models import TransitionLog
from .awards import issues_voucher
from .core import run_transition
from .values import amount_value, date_value

CENT = Decimal("0.01")
# No 0/O, 1/I/L: a code read aloud or typed from paper cannot be mistaken (31 symbols, 31^8 codes).
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
REMINDER_DAYS = (30, 7)


# --- helpers ------------------------------------------------------------------------------------


def voucher_terms_for(scheme):
    """The scheme's VoucherTerms, or the defaults (6 months, paid to the provider, co-funding)."""
    terms = VoucherTerms.objects.filter(scheme=scheme).first()
    return terms or VoucherTerms(scheme=scheme)


def new_voucher_code():
    """CV-XXXX-XXXX from ``secrets``: not sequential, not guessable, no ambiguous characters."""
    symbols = "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))
    return f"CV-{symbols[:4]}-{symbols[4:]}"


def normalise_code(text):
    """What a person typed ("cv xxxx xxxx", "CVXXXXXXXX") in the stored form, or "" when it cannot be one."""
    raw = "".join(ch for ch in str(text or "").upper() if ch.isalnum())
    if raw.startswith("CV"):
        raw = raw[2:]
    if len(raw) != 8 or any(ch not in CODE_ALPHABET for ch in raw):
        return ""
    return f"CV-{raw[:4]}-{raw[4:]}"


def add_months(day, months):
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def payable_amount(voucher, eligible_amount):
    """The determined amount: the lower of the cap and the share of the eligible amount (a fixed face
    value pays up to the eligible amount; a co-funding voucher its percentage of it), in cents."""
    eligible = Decimal(eligible_amount)
    share = eligible if voucher.face_value else eligible * voucher.cofunding_percentage / Decimal(100)
    return min(voucher.cap, share.quantize(CENT, rounding=ROUND_HALF_UP)).quantize(CENT)


def _company_users(voucher):
    return User.objects.filter(company_memberships__company_id=voucher.application.company_id, is_active=True)


def _provider_users(voucher):
    return User.objects.filter(provider_memberships__provider_id=voucher.provider_id, is_active=True)


def _officers(voucher):
    return User.objects.filter(staff_memberships__organisation_id=voucher.application.scheme.organisation_id,
                               staff_memberships__role=StaffRole.OFFICER, is_active=True).distinct()


def _context(voucher):
    scheme = voucher.application.scheme
    return {
        "code": voucher.code, "reference": voucher.application.reference, "scheme_nl": scheme.title_nl,
        "scheme_en": scheme.title_en, "provider": voucher.provider.name, "company": voucher.application.company.name,
        "cap": str(voucher.cap), "valid_until_on": voucher.valid_until.isoformat(),
        "organisation_id": scheme.organisation_id,  # scopes the notification operations page
    }


def _url(voucher):
    return reverse("voucher_detail", args=[voucher.pk])


def _review_url(voucher):
    return reverse("voucher_review", args=[voucher.pk])


def _load(voucher_id):
    return Voucher.objects.select_related("application__scheme__organisation", "application__company",
                                          "provider").get(pk=voucher_id)


# --- issue --------------------------------------------------------------------------------------


def voucher_issue_for_award(*, application, actor):
    """The one call in application_approve's effects: issue the voucher when the awarded application's
    scheme is a voucher scheme that works with approved providers (a voucher scheme without any provider
    makes plain awards). Returns the voucher or None."""
    if not issues_voucher(application.scheme):
        return None
    return voucher_issue(application=application, actor=actor)


def voucher_issue(*, application, actor):
    """Issue the voucher of an awarded voucher-scheme application, inside the approval's transaction
    (application_approve's effects call this; the integrator adds that one line).

    Preconditions: the applicant chose a provider that an officer approved and that is active; the
    company holds fewer than ``scheme.max_awards_per_company`` vouchers of the scheme and the provider
    fewer than the terms' ``max_vouchers_per_provider`` (expired ones do not count). Raises
    TransitionRefused otherwise, which refuses the approval as a whole. Writes the voucher, its log row
    and outbox rows to the company and the provider."""
    scheme = application.scheme
    terms = voucher_terms_for(scheme)
    choice = ProviderChoice.objects.select_related("provider").filter(application=application).first()
    provider = choice.provider if choice else None
    if provider is None or not provider.is_approved or not provider.active or provider.scheme_id != scheme.pk:
        raise TransitionRefused(_("A voucher needs a provider of this scheme that has been approved and is active."))
    issued = Voucher.objects.filter(application__scheme=scheme).exclude(state=VoucherState.EXPIRED)
    if issued.filter(application__company_id=application.company_id).count() >= scheme.max_awards_per_company:
        raise TransitionRefused(_("This company already holds the maximum number of vouchers of this scheme."))
    if terms.max_vouchers_per_provider is not None and (
            issued.filter(provider=provider).count() >= terms.max_vouchers_per_provider):
        raise TransitionRefused(_("This provider already has the maximum number of vouchers of this scheme."))
    today = timezone.localdate()
    fields = {
        "application": application, "provider": provider, "face_value": terms.face_value,
        "cofunding_percentage": scheme.cofunding_percentage, "cap": application.awarded_amount,
        "payee": terms.payee, "issued_on": today, "valid_until": add_months(today, terms.validity_months),
    }
    for _attempt in range(5):
        try:
            with transaction.atomic():
                voucher = Voucher.objects.create(code=new_voucher_code(), **fields)
            break
        except IntegrityError:
            if Voucher.objects.filter(application=application).exists():
                raise TransitionRefused(_("A voucher was already issued for this application.")) from None
    else:  # pragma: no cover - five collisions in 31^8 codes
        raise TransitionRefused(_("No voucher code could be made; please try again."))
    TransitionLog.objects.create(content_type=ContentType.objects.get_for_model(Voucher), object_id=voucher.pk,
                                 transition="issue", source_state="", target_state=voucher.state, actor=actor)
    notify(event="voucher_issued", recipients=[*_company_users(voucher), *_provider_users(voucher)],
           context=_context(voucher), url=_url(voucher))
    return voucher


def voucher_letter_context(application):
    """What the award letter states about the voucher, or None when there is none (for grants.letters)."""
    voucher = Voucher.objects.select_related("provider", "application__company").filter(
        application=application).first()
    if voucher is None:
        return None
    payee = voucher.provider.name if voucher.payee == Payee.PROVIDER else voucher.application.company.name
    return {
        "code": voucher.code, "face_value": voucher.face_value, "cofunding_percentage": voucher.cofunding_percentage,
        "cap": voucher.cap, "valid_until": voucher.valid_until, "provider": voucher.provider.name,
        "provider_kvk": voucher.provider.kvk_number, "payee": payee, "payee_kind": voucher.payee,
    }


# --- redeem -------------------------------------------------------------------------------------


def redemption_problems(voucher, *, invoice_date, invoice_provider_kvk, amount_excl_vat, amount_incl_vat,
                        today=None):
    """{field: message} for an invoice this voucher cannot be redeemed with (form and service alike)."""
    today = today or timezone.localdate()
    problems = {}
    if voucher.valid_until < today:
        problems["__all__"] = _("This voucher was valid until %(day)s.") % {"day": voucher.valid_until}
    if invoice_date is not None:
        if voucher_terms_for(voucher.application.scheme).invoice_after_award and invoice_date < voucher.issued_on:
            problems["invoice_date"] = _("The invoice must be dated on or after the award (%(day)s).") % {
                "day": voucher.issued_on}
        elif invoice_date > today:
            problems["invoice_date"] = _("The invoice date cannot be in the future.")
    if invoice_provider_kvk and invoice_provider_kvk != voucher.provider.kvk_number:
        problems["invoice_provider_kvk"] = _("The invoice must come from the voucher's provider, %(name)s "
                                             "(KvK %(kvk)s).") % {"name": voucher.provider.name,
                                                                  "kvk": voucher.provider.kvk_number}
    if amount_excl_vat is not None and amount_incl_vat is not None and amount_incl_vat < amount_excl_vat:
        problems["amount_incl_vat"] = _("The amount including VAT cannot be lower than the amount excluding VAT.")
    return problems


def voucher_submit_redemption(*, voucher_id, actor, invoice_number, invoice_date, invoice_provider_kvk,
                              amount_excl_vat, amount_incl_vat, invoice_file, deliverable_file):
    """Submit (or, after a return, resubmit) the provider's invoice and deliverable, by the company or the
    provider on its behalf. Refused (TransitionRefused) when redemption_problems finds anything or a file
    is not an accepted document (grants.attachments.validate_upload). Notifies the officers."""

    def effects(voucher):
        problems = redemption_problems(voucher, invoice_date=invoice_date, invoice_provider_kvk=invoice_provider_kvk,
                                       amount_excl_vat=amount_excl_vat, amount_incl_vat=amount_incl_vat)
        if problems:
            raise TransitionRefused(" ".join(str(message) for message in problems.values()))
        try:
            invoice_type, invoice_name = validate_upload(invoice_file)
            deliverable_type, deliverable_name = validate_upload(deliverable_file)
        except ValidationError as error:
            raise TransitionRefused(" ".join(error.messages)) from None
        redemption = Redemption(
            voucher=voucher, invoice_number=invoice_number, invoice_date=invoice_date,
            invoice_provider_kvk=invoice_provider_kvk, amount_excl_vat=amount_excl_vat,
            amount_incl_vat=amount_incl_vat, invoice_name=invoice_name, invoice_content_type=invoice_type,
            deliverable_name=deliverable_name, deliverable_content_type=deliverable_type, submitted_by=actor)
        invoice_file.seek(0)
        deliverable_file.seek(0)
        redemption.invoice_file.save(invoice_name, invoice_file, save=False)
        redemption.deliverable_file.save(deliverable_name, deliverable_file, save=False)
        stored = [redemption.invoice_file.name, redemption.deliverable_file.name]
        storage = redemption.invoice_file.storage
        try:
            redemption.save()
        except BaseException:
            for name in stored:
                storage.delete(name)
            raise
        notify(event="voucher_redemption_submitted", recipients=_officers(voucher), context=_context(voucher),
               url=_review_url(voucher))

    return run_transition(model=Voucher, pk=voucher_id, name="submit_redemption", actor=actor, effects=effects)


def _pending(voucher):
    redemption = voucher.redemptions.filter(outcome=RedemptionOutcome.PENDING).first()
    if redemption is None:
        raise TransitionRefused(_("There is no redemption awaiting review."))
    return redemption


def voucher_return_redemption(*, voucher_id, actor, reasons):
    """Return the submitted redemption with reasons: the company or provider corrects and resubmits."""
    reasons = (reasons or "").strip()
    if not reasons:
        raise TransitionRefused(_("Give the reasons for returning the redemption."))

    def effects(voucher):
        redemption = _pending(voucher)
        redemption.outcome, redemption.return_reason = RedemptionOutcome.RETURNED, reasons
        redemption.decided_by, redemption.decided_at = actor, timezone.now()
        redemption.save()
        notify(event="voucher_redemption_returned", recipients=[*_company_users(voucher), *_provider_users(voucher)],
               context={**_context(voucher), "reasons": reasons}, url=_url(voucher))

    return run_transition(model=Voucher, pk=voucher_id, name="return_redemption", actor=actor, effects=effects,
                          comment=reasons)


def _instruct_payment(voucher, amount, payee, actor):
    """The redemption determines the award: one payment instruction of ``amount`` to the payee (the
    provider or the company: awards.payee_of), paid in a payment batch (workflows.services.payments),
    which marks the voucher paid. The payee, IBAN and amount are also kept on the voucher for its page."""
    from .awards import award_determine_redeemed, payee_of

    voucher.payable_to, voucher.payable_iban = payee_of(voucher.application)
    voucher.payable_amount = amount
    award_determine_redeemed(application=voucher.application, amount=amount, actor=actor)


def voucher_approve_redemption(*, voucher_id, actor, eligible_amount=None):
    """Approve the submitted redemption: the payable amount (payable_amount: the lower of the cap and the
    co-funding share of the eligible amount, which defaults to the invoice excluding VAT and may not exceed
    it) is the determined amount; a payment instruction to the payee; the rest of the commitment released."""
    given = amount_value(eligible_amount, optional=True)

    def effects(voucher):
        redemption = _pending(voucher)
        eligible = redemption.amount_excl_vat if given is None else given
        if eligible < 0 or eligible > redemption.amount_excl_vat:
            raise TransitionRefused(_("The eligible amount must be between zero and the invoice excluding VAT."))
        amount = payable_amount(voucher, eligible)
        voucher.determined_amount = amount
        redemption.outcome, redemption.eligible_amount = RedemptionOutcome.APPROVED, eligible
        redemption.decided_by, redemption.decided_at = actor, timezone.now()
        redemption.save()
        rest = budget.committed_for(voucher.application) - amount
        if rest > 0:
            budget.budget_release(application=voucher.application, amount=rest, actor=actor,
                                  key=f"voucher:{voucher.pk}:release-rest", reason="voucher redeemed below its cap")
        _instruct_payment(voucher, amount, voucher.payee, actor)
        notify(event="voucher_redeemed", recipients=[*_company_users(voucher), *_provider_users(voucher)],
               context={**_context(voucher), "amount": str(amount)}, url=_url(voucher))

    return run_transition(model=Voucher, pk=voucher_id, name="approve_redemption", actor=actor, effects=effects)


def voucher_mark_paid(*, voucher_id, actor):
    """The payment batch that paid the voucher's payment instruction (which booked the payment in the
    ledger) marks the voucher paid."""
    return run_transition(model=Voucher, pk=voucher_id, name="mark_paid", actor=actor)


# --- validity -----------------------------------------------------------------------------------


def voucher_extend(*, voucher_id, actor, until, reason):
    """Extend an unredeemed voucher once, to a later date, with a reason (the officer)."""
    reason = (reason or "").strip()
    if not reason:
        raise TransitionRefused(_("Give the reason for the extension."))
    until = date_value(until)

    def effects(voucher):
        if until <= voucher.previous_valid_until:
            raise TransitionRefused(_("The new date must be after %(day)s.") % {"day": voucher.previous_valid_until})

    return run_transition(model=Voucher, pk=voucher_id, name="extend", actor=actor, effects=effects, comment=reason,
                          params={"until": until, "by": actor, "reason": reason})


def voucher_expire(*, voucher_id):
    """Expire an unredeemed voucher whose validity has passed (the system); its commitment returns to the
    scheme's budget once (the release has the voucher's own idempotency key)."""
    today = timezone.localdate()

    def effects(voucher):
        if voucher.valid_until >= today:
            raise TransitionRefused(_("This voucher is still valid."))
        committed = budget.committed_for(voucher.application)
        if committed > 0:
            budget.budget_release(application=voucher.application, amount=committed,
                                  key=f"voucher:{voucher.pk}:expiry", reason="voucher expired")
        notify(event="voucher_expired", recipients=[*_company_users(voucher), *_provider_users(voucher)],
               context=_context(voucher), url=_url(voucher))

    return run_transition(model=Voucher, pk=voucher_id, name="expire", actor=None, effects=effects)


def vouchers_send_expiry_reminders(*, today=None):
    """Remind the company and the provider 30 and 7 days before the end of the validity, each once
    (dedupe key voucher-expiry:<id>:<days>; a missed beat day still sends within the window)."""
    today = today or timezone.localdate()
    sent = 0
    windows = [(days, REMINDER_DAYS[i + 1] if i + 1 < len(REMINDER_DAYS) else 0)
               for i, days in enumerate(REMINDER_DAYS)]
    for days, after in windows:
        due = Voucher.objects.filter(
            state__in=UNREDEEMED, valid_until__gt=today + datetime.timedelta(days=after),
            valid_until__lte=today + datetime.timedelta(days=days),
        ).select_related("application__scheme", "application__company", "provider")
        for voucher in due:
            key = f"voucher-expiry:{voucher.pk}:{days}"
            with transaction.atomic():
                if Outbox.objects.filter(dedupe_key__startswith=f"{key}:").exists():
                    continue
                notify(event="voucher_expiring", recipients=[*_company_users(voucher), *_provider_users(voucher)],
                       context={**_context(voucher), "days": days}, url=_url(voucher), dedupe_key=key)
                sent += 1
    return sent


def vouchers_expire_due(*, today=None):
    """Expire every unredeemed voucher past its validity (the daily beat job). Returns the ids expired."""
    today = today or timezone.localdate()
    expired = []
    for voucher_id in Voucher.objects.filter(state__in=UNREDEEMED, valid_until__lt=today).values_list("pk", flat=True):
        try:
            voucher_expire(voucher_id=voucher_id)
        except TransitionRefused:
            continue  # redeemed or extended meanwhile
        expired.append(voucher_id)
    return expired
