from django.urls import path

from .views import applicant, public, staff

urlpatterns = [
    path("", public.home, name="home"),
    path("healthz", public.healthz, name="healthz"),
    path("toegankelijkheid/", public.accessibility, name="accessibility"),
    path("regelingen/", public.scheme_list, name="scheme_list"),
    path("regelingen/<int:scheme_id>/", public.scheme_detail, name="scheme_detail"),
    path("mijn/aanvragen/nieuw/<int:scheme_id>/", applicant.application_create, name="application_create"),
    path("mijn/aanvragen/<int:application_id>/", applicant.application_detail, name="application_detail"),
    path("mijn/aanvragen/<int:application_id>/bewerken/", applicant.application_edit, name="application_edit"),
    path("mijn/aanvragen/<int:application_id>/indienen/", applicant.application_submit, name="application_submit"),
    path("mijn/aanvragen/<int:application_id>/intrekken/", applicant.application_withdraw,
         name="application_withdraw"),
    path("mijn/aanvragen/<int:application_id>/aanvullen/", applicant.application_supply_info,
         name="application_supply_info"),
    path("behandeling/", staff.case_list, name="case_list"),
    path("behandeling/<int:application_id>/", staff.case_detail, name="case_detail"),
    path("behandeling/<int:application_id>/in-behandeling/", staff.case_start_review, name="case_start_review"),
    path("behandeling/<int:application_id>/aanvulling/", staff.case_request_info, name="case_request_info"),
    path("behandeling/<int:application_id>/voorstel/", staff.case_propose, name="case_propose"),
    path("behandeling/<int:application_id>/buiten-behandeling/", staff.case_propose_not_considered,
         name="case_propose_not_considered"),
    path("behandeling/<int:application_id>/terugsturen/", staff.case_send_back, name="case_send_back"),
    path("behandeling/<int:application_id>/goedkeuren/", staff.case_approve, name="case_approve"),
]
