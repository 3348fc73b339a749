from django.urls import path

from . import views

urlpatterns = [
    path("privacy/", views.privacy_statement, name="privacy_statement"),
    path("mijn/gegevens/", views.my_data_export, name="my_data_export"),
]
