"""Login through an OpenID Connect provider (mozilla-django-oidc), off unless OIDC_RP_CLIENT_ID is set.

Applicants come through an eHerkenning/DigiD broker, staff through the municipality's identity provider.
Accounts are matched by verified email address, or created. With OIDC_IDP_MFA (the default) a login
through the provider counts as the second factor: the provider enforces its own MFA (e.g. Entra ID).
"""

import logging

from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.shortcuts import redirect
from django.utils import timezone
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from workflows.access import Rule, require

BACKEND_PATH = "applicants.oidc.GrantDeskOIDCBackend"
IDP_SESSION_KEY = "second_factor_by_idp"
logger = logging.getLogger(__name__)


class GrantDeskOIDCBackend(OIDCAuthenticationBackend):
    def authenticate(self, request, **kwargs):
        # A forged or misdirected token is a failed login (back to the login page), not an error page.
        try:
            return super().authenticate(request, **kwargs)
        except SuspiciousOperation as refusal:
            logger.warning("OpenID Connect login refused: %s", refusal)
            return None

    def verify_claims(self, claims):
        # An address the provider has not verified must never take over an existing account.
        return bool(claims.get("email")) and claims.get("email_verified", True) is not False

    def verify_token(self, token, **kwargs):
        payload = super().verify_token(token, **kwargs)
        if "nonce" in kwargs:  # the ID token: it must be meant for this desk
            audience = payload.get("aud")
            audiences = audience if isinstance(audience, list) else [audience]
            if self.OIDC_RP_CLIENT_ID not in audiences:
                raise SuspiciousOperation("ID token audience mismatch")
        return payload

    def filter_users_by_claims(self, claims):
        return self.UserModel.objects.filter(email__iexact=claims["email"].strip(), is_active=True)

    def create_user(self, claims):
        user = self.UserModel.objects.create_user(
            email=claims["email"].strip().lower(), password=None,
            full_name=(claims.get("name") or "").strip()[:200], email_verified_at=timezone.now(),
        )
        return user


def enabled():
    return getattr(settings, "OIDC_ENABLED", False)


def came_through_provider(user):
    return getattr(user, "backend", None) == BACKEND_PATH


_start = OIDCAuthenticationRequestView.as_view()
_callback = OIDCAuthenticationCallbackView.as_view()


@require(Rule.PUBLIC)
def oidc_start(request):
    """Off by default: until a provider is configured, an old link lands on the password login page."""
    if not enabled():
        return redirect("login")
    return _start(request)


@require(Rule.PUBLIC)
def oidc_callback(request):
    if not enabled():
        return redirect("login")
    return _callback(request)
