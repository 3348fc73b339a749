from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import Company, CompanyGroup, CompanyMembership, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "language", "is_active", "email_verified_at"]
    search_fields = ["email", "full_name"]
    list_filter = ["is_active", "is_superuser", "language"]
    fieldsets = [
        (None, {"fields": ["email", "password", "full_name", "language"]}),
        (_("Status"), {"fields": [
            "is_active", "email_verified_at", "is_staff", "is_superuser", "last_login", "date_joined",
        ]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "full_name", "password1", "password2"]})]
    filter_horizontal = []


class MembershipInline(admin.TabularInline):
    model = CompanyMembership
    extra = 0
    raw_id_fields = ["user"]


@admin.register(Company)
class CompanyAdmin(admin.ModelAdmin):
    list_display = ["name", "kvk_number", "legal_form", "city", "municipality"]
    search_fields = ["name", "kvk_number"]
    list_filter = ["legal_form", "municipality"]
    inlines = [MembershipInline]


admin.site.register(CompanyGroup)
