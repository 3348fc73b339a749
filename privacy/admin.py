from django.contrib import admin

from workflows.admin import ReadOnlyAdmin

from .models import Anonymisation, RetentionPolicy


@admin.register(RetentionPolicy)
class RetentionPolicyAdmin(admin.ModelAdmin):
    list_display = ["scheme", "unsuccessful_years", "awarded_years"]
    list_select_related = ["scheme"]


@admin.register(Anonymisation)
class AnonymisationAdmin(ReadOnlyAdmin):
    list_display = ["application", "anonymised_at", "rule"]
