"""Voucher pages: the voucher page (company and provider), the provider's dashboard and code lookup, the
officer's redemption review and provider approvals, the administrator's provider admin and the
applicant's provider choice. Every object comes from a workflows.access queryset (else a 404)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from applicants.models import User
from workflows import access, services
from workflows.access import Rule, require
from workflows.exceptions import TransitionRefused
from workflows.http import perform

from ..forms.vouchers import (
    ApproveRedemptionForm,
    ExtendForm,
    LookupForm,
    ProviderChoiceForm,
    ProviderForm,
    ProviderMemberForm,
    ReturnRedemptionForm,
    VoucherTermsForm,
)
from ..forms.vouchers import RedemptionForm as RedeemForm
from ..models import (
    ApplicationState,
    ProviderChoice,
    ProviderMembership,
    SchemeKind,
    Voucher,
    VoucherState,
    VoucherTerms,
)
from ..models.applications import OPEN_STATES
from .files import _download

VOUCHER_JOINS = ("application__company", "application__scheme__organisation", "provider")


def _visible_to_holder(user):
    """The company's vouchers and the vouchers to be spent with the user's providers."""
    return Voucher.objects.filter(
        Q(pk__in=access.own_vouchers(user).values("pk")) | Q(pk__in=access.provider_vouchers(user).values("pk"))
    ).select_related(*VOUCHER_JOINS)


def _voucher_page(request, voucher, form=None, status=200):
    return render(request, "grants/voucher_detail.html", {
        "voucher": voucher,
        "redemptions": list(voucher.redemptions.select_related("decided_by")),
        "form": form or RedeemForm(voucher=voucher),
        "actions": services.allowed_transitions(voucher, request.user),
        "timeline": services.timeline(voucher, internal=False),
        "is_provider": voucher.provider_id in access.provider_ids(request.user),
    }, status=status)


@require(Rule.AUTHENTICATED)
def voucher_detail(request, voucher_id):
    """The voucher for its company and its provider; POST submits (or resubmits) the redemption."""
    voucher = get_object_or_404(_visible_to_holder(request.user), pk=voucher_id)
    if request.method != "POST":
        return _voucher_page(request, voucher)
    form = RedeemForm(request.POST, request.FILES, voucher=voucher)
    if not form.is_valid():
        return _voucher_page(request, voucher, form, status=400)
    result = perform(request, services.voucher_submit_redemption, voucher_id=voucher.pk,
                     success=_("The redemption has been submitted."), **form.cleaned_data)
    if result is None:
        return _voucher_page(request, voucher, form, status=400)
    return redirect("voucher_detail", voucher_id=voucher.pk)


@require(Rule.AUTHENTICATED)
def voucher_file(request, voucher_id, redemption_id, kind):
    """The invoice or deliverable of a redemption, for the company, the provider and the municipality."""
    visible = Voucher.objects.filter(
        Q(pk__in=access.own_vouchers(request.user).values("pk"))
        | Q(pk__in=access.provider_vouchers(request.user).values("pk"))
        | Q(pk__in=access.staff_vouchers(request.user).values("pk")))
    voucher = get_object_or_404(visible, pk=voucher_id)
    redemption = get_object_or_404(voucher.redemptions.all(), pk=redemption_id)
    if kind not in ("invoice", "deliverable"):
        return render(request, "404.html", status=404)
    stored = _StoredFile(getattr(redemption, f"{kind}_file"), getattr(redemption, f"{kind}_name"),
                         getattr(redemption, f"{kind}_content_type"))
    return _download(request, stored, case=voucher.application_id, subject=redemption)


class _StoredFile:
    """What grants.views.files._download reads from an attachment."""

    def __init__(self, file, original_name, content_type):
        self.file, self.original_name, self.content_type = file, original_name, content_type


# --- the provider --------------------------------------------------------------------------------


@require(Rule.PROVIDER)
def provider_dashboard(request):
    """The vouchers to be spent with the user's providers; POST looks a code up (logged, rate-limited)."""
    queryset = access.provider_vouchers(request.user).select_related(*VOUCHER_JOINS).order_by("valid_until", "pk")
    state = request.GET.get("state") or ""
    if state in VoucherState.values:
        queryset = queryset.filter(state=state)
    form, found, status = LookupForm(), None, 200
    if request.method == "POST":
        form = LookupForm(request.POST)
        if form.is_valid():
            try:
                found = services.voucher_lookup(user=request.user, code=form.cleaned_data["code"])
            except services.LookupThrottled:
                form.add_error("code", _("Too many lookups. Please wait a few minutes and try again."))
                status = 429
            else:
                if found is None:
                    form.add_error("code", _("No voucher with this code is assigned to you."))
        else:
            status = 400
    return render(request, "grants/provider_dashboard.html", {
        "page": Paginator(queryset, 50).get_page(request.GET.get("page")), "form": form, "found": found,
        "state": state, "states": VoucherState.choices,
    }, status=status)


