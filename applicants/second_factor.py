"""The second factor: a TOTP authenticator app with single-use backup codes (django-otp).

Staff (anyone with a municipal role) and platform administrators must pass it after the password;
applicants may switch it on. ``config.middleware.SecondFactorMiddleware`` keeps a session that has not
passed it on the code page.
"""

import secrets
from base64 import b32decode

from django.db import transaction
from django_otp import DEVICE_ID_SESSION_KEY, devices_for_user, user_has_device
from django_otp import login as otp_login
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from workflows import access

# Set at login: whether this session's user has a confirmed device (so no query on every request).
REQUIRED_SESSION_KEY = "second_factor_required"
BACKUP_CODE_COUNT = 10
AUTHENTICATOR_NAME = "authenticator"
BACKUP_NAME = "backup"


class SecondFactorRefused(Exception):
    def __init__(self, message):
        super().__init__(message)
        self.message = message


def mandatory_for(user):
    """Staff and platform administrators may not switch it off; applicants choose."""
    return user.is_superuser or access.is_staff(user)


def required_for(request):
    from .oidc import IDP_SESSION_KEY

    if request.session.get(IDP_SESSION_KEY):
        return False  # the identity provider enforced its own MFA at this login
    return mandatory_for(request.user) or bool(request.session.get(REQUIRED_SESSION_KEY))


def has_device(request):
    return user_has_device(request.user, confirmed=True)


def remember_at_login(*, request, user):
    """Called on every login (django's user_logged_in): note whether this user set up a device."""
    from django.conf import settings

    from .oidc import IDP_SESSION_KEY, came_through_provider

    if request is not None and hasattr(request, "session"):
        request.session[REQUIRED_SESSION_KEY] = user_has_device(user, confirmed=True)
        request.session[IDP_SESSION_KEY] = came_through_provider(user) and settings.OIDC_IDP_MFA


def authenticator_of(user):
    return TOTPDevice.objects.filter(user=user, name=AUTHENTICATOR_NAME).first()


def totp_enrol_start(*, user):
    """The user's unconfirmed authenticator (a new secret), to be confirmed with a first code.

    An already confirmed authenticator is refused: switch it off first."""
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().filter(user=user, name=AUTHENTICATOR_NAME).first()
        if device is not None and device.confirmed:
            raise SecondFactorRefused("already confirmed")
        if device is None:
            device = TOTPDevice.objects.create(user=user, name=AUTHENTICATOR_NAME, confirmed=False)
    return device


def totp_enrol_confirm(*, request, token):
    """Confirm the pending authenticator with a code from the app, mark this session as verified and
    return fresh backup codes (shown once). Returns None when the code is wrong."""
    user = request.user
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().filter(
            user=user, name=AUTHENTICATOR_NAME, confirmed=False).first()
        if device is None or not device.verify_token(token):
            return None
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = backup_codes_generate(user=user)
    otp_login(request, device)
    request.session[REQUIRED_SESSION_KEY] = True
    return codes


def backup_codes_generate(*, user):
    """Replace the user's backup codes by ten new single-use ones and return them (stored as given)."""
    with transaction.atomic():
        device, _ = StaticDevice.objects.get_or_create(user=user, name=BACKUP_NAME, defaults={"confirmed": True})
        device.token_set.all().delete()
        codes = [f"{secrets.randbelow(10**8):08d}" for _ in range(BACKUP_CODE_COUNT)]
        StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def second_factor_verify(*, request, token):
    """Check a code from the app or a backup code; on success this session counts as verified.

    django-otp throttles each device after failures, so guessing codes slows down quickly."""
    token = "".join((token or "").split())
    if not token.isdigit() or len(token) > 8:
        return False
    with transaction.atomic():
        # Locked rows: one code can never be used by two requests at the same moment.
        for device in devices_for_user(request.user, confirmed=True, for_verify=True):
            if device.verify_is_allowed()[0] and device.verify_token(token):
                otp_login(request, device)
                return True
    return False


def second_factor_disable(*, request):
    """Remove the user's devices. Refused for staff and platform administrators, for whom it is required."""
    user = request.user
    if mandatory_for(user):
        raise SecondFactorRefused("mandatory")
    with transaction.atomic():
        for device in devices_for_user(user, confirmed=None):
            device.delete()
    request.session.pop(DEVICE_ID_SESSION_KEY, None)
    request.session[REQUIRED_SESSION_KEY] = False


def backup_codes_left(user):
    return StaticToken.objects.filter(device__user=user, device__name=BACKUP_NAME).count()


# The demo staff share one published secret (README, scripts/run) so people and the browser tests can
# compute codes: `manage.py demo_totp` prints the current one. Never used outside seed_demo.
DEMO_TOTP_SECRET = "SUBSIDIELOKETDEMOCIRCULAIRZUIDHO"


def demo_authenticator(*, user, secret):
    """A confirmed authenticator with a known base32 secret (demo and tests only)."""
    return TOTPDevice.objects.create(user=user, name=AUTHENTICATOR_NAME, confirmed=True,
                                     key=b32decode(secret).hex())


def current_code(secret, *, at=None):
    """The TOTP code for a base32 secret now (or at a Unix time): what an authenticator app shows."""
    totp = TOTP(b32decode(secret))
    if at is not None:
        totp.time = at
    return f"{totp.token():06d}"


def test_authenticator(*, user):
    """The confirmed authenticator tests log staff in with (see conftest's force_login)."""
    device = authenticator_of(user)
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=AUTHENTICATOR_NAME, confirmed=True)
    return device
