"""Accounts and companies: registration with email verification, company profiles."""

from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from notifications.services import notify

from .models import Company, CompanyMembership, User

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
