from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef, Subquery
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from grants.models import Message
from grants.selectors import applications_of_companies
from workflows import access, audit
from workflows.access import Rule, require

from . import oidc, services
from .forms import CompanyForm, InvitationForm, LoginForm, OutboxPasswordResetForm, RegistrationForm
from .models import CompanyMembership
from .ratelimit import rate_limited

Role = CompanyMembership.Role


@require(Rule.PUBLIC)
@require_http_methods(["GET", "POST"])
@rate_limited("register")
def register(request):
    if request.user.is_authenticated:
        return redirect("applicant_home")
    form = RegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.user_register(
            full_name=form.cleaned_data["full_name"], email=form.cleaned_data["email"],
            password=form.cleaned_data["password1"], language=form.cleaned_data["language"],
        )
        return render(request, "applicants/register_done.html", {"email": form.cleaned_data["email"]})
    return render(request, "applicants/register.html", {"form": form})


@require(Rule.PUBLIC)
def verify_email(request, token):
    user = services.user_verify_email(token=token)
    if user is None:
        return render(request, "applicants/verify_failed.html", status=400)
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    messages.success(request, _("Your email address is confirmed. Welcome!"))
    return redirect("applicant_home")


class LoginView(auth_views.LoginView):
    template_name = "applicants/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        # The provider's button only when OpenID Connect is configured (applicants/oidc.py).
        return {**super().get_context_data(**kwargs),
                "oidc_login_label": settings.OIDC_LOGIN_LABEL if oidc.enabled() else ""}


login_view = require(Rule.PUBLIC)(rate_limited("login")(LoginView.as_view()))
_logout = auth_views.LogoutView.as_view()


@require(Rule.PUBLIC)
@require_http_methods(["GET", "POST"])
def logout_view(request):
    """Logging out is a POST (no cross-site logout by a link); a GET, e.g. a bookmark, asks to confirm."""
    if request.method == "POST":
        return _logout(request)
    return render(request, "applicants/logout.html")
password_reset = require(Rule.PUBLIC)(rate_limited("password_reset")(
    auth_views.PasswordResetView.as_view(
        template_name="applicants/password_reset.html", form_class=OutboxPasswordResetForm,
        success_url=reverse_lazy("password_reset_done"),
    )
))
password_reset_done = require(Rule.PUBLIC)(
    auth_views.PasswordResetDoneView.as_view(template_name="applicants/password_reset_done.html")
)
password_reset_confirm = require(Rule.PUBLIC)(
    auth_views.PasswordResetConfirmView.as_view(
        template_name="applicants/password_reset_confirm.html", success_url=reverse_lazy("password_reset_complete")
    )
)
password_reset_complete = require(Rule.PUBLIC)(
    auth_views.PasswordResetCompleteView.as_view(template_name="applicants/password_reset_complete.html")
)


@require(Rule.AUTHENTICATED)
def applicant_home(request):
    if access.is_staff(request.user) and not access.is_applicant(request.user):
        # Staff land where their work is: the cases, or scheme management for administrators only.
        return redirect("case_list" if access.is_staff(request.user, *access.CASE_ROLES) else "manage_scheme_list")
    latest_message = Message.objects.filter(application=OuterRef("pk")).order_by("-created_at").values("created_at")
    applications = applications_of_companies(access.company_ids(request.user)).annotate(
        last_message_at=Subquery(latest_message[:1])
    )
    return render(request, "applicants/home.html", {
        "memberships": services.memberships_of(request.user), "applications": applications,
    })


@require(Rule.AUTHENTICATED)
@require_http_methods(["GET", "POST"])
def company_create(request):
    form = CompanyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        company = services.company_create(form=form, user=request.user)
        access.forget(request.user)
        messages.success(request, _("The company %(name)s has been registered.") % {"name": company.name})
        return redirect("applicant_home")
    return render(request, "applicants/company_form.html", {"form": form, "creating": True})


# --- the company page: details and the people who act for it ---------------------------------------

ROLE_ORDER = {Role.OWNER: 0, Role.MEMBER: 1, Role.ADVISER: 2}


def _own_membership(request, company_id):
    """The user's membership of the company; a company they do not act for does not exist for them."""
    return get_object_or_404(
        CompanyMembership.objects.select_related("company", "company__municipality"),
        company_id=company_id, user=request.user,
    )


def _invite_roles(membership):
    return [role for role in (Role.MEMBER, Role.ADVISER) if services.may_invite(membership, role)]


