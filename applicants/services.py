"""Accounts and companies: registration with email verification, company profiles, and the people who
act for a company (invitations, advisers, removal)."""

from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from notifications.services import notify
from workflows import access

from .models import Company, CompanyInvitation, CompanyMembership, User

VERIFY_SALT = "applicants.verify-email"
VERIFY_MAX_AGE = 60 * 60 * 24 * 3


def user_register(*, full_name, email, password, language):
    """Create an inactive account and send the verification link through the outbox."""
    with transaction.atomic():
        user = User.objects.create_user(email=email, password=password, full_name=full_name, language=language,
                                        is_active=False)
        token = signing.dumps({"user": user.pk, "email": user.email}, salt=VERIFY_SALT)
        notify(event="verify_email", recipients=[user], context={"name": full_name},
               url=reverse("verify_email", args=[token]))
    return user


def user_verify_email(*, token):
    """Activate the account the token names; returns the user, or None for a bad or expired token."""
    try:
        data = signing.loads(token, salt=VERIFY_SALT, max_age=VERIFY_MAX_AGE)
    except signing.BadSignature:
        return None
    user = User.objects.filter(pk=data.get("user"), email=data.get("email")).first()
    if user is None:
        return None
    if user.email_verified_at is None:
        user.email_verified_at = timezone.now()
        user.is_active = True
        user.save(update_fields=["email_verified_at", "is_active"])
    return user


def company_create(*, form, user):
    with transaction.atomic():
        company = form.save()
        CompanyMembership.objects.create(user=user, company=company, role=CompanyMembership.Role.OWNER)
    return company


def companies_of(user):
    return Company.objects.filter(memberships__user=user).select_related("municipality").order_by("name")


# --- the people who act for a company ------------------------------------------------------------

INVITATION_SALT = "applicants.company-invitation"
INVITATION_MAX_AGE = 60 * 60 * 24 * 14
Role = CompanyMembership.Role


def _invitation_signer():
    # "." rather than ":" between the parts: the link stays readable, unescaped, in emails and ?next=.
    return signing.TimestampSigner(salt=INVITATION_SALT, sep=".")


def invitation_token(invitation):
    return _invitation_signer().sign_object({"invitation": invitation.pk, "email": invitation.email})


class MembershipRefused(Exception):
    """A change to who acts for a company that is not allowed; ``message`` is translated for the user."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


class InvitationInvalid(MembershipRefused):
    """The link is not (or no longer) valid: bad signature, expired, unknown or already used."""


def memberships_of(user):
    """The user's memberships with their companies, for lists (one query)."""
    return (
        CompanyMembership.objects.filter(user=user)
        .select_related("company", "company__municipality")
        .order_by("company__name")
    )


def may_invite(membership, role):
    """Owners and colleagues may invite colleagues; only owners authorise advisers. Advisers invite nobody."""
    if membership is None or membership.role == Role.ADVISER:
        return False
    return membership.role == Role.OWNER or role == Role.MEMBER


def may_manage_people(membership):
    return membership is not None and membership.role == Role.OWNER


def company_invite(*, company, email, role, invited_by):
    """Invite ``email`` to act for ``company`` as colleague or adviser and send the signed link (valid
    14 days) through the outbox. Raises MembershipRefused when ``invited_by`` may not invite that role."""
    membership = CompanyMembership.objects.filter(company=company, user=invited_by).first()
    if role not in (Role.MEMBER, Role.ADVISER) or not may_invite(membership, role):
        raise MembershipRefused(_("You may not invite people for this role."))
    email = email.strip().lower()
    with transaction.atomic():
        invitation = CompanyInvitation.objects.create(company=company, email=email, role=role, invited_by=invited_by)
        token = invitation_token(invitation)
        existing = User.objects.filter(email__iexact=email, is_active=True).first()
        notify(
            event="company_invitation",
            recipients=[existing] if existing else (),
            emails=() if existing else [email],
            context={"company": company.name, "inviter": invited_by.full_name, "role": role},
            url=reverse("invitation_accept", args=[token]),
        )
    return invitation


def invitation_from_token(*, token):
    """The open invitation a token names. Raises InvitationInvalid for a bad, expired or used link."""
    try:
        data = _invitation_signer().unsign_object(token, max_age=INVITATION_MAX_AGE)
    except signing.BadSignature:  # SignatureExpired is a BadSignature too
        raise InvitationInvalid(_("This invitation link is incorrect or has expired.")) from None
    invitation = (
        CompanyInvitation.objects.select_related("company", "invited_by")
        .filter(pk=data.get("invitation"), email=data.get("email"))
        .first()
    )
    if invitation is None:
        raise InvitationInvalid(_("This invitation no longer exists."))
    if invitation.accepted_at is not None:
        raise InvitationInvalid(_("This invitation has already been accepted."))
    return invitation


def invitation_matches(invitation, user):
    return invitation.email.lower() == user.email.lower()


def invitation_accept(*, token, user):
    """Accept the invitation for ``user``: the membership with the invited role, and the invitation
    marked accepted. Raises InvitationInvalid for a bad link, MembershipRefused when the user's email
    is not the invited one. Someone who already acts for the company keeps their current role."""
    invitation = invitation_from_token(token=token)
    if not invitation_matches(invitation, user):
        raise MembershipRefused(_("This invitation was sent to a different email address than the one you are "
                                  "logged in with. Log in with the address the invitation was sent to."))
    with transaction.atomic():
        # Locked and re-checked: a link followed twice at once creates one membership.
        locked = CompanyInvitation.objects.select_for_update().get(pk=invitation.pk)
        if locked.accepted_at is not None:
            raise InvitationInvalid(_("This invitation has already been accepted."))
        membership, _created = CompanyMembership.objects.get_or_create(
            user=user, company=invitation.company, defaults={"role": invitation.role}
        )
        locked.accepted_at = timezone.now()
        locked.save(update_fields=["accepted_at"])
    access.forget(user)
    return membership


def membership_remove(*, membership, actor):
    """Remove a colleague or revoke an adviser: owners only, never the last owner. The person loses
    access with their next request (access is read per request). Raises MembershipRefused."""
    with transaction.atomic():
        # Lock the company's owner rows so two owners removing each other cannot leave none.
        owners = list(
            CompanyMembership.objects.select_for_update()
            .filter(company_id=membership.company_id, role=Role.OWNER)
            .values_list("user_id", flat=True)
        )
        if actor.pk not in owners:
            raise MembershipRefused(_("Only an owner of the company may remove people."))
        if membership.role == Role.OWNER and len(owners) <= 1:
            raise MembershipRefused(_("The last owner cannot be removed. Make someone else owner first."))
        membership.delete()
    access.forget(actor)
