from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

from workflows.access import Rule, require

admin.site.site_header = "Subsidieloket"
# The Django admin is for platform administrators only; municipal roles work in the application's pages.
admin.site.has_permission = lambda request: request.user.is_active and request.user.is_superuser

urlpatterns = [
    path("", include("grants.urls")),
    path("", include("applicants.urls")),
    path("", include("notifications.urls")),
    path("", include("workflows.urls")),
    path("", include("privacy.urls")),
    path("i18n/setlang/", require(Rule.PUBLIC)(set_language), name="set_language"),
    path("admin/", admin.site.urls),
]
