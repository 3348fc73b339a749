from django.urls import path

from . import views

urlpatterns = [
    path("berichten/", views.inbox, name="inbox"),
    path("berichten/<int:item_id>/", views.inbox_item, name="inbox_item"),
]
