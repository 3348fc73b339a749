"""Staff pages for awards (determination, revocation, recoveries) and payment batches, and the
company's bank account page (IBAN change with a second person's confirmation)."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Q, Sum
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from applicants.models import Company
from workflows import access, services
from workflows.access import Rule, require
from workflows.exceptions import TransitionRefused
from workflows.http import perform

from ..eligibility import determination_basis
from ..forms.payments import (
    BatchPaidForm,
    BatchPrepareForm,
    DeterminationForm,
    IbanChangeForm,
    RecoverySettleForm,
    RevocationForm,
    RevocationRejectForm,
)
from ..models import AwardState, IbanChange, IbanChangeState, InstructionState, PaymentInstruction
from ..payment_files import batch_csv, batch_sepa_xml

# --- awards ---------------------------------------------------------------------------------------


def _award(request, award_id):
    queryset = access.staff_awards(request.user).select_related(
        "application__scheme__organisation", "application__company", "revocation_proposed_by", "determined_by")
    return get_object_or_404(queryset, pk=award_id)


def _award_page(request, award, status=200, **forms):
    recoveries = list(award.recoveries.select_related("set_off_instruction"))
    set_off_candidates = PaymentInstruction.objects.filter(
        state=InstructionState.OPEN, set_off_recovery__isnull=True,
        award__application__company_id=award.application.company_id,
    ).select_related("award__application")
    actions = services.allowed_transitions(award, request.user)
    # A pilot's accepted final report proposes the final amount (costs spent x co-funding, at most the award).
    basis = determination_basis(award) if "determine" in actions else None
    return render(request, "grants/payment_award.html", {
        "award": award,
        "actions": actions,
        "determination_basis": basis,
        "instructions": award.payment_instructions.select_related("batch", "milestone"),
        "recoveries": recoveries,
        "set_off_candidates": set_off_candidates,
        "shares": award.de_minimis_shares.all(),
        "handles_award": access.handles_award(award, request.user),
        "timeline": services.timeline(award),
        "determination_form": forms.get("determination_form") or DeterminationForm(
            initial={"amount": basis.proposed if basis else award.amount}),
        "revocation_form": forms.get("revocation_form") or RevocationForm(),
        "reject_form": forms.get("reject_form") or RevocationRejectForm(),
        "recovery_form": forms.get("recovery_form") or RecoverySettleForm(),
    }, status=status)


@require(Rule.STAFF)
def award_detail(request, award_id):
    return _award_page(request, _award(request, award_id))


def _award_action(request, award_id, service, *, success, form_class=None, form_key=None):
    award = _award(request, award_id)
    data = {}
    if form_class is not None:
        form = form_class(request.POST)
        if not form.is_valid():
            return _award_page(request, award, status=400, **{form_key: form})
        data = form.cleaned_data
    perform(request, service, award_id=award.pk, success=success, **data)
    return redirect("award_detail", award_id=award.pk)


@require(Rule.STAFF)
@require_POST
def award_determine(request, award_id):
    return _award_action(request, award_id, services.award_determine, form_class=DeterminationForm,
                         form_key="determination_form", success=_("The final amount has been determined."))


@require(Rule.STAFF)
@require_POST
def award_revocation_propose(request, award_id):
    return _award_action(request, award_id, services.award_propose_revocation, form_class=RevocationForm,
                         form_key="revocation_form", success=_("The revocation has been sent for approval."))


@require(Rule.STAFF)
@require_POST
def award_revocation_approve(request, award_id):
    return _award_action(request, award_id, services.award_approve_revocation,
                         success=_("The revocation has been approved."))


@require(Rule.STAFF)
@require_POST
def award_revocation_reject(request, award_id):
    return _award_action(request, award_id, services.award_reject_revocation, form_class=RevocationRejectForm,
                         form_key="reject_form", success=_("The revocation has been turned down."))


@require(Rule.STAFF)
@require_POST
def recovery_settle(request, award_id):
    """Register an open recovery of this award as paid back, or set it off against an open payment."""
    award = _award(request, award_id)
    recovery = get_object_or_404(award.recoveries, pk=_int(request.POST.get("recovery")))
    form = RecoverySettleForm(request.POST)
    if not form.is_valid():
        return _award_page(request, award, status=400, recovery_form=form)
    data = form.cleaned_data
    if data["method"] == "payment":
        perform(request, services.recovery_register_payment, recovery_id=recovery.pk,
                on=data.get("received_on"), success=_("The recovery has been registered as paid back."))
    else:
        perform(request, services.recovery_set_off, recovery_id=recovery.pk,
                instruction_id=data["instruction"], success=_("The recovery has been set off."))
    return redirect("award_detail", award_id=award.pk)


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


# --- payments ---------------------------------------------------------------------------------------


def _open_instructions(user):
    orgs = access.organisation_ids(user, *access.CASE_ROLES)
    return PaymentInstruction.objects.filter(
        state=InstructionState.OPEN, award__application__scheme__organisation_id__in=orgs,
    ).exclude(award__state=AwardState.REVOCATION_PROPOSED).select_related(
        "award__application__scheme__organisation", "award__application__company").order_by("created_at", "pk")


def _payment_page(request, status=200, prepare_form=None):
    instructions = list(_open_instructions(request.user)[:200])
    batches = access.staff_batches(request.user).select_related("organisation", "prepared_by").annotate(
        count=Count("instructions"), total=Sum("instructions__amount"),
        set_off=Sum("instructions__set_off_amount")).order_by("-created_at", "-pk")
    orgs = access.organisation_ids(request.user, access.OFFICER)
    iban_changes = IbanChange.objects.filter(
        state=IbanChangeState.PENDING, company__applications__award__isnull=False,
        company__applications__scheme__organisation_id__in=orgs,
    ).exclude(requested_by=request.user).select_related("company", "requested_by").distinct()
    awards = access.staff_awards(request.user).filter(
        Q(state__in=[AwardState.GRANTED, AwardState.REVOCATION_PROPOSED]) | Q(recoveries__state="open")
    ).select_related("application__company").distinct().order_by("granted_on", "pk")
    selected = prepare_form.data.getlist("instructions") if prepare_form is not None else []
    return render(request, "grants/payment_list.html", {
        "instructions": instructions,
        "selected_ids": {_int(value) for value in selected},
        "prepare_form": prepare_form or BatchPrepareForm(instructions=instructions,
                                                         initial={"execution_date": timezone.localdate()}),
        "batches": Paginator(batches, 25).get_page(request.GET.get("page")),
        "iban_changes": iban_changes,
        "awards": awards[:50],
        "is_officer": bool(orgs),
    }, status=status)


@require(Rule.STAFF)
def payment_list(request):
    return _payment_page(request)


@require(Rule.STAFF)
@require_POST
def payment_batch_prepare(request):
    instructions = list(_open_instructions(request.user))
    form = BatchPrepareForm(request.POST, instructions=instructions)
    if not form.is_valid():
        return _payment_page(request, status=400, prepare_form=form)
    chosen = [i for i in instructions if i.pk in set(form.cleaned_data["instructions"])]
    organisations = {i.award.application.scheme.organisation_id for i in chosen}
    if len(organisations) != 1:
        messages.error(request, _("A batch holds the payments of one municipality."))
        return redirect("payment_list")
    try:
        batch = services.batch_prepare(organisation_id=organisations.pop(), actor=request.user,
                                       instruction_ids=[i.pk for i in chosen],
                                       execution_date=form.cleaned_data["execution_date"])
    except TransitionRefused as refusal:
        messages.error(request, refusal.message)
        return redirect("payment_list")
    messages.success(request, _("The batch has been prepared; a manager approves it."))
    return redirect("payment_batch_detail", batch_id=batch.pk)


def _batch(request, batch_id):
    return get_object_or_404(access.staff_batches(request.user).select_related(
        "organisation", "prepared_by", "approved_by"), pk=batch_id)


def _batch_page(request, batch, status=200, paid_form=None):
    instructions = batch.instructions.select_related("award__application__company", "set_off_recovery")
    return render(request, "grants/payment_batch_detail.html", {
        "batch": batch, "instructions": instructions,
        "totals": instructions.aggregate(gross=Sum("amount"), set_off=Sum("set_off_amount")),
        "actions": services.allowed_transitions(batch, request.user),
        "paid_form": paid_form or BatchPaidForm(initial={"paid_on": timezone.localdate()}),
        "timeline": services.timeline(batch),
    }, status=status)


@require(Rule.STAFF)
def payment_batch_detail(request, batch_id):
    return _batch_page(request, _batch(request, batch_id))


@require(Rule.STAFF)
@require_POST
def payment_batch_approve(request, batch_id):
    batch = _batch(request, batch_id)
    perform(request, services.batch_approve, batch_id=batch.pk, success=_("The batch has been approved."))
    return redirect("payment_batch_detail", batch_id=batch.pk)


@require(Rule.STAFF)
@require_POST
def payment_batch_cancel(request, batch_id):
    batch = _batch(request, batch_id)
    perform(request, services.batch_cancel, batch_id=batch.pk,
            success=_("The batch has been cancelled; its payments are ready for another batch."))
    return redirect("payment_batch_detail", batch_id=batch.pk)


@require(Rule.STAFF)
@require_POST
def payment_batch_paid(request, batch_id):
    batch = _batch(request, batch_id)
    form = BatchPaidForm(request.POST)
    if not form.is_valid():
        return _batch_page(request, batch, status=400, paid_form=form)
    perform(request, services.batch_mark_paid, batch_id=batch.pk, paid_on=form.cleaned_data["paid_on"],
            success=_("The batch has been marked as paid."))
    return redirect("payment_batch_detail", batch_id=batch.pk)


@require(Rule.STAFF)
@require_GET
def payment_batch_export(request, batch_id, fmt):
    """The approved batch as CSV or as a SEPA credit transfer (pain.001) for the bank."""
    batch = _batch(request, batch_id)
    if batch.state not in ("approved", "paid") or fmt not in ("csv", "xml"):
        messages.error(request, _("Only an approved batch can be exported."))
        return redirect("payment_batch_detail", batch_id=batch.pk)
    try:
        return batch_csv(batch) if fmt == "csv" else batch_sepa_xml(batch)
    except TransitionRefused as refusal:
        messages.error(request, refusal.message)
        return redirect("payment_batch_detail", batch_id=batch.pk)


@require(Rule.STAFF)
@require_POST
def payment_iban_confirm(request, change_id):
    orgs = access.organisation_ids(request.user, access.OFFICER)
    change = get_object_or_404(IbanChange.objects.filter(
        company__applications__award__isnull=False, company__applications__scheme__organisation_id__in=orgs,
    ).distinct(), pk=change_id)
    perform(request, services.iban_change_confirm, change_id=change.pk, success=_("The new IBAN is in effect."))
    return redirect("payment_list")


# --- the company's bank account ---------------------------------------------------------------------


def _company(request, company_id):
    return get_object_or_404(Company.objects.filter(pk__in=access.company_ids(request.user)), pk=company_id)


@require(Rule.APPLICANT)
def company_iban(request, company_id):
    company = _company(request, company_id)
    form = IbanChangeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            if perform(request, services.iban_change_request, company_id=company.pk, iban=form.cleaned_data["iban"],
                       success=_("The new IBAN waits for a second person to confirm it.")):
                return redirect("company_iban", company_id=company.pk)
        else:
            status = 400
    pending = company.iban_changes.filter(state=IbanChangeState.PENDING).select_related("requested_by").first()
    return render(request, "grants/payment_company_iban.html", {
        "company": company, "form": form, "pending": pending,
        "actions": services.allowed_transitions(pending, request.user) if pending else set(),
    }, status=status)


@require(Rule.APPLICANT)
@require_POST
def company_iban_decide(request, company_id, change_id):
    company = _company(request, company_id)
    change = get_object_or_404(company.iban_changes, pk=change_id)
    if request.POST.get("decision") == "cancel":
        perform(request, services.iban_change_cancel, change_id=change.pk, success=_("The change was cancelled."))
    else:
        perform(request, services.iban_change_confirm, change_id=change.pk, success=_("The new IBAN is in effect."))
    return redirect("company_iban", company_id=company.pk)