def _company_page(request, membership, *, status=200, form=None, invite_form=None):
    company = membership.company
    people = sorted(company.memberships.select_related("user"),
                    key=lambda m: (ROLE_ORDER.get(m.role, 9), m.user.full_name.lower()))
    owners = sum(person.role == Role.OWNER for person in people)
    for person in people:
        person.removable = person.role != Role.OWNER or owners > 1  # never the last owner
    pending = company.invitations.filter(
        accepted_at__isnull=True, created_at__gte=timezone.now() - timedelta(seconds=services.INVITATION_MAX_AGE)
    ).order_by("-created_at")
    roles = _invite_roles(membership)
    # An adviser acts on the applications but does not change the company's details (its IBAN above all).
    may_edit = membership.role != Role.ADVISER
    return render(request, "applicants/company_form.html", {
        "company": company, "membership": membership, "people": people, "pending": pending,
        "form": (form or CompanyForm(instance=company)) if may_edit else None,
        "invite_form": invite_form or (InvitationForm(company=company, roles=roles) if roles else None),
        "may_manage": services.may_manage_people(membership),
    }, status=status)


@require(Rule.APPLICANT)
@require_http_methods(["GET", "POST"])
def company_edit(request, company_id):
    membership = _own_membership(request, company_id)
    if request.method == "GET":
        return _company_page(request, membership)
    if membership.role == Role.ADVISER:
        raise PermissionDenied
    form = CompanyForm(request.POST, instance=membership.company)
    if form.is_valid():
        company = form.save()
        if form.changed_data:  # which fields, never their values (an IBAN stays out of the trail)
            audit.changed(request, company, detail=", ".join(form.changed_data))
        messages.success(request, _("The company details have been saved."))
        return redirect("applicant_home")
    return _company_page(request, membership, form=form)


@require(Rule.APPLICANT)
@require_POST
def company_invite(request, company_id):
    membership = _own_membership(request, company_id)
    roles = _invite_roles(membership)
    if not roles:
        raise PermissionDenied
    form = InvitationForm(request.POST, company=membership.company, roles=roles)
    if not form.is_valid():
        return _company_page(request, membership, status=400, invite_form=form)
    try:
        services.company_invite(company=membership.company, email=form.cleaned_data["email"],
                                role=form.cleaned_data["role"], invited_by=request.user)
    except services.MembershipRefused as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, _("We have sent an invitation to %(email)s. The link is valid for 14 days.")
                         % {"email": form.cleaned_data["email"]})
    return redirect("company_edit", company_id=company_id)


@require(Rule.APPLICANT)
@require_POST
def company_member_remove(request, company_id, membership_id):
    membership = _own_membership(request, company_id)
    if not services.may_manage_people(membership):
        raise PermissionDenied
    target = get_object_or_404(CompanyMembership.objects.select_related("user"), pk=membership_id,
                               company_id=company_id)
    try:
        services.membership_remove(membership=target, actor=request.user)
    except services.MembershipRefused as refusal:
        messages.error(request, refusal.message)
        return redirect("company_edit", company_id=company_id)
    if target.role == Role.ADVISER:
        text = _("The authorisation of %(name)s has been revoked.")
    else:
        text = _("%(name)s can no longer act for the company.")
    messages.success(request, text % {"name": target.user.full_name or target.user.email})
    if target.user_id == request.user.pk:
        return redirect("applicant_home")
    return redirect("company_edit", company_id=company_id)


@require(Rule.AUTHENTICATED)
@require_http_methods(["GET", "POST"])
def invitation_accept(request, token):
    try:
        invitation = services.invitation_from_token(token=token)
        if not services.invitation_matches(invitation, request.user):
            return _invitation_problem(request, _("This invitation is for someone else"), status=403, reason=_(
                "This invitation was sent to a different email address than the one you are logged in with. "
                "Log out and log in with the address the invitation was sent to."))
        if request.method == "GET":
            return render(request, "applicants/invitation_accept.html", {"invitation": invitation})
        membership = services.invitation_accept(token=token, user=request.user)
    except services.InvitationInvalid as refusal:
        return _invitation_problem(request, _("This invitation link is not valid"), status=400,
                                   reason=refusal.message)
    except services.MembershipRefused as refusal:
        return _invitation_problem(request, _("This invitation is for someone else"), status=403,
                                   reason=refusal.message)
    messages.success(request, _("You can now act for %(company)s.") % {"company": membership.company.name})
    return redirect("company_edit", company_id=membership.company_id)


def _invitation_problem(request, title, *, status, reason):
    return render(request, "applicants/invitation_problem.html", {"title": title, "reason": reason}, status=status)