# --- the officer ---------------------------------------------------------------------------------


@require(Rule.STAFF)
def voucher_list(request):
    queryset = access.staff_vouchers(request.user).select_related(*VOUCHER_JOINS).order_by("valid_until", "pk")
    state = request.GET.get("state") or ""
    if state in VoucherState.values:
        queryset = queryset.filter(state=state)
    return render(request, "grants/voucher_list.html", {
        "page": Paginator(queryset, 50).get_page(request.GET.get("page")), "state": state,
        "states": VoucherState.choices,
    })


def _staff_voucher(request, voucher_id):
    return get_object_or_404(access.staff_vouchers(request.user).select_related(*VOUCHER_JOINS), pk=voucher_id)


def _review_page(request, voucher, status=200, **forms):
    return render(request, "grants/voucher_review.html", {
        "voucher": voucher,
        "redemptions": list(voucher.redemptions.select_related("submitted_by", "decided_by")),
        "actions": services.allowed_transitions(voucher, request.user),
        "timeline": services.timeline(voucher),
        "approve_form": forms.get("approve_form") or ApproveRedemptionForm(),
        "return_form": forms.get("return_form") or ReturnRedemptionForm(),
        "extend_form": forms.get("extend_form") or ExtendForm(),
    }, status=status)


@require(Rule.STAFF)
def voucher_review(request, voucher_id):
    return _review_page(request, _staff_voucher(request, voucher_id))


def _review_action(request, voucher_id, service, *, success, form_class=None, form_key=None):
    voucher = _staff_voucher(request, voucher_id)
    data = {}
    if form_class is not None:
        form = form_class(request.POST)
        if not form.is_valid():
            return _review_page(request, voucher, status=400, **{form_key: form})
        data = form.cleaned_data
    perform(request, service, voucher_id=voucher.pk, success=success, **data)
    return redirect("voucher_review", voucher_id=voucher.pk)


@require(Rule.STAFF)
@require_POST
def voucher_approve(request, voucher_id):
    return _review_action(request, voucher_id, services.voucher_approve_redemption, form_class=ApproveRedemptionForm,
                          form_key="approve_form", success=_("The redemption has been approved."))


@require(Rule.STAFF)
@require_POST
def voucher_return(request, voucher_id):
    return _review_action(request, voucher_id, services.voucher_return_redemption, form_class=ReturnRedemptionForm,
                          form_key="return_form", success=_("The redemption has been returned."))


@require(Rule.STAFF)
@require_POST
def voucher_extend(request, voucher_id):
    return _review_action(request, voucher_id, services.voucher_extend, form_class=ExtendForm,
                          form_key="extend_form", success=_("The voucher has been extended."))


@require(Rule.STAFF)
def provider_list(request):
    """Providers of the municipality's schemes, proposed ones first, for the officer to approve."""
    providers = access.staff_providers(request.user).select_related("scheme", "proposed_by").order_by(
        "-approved_at", "name")
    providers = sorted(providers, key=lambda p: p.approved_at is not None)
    return render(request, "grants/provider_list.html", {"providers": providers})


@require(Rule.STAFF)
@require_POST
def provider_approve(request, provider_id):
    provider = get_object_or_404(access.staff_providers(request.user), pk=provider_id)
    perform(request, lambda actor, **kw: services.provider_approve(actor=actor, **kw), provider_id=provider.pk,
            success=_("%(name)s is now an approved provider.") % {"name": provider.name})
    return redirect("provider_list")


# --- the administrator ---------------------------------------------------------------------------


def _administered_schemes(user):
    from ..models import Scheme

    return access.administered_schemes(user, Scheme.objects.filter(kind=SchemeKind.VOUCHER))


@require(Rule.ADMINISTRATOR)
def manage_provider_list(request):
    """The providers of the voucher schemes the user administers; POST adds one (approved at once)."""
    schemes = _administered_schemes(request.user)
    form, status = ProviderForm(schemes=schemes), 200
    if request.method == "POST":
        form = ProviderForm(request.POST, schemes=schemes)
        if form.is_valid():
            provider = form.save(commit=False)
            provider.approved_at, provider.approved_by = timezone.now(), request.user
            provider.save()
            messages.success(request, _("%(name)s has been added.") % {"name": provider.name})
            return redirect("manage_provider_edit", provider_id=provider.pk)
        status = 400
    providers = access.administered_providers(request.user).select_related("scheme").order_by("scheme__title_nl",
                                                                                               "name")
    return render(request, "grants/manage/provider_list.html", {"providers": providers, "form": form,
                                                                "schemes": schemes}, status=status)


