from django.urls import path

from . import oidc, security_views, views

urlpatterns = [
    path("account/registreren/", views.register, name="register"),
    path("account/bevestigen/<str:token>/", views.verify_email, name="verify_email"),
    path("account/inloggen/", views.login_view, name="login"),
    path("account/uitloggen/", views.logout_view, name="logout"),
    path("account/wachtwoord-vergeten/", views.password_reset, name="password_reset"),
    path("account/wachtwoord-vergeten/verstuurd/", views.password_reset_done, name="password_reset_done"),
    path("account/wachtwoord/<uidb64>/<token>/", views.password_reset_confirm, name="password_reset_confirm"),
    path("account/wachtwoord/gewijzigd/", views.password_reset_complete, name="password_reset_complete"),
    path("account/oidc/start/", oidc.oidc_start, name="oidc_authentication_init"),
    path("account/oidc/callback/", oidc.oidc_callback, name="oidc_authentication_callback"),
    path("account/tweede-factor/", security_views.second_factor_verify, name="second_factor_verify"),
    path("account/tweede-factor/instellen/", security_views.second_factor_enrol, name="second_factor_enrol"),
    path("account/beveiliging/", security_views.account_security, name="account_security"),
    path("account/beveiliging/herstelcodes/", security_views.backup_codes_regenerate,
         name="backup_codes_regenerate"),
    path("account/beveiliging/uitschakelen/", security_views.second_factor_disable, name="second_factor_disable"),
    path("mijn/", views.applicant_home, name="applicant_home"),
    path("mijn/bedrijven/nieuw/", views.company_create, name="company_create"),
    path("mijn/bedrijven/<int:company_id>/", views.company_edit, name="company_edit"),
    path("mijn/bedrijven/<int:company_id>/uitnodigen/", views.company_invite, name="company_invite"),
    path("mijn/bedrijven/<int:company_id>/personen/<int:membership_id>/verwijderen/", views.company_member_remove,
         name="company_member_remove"),
    path("mijn/uitnodiging/<str:token>/", views.invitation_accept, name="invitation_accept"),
]
