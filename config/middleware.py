import time

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.middleware.locale import LocaleMiddleware
from django.urls import Resolver404, resolve, reverse
from django.utils import translation


class DutchFirstLocaleMiddleware(LocaleMiddleware):
    """Dutch unless the visitor chose English with the language switch (a cookie).

    The browser's Accept-Language is deliberately ignored: a Dutch municipal service opens in Dutch.
    """

    def process_request(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


REFRESHED_AT = "refreshed_at"


class SessionRefreshMiddleware:
    """Keeps the inactivity timeout (SESSION_COOKIE_AGE) sliding without writing the session on every
    request: an existing session is saved, with a new expiry, when it was last saved more than
    SESSION_REFRESH_SECONDS ago. So a session ends between SESSION_COOKIE_AGE minus that interval and
    SESSION_COOKIE_AGE after the last request, and most requests cost no session write (three queries
    with SESSION_SAVE_EVERY_REQUEST). Placed right after SessionMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = request.session
        if session.session_key is not None:
            now = int(time.time())
            if now - session.get(REFRESHED_AT, 0) >= settings.SESSION_REFRESH_SECONDS:
                session[REFRESHED_AT] = now  # modified: SessionMiddleware saves it with a new expiry
        return self.get_response(request)


def session_refreshed_on_login(sender, request, user, **kwargs):
    """A new login's session is saved by the login itself: it counts as refreshed."""
    if request is not None and hasattr(request, "session"):
        request.session[REFRESHED_AT] = int(time.time())


class SecondFactorMiddleware:
    """Staff and anyone who enabled a second factor reach nothing but the code page until they pass it.

    Placed after django-otp's OTPMiddleware (which tells whether this session passed a device). Who needs
    a second factor is ``applicants.second_factor.required_for``; a staff member without a device yet is
    sent to set one up first.
    """

    OPEN_URL_NAMES = frozenset({
        "second_factor_verify", "second_factor_enrol", "logout", "set_language", "healthz", "privacy_statement",
    })

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from applicants import second_factor

        user = request.user
        if (
            user.is_authenticated
            and not user.is_verified()
            and not request.path.startswith(settings.STATIC_URL)
            and getattr(resolve_or_none(request.path_info), "url_name", None) not in self.OPEN_URL_NAMES
            and second_factor.required_for(request)
        ):
            target = "second_factor_verify" if second_factor.has_device(request) else "second_factor_enrol"
            return redirect_to_login(request.get_full_path(), login_url=reverse(target))
        return self.get_response(request)


def resolve_or_none(path):
    try:
        return resolve(path)
    except Resolver404:
        return None
