from django.urls import path

from . import views

urlpatterns = [
    path("berichten/", views.inbox, name="inbox"),
    path("berichten/<int:item_id>/", views.inbox_item, name="inbox_item"),
    path("berichten/voorkeuren/", views.notification_preferences, name="notification_preferences"),
    path("beheer/berichten/", views.notification_operations, name="notification_operations"),
]