@require(Rule.ADMINISTRATOR)
def manage_provider_edit(request, provider_id):
    """Edit a provider; POST with ``member`` adds a person (an existing account) to the provider."""
    provider = get_object_or_404(access.administered_providers(request.user).select_related("scheme"),
                                 pk=provider_id)
    schemes = _administered_schemes(request.user)
    form, member_form, status = ProviderForm(instance=provider, schemes=schemes), ProviderMemberForm(), 200
    if request.method == "POST" and "member" in request.POST:
        member_form = ProviderMemberForm(request.POST)
        if member_form.is_valid():
            user = User.objects.filter(email__iexact=member_form.cleaned_data["email"], is_active=True).first()
            if user is None:
                member_form.add_error("email", _("There is no account with this email address yet."))
            else:
                ProviderMembership.objects.get_or_create(user=user, provider=provider)
                messages.success(request, _("%(email)s now works for %(name)s.") % {"email": user.email,
                                                                                   "name": provider.name})
                return redirect("manage_provider_edit", provider_id=provider.pk)
        status = 400
    elif request.method == "POST":
        form = ProviderForm(request.POST, instance=provider, schemes=schemes)
        if form.is_valid():
            form.save()
            messages.success(request, _("The provider has been saved."))
            return redirect("manage_provider_edit", provider_id=provider.pk)
        status = 400
    members = provider.memberships.select_related("user").order_by("user__email")
    return render(request, "grants/manage/provider_form.html", {
        "provider": provider, "form": form, "member_form": member_form, "members": members}, status=status)


@require(Rule.ADMINISTRATOR)
def manage_voucher_terms(request, scheme_id):
    """A voucher scheme's terms: validity, payee, face value or co-funding, invoice date rule, per-provider limit."""
    scheme = get_object_or_404(_administered_schemes(request.user), pk=scheme_id)
    terms = VoucherTerms.objects.filter(scheme=scheme).first() or VoucherTerms(scheme=scheme)
    form, status = VoucherTermsForm(instance=terms), 200
    if request.method == "POST":
        form = VoucherTermsForm(request.POST, instance=terms)
        if form.is_valid():
            form.save()
            messages.success(request, _("The voucher terms have been saved."))
            return redirect("manage_voucher_terms", scheme_id=scheme.pk)
        status = 400
    return render(request, "grants/manage/voucher_terms.html", {"scheme": scheme, "form": form}, status=status)


# --- the applicant -------------------------------------------------------------------------------


@require(Rule.APPLICANT)
def application_provider(request, application_id):
    """Choose the provider for a voucher application (until the decision), or propose one for the officer to
    approve. The award issues the voucher for the chosen, approved provider (workflows.services.vouchers)."""
    application = get_object_or_404(
        access.own_applications(request.user).select_related("scheme"), pk=application_id,
        scheme__kind=SchemeKind.VOUCHER)
    providers = application.scheme.providers.filter(active=True, approved_at__isnull=False)
    choice = ProviderChoice.objects.select_related("provider").filter(application=application).first()
    initial = {"provider": choice.provider} if choice and choice.provider.is_approved else {}
    form, status = ProviderChoiceForm(initial=initial, providers=providers), 200
    if request.method == "POST":
        form = ProviderChoiceForm(request.POST, providers=providers)
        if application.state not in (ApplicationState.DRAFT, *OPEN_STATES):
            messages.error(request, _("The provider can only be changed until the decision."))
            return redirect("application_detail", application_id=application.pk)
        if form.is_valid():
            data = form.cleaned_data
            try:
                with transaction.atomic():
                    if data["provider"] is not None:
                        ProviderChoice.objects.update_or_create(application=application,
                                                                defaults={"provider": data["provider"]})
                    else:
                        services.provider_propose(application=application, actor=request.user, name=data["name"],
                                                  kvk_number=data["kvk_number"],
                                                  contact_email=data["contact_email"], services=data["services"])
            except (ValidationError, TransitionRefused) as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("The provider has been saved."))
                return redirect("application_provider", application_id=application.pk)
        status = 400
    return render(request, "grants/voucher_provider_choice.html", {
        "application": application, "form": form, "choice": choice}, status=status)
