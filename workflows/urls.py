from django.urls import path

from . import views

urlpatterns = [
    path("behandeling/<int:application_id>/audit/", views.case_audit_export, name="case_audit_export"),
]
