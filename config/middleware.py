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
