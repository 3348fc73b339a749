from django.contrib import admin

from workflows.admin import ReadOnlyAdmin

from .models import Application, Budget, LedgerEntry, Organisation, Scheme, SchemeQuestion, StaffMembership


class StaffInline(admin.TabularInline):
    model = StaffMembership
    extra = 0
    raw_id_fields = ["user"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "email"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [StaffInline]


class BudgetInline(admin.StackedInline):
    """Read-only: totals move only through grants.services (the ledger)."""

    model = Budget
    can_delete = False
    readonly_fields = ["ceiling", "reserved", "committed", "paid", "released", "recovered"]
    extra = 0

    def has_add_permission(self, request, obj=None):
        return False


class QuestionInline(admin.StackedInline):
    model = SchemeQuestion
    extra = 0


@admin.register(Scheme)
class SchemeAdmin(admin.ModelAdmin):
    list_display = ["title_nl", "organisation", "kind", "opens_on", "closes_on", "distribution"]
    list_filter = ["organisation", "kind", "distribution"]
    search_fields = ["title_nl", "title_en", "code"]
    filter_horizontal = ["eligible_municipalities"]
    inlines = [BudgetInline, QuestionInline]

    def save_model(self, request, obj, form, change):
        from .services import budget_open

        super().save_model(request, obj, form, change)
        if not change:
            budget_open(scheme=obj, ceiling=0, actor=request.user)


@admin.register(Application)
class ApplicationAdmin(ReadOnlyAdmin):
    """Read-only view for platform administrators; cases change only through the workflow pages."""

    list_display = ["reference", "title", "scheme", "company", "state", "decision_due_on"]
    list_filter = ["state", "scheme__organisation"]
    search_fields = ["reference", "title", "company__name", "company__kvk_number"]
    list_select_related = ["scheme", "company"]


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "budget", "kind", "amount", "application", "idempotency_key"]
    list_filter = ["kind"]
    list_select_related = ["budget__scheme", "application"]
