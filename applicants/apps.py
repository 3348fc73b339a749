from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApplicantsConfig(AppConfig):
    name = "applicants"
    verbose_name = _("Applicants")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from config.middleware import session_refreshed_on_login

        from . import second_factor

        def remember_second_factor(sender, request, user, **kwargs):
            second_factor.remember_at_login(request=request, user=user)

        user_logged_in.connect(remember_second_factor, weak=False, dispatch_uid="applicants.second_factor")
        user_logged_in.connect(session_refreshed_on_login, dispatch_uid="config.session_refresh")
