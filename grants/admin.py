from decimal import Decimal

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from workflows.admin import ReadOnlyAdmin

from .models import (
    Application,
    Award,
    Budget,
    ChangeRequest,
    LedgerEntry,
    Objection,
    Organisation,
    PaymentAccount,
    PaymentBatch,
    Provider,
    Report,
    Scheme,
    SchemeQuestion,
    StaffMembership,
    Voucher,
)
from .services import scheme_set_ceiling


class PaymentAccountInline(admin.StackedInline):
    """The account SEPA credit transfers of this municipality are paid from."""

    model = PaymentAccount
    can_delete = False


class StaffInline(admin.TabularInline):
    model = StaffMembership
    extra = 0
    raw_id_fields = ["user"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "email"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [StaffInline, PaymentAccountInline]


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


class SchemeAdminForm(forms.ModelForm):
    """The scheme with its budget ceiling; the ceiling is set through the budget service (a ledger
    entry), which refuses a ceiling below what is already reserved and committed."""

    budget_ceiling = forms.DecimalField(label=_("Budget ceiling (EUR)"), min_value=Decimal("0"), max_digits=14,
                                        decimal_places=2)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        budget = getattr(self.instance, "budget", None) if self.instance.pk else None
        if budget is not None:
            self.fields["budget_ceiling"].initial = budget.ceiling

    def clean_budget_ceiling(self):
        ceiling = self.cleaned_data["budget_ceiling"]
        budget = getattr(self.instance, "budget", None) if self.instance.pk else None
        if budget is not None and ceiling < budget.reserved + budget.committed:
            raise forms.ValidationError(
                _("The ceiling cannot be lower than what is already reserved and committed (%(amount)s).")
                % {"amount": budget.reserved + budget.committed}
            )
        return ceiling


@admin.register(Scheme)
class SchemeAdmin(admin.ModelAdmin):
    form = SchemeAdminForm
    list_display = ["title_nl", "organisation", "kind", "opens_on", "closes_on", "distribution"]
    list_filter = ["organisation", "kind", "distribution"]
    search_fields = ["title_nl", "title_en", "code"]
    filter_horizontal = ["eligible_municipalities"]
    inlines = [BudgetInline, QuestionInline]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        scheme_set_ceiling(scheme=obj, ceiling=form.cleaned_data["budget_ceiling"], actor=request.user)


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


@admin.register(Objection)
class ObjectionAdmin(ReadOnlyAdmin):
    """Objections change only through workflows.services.objections."""

    list_display = ["application", "decision_kind", "state", "outcome", "late", "decision_due_on"]
    list_filter = ["state", "outcome", "late"]


@admin.register(Report)
class ReportAdmin(ReadOnlyAdmin):
    """Pilot reports change only through workflows.services.pilots."""

    list_display = ["application", "kind", "state", "due_on", "submitted_at", "decided_at"]
    list_filter = ["kind", "state"]
    list_select_related = ["application"]
    search_fields = ["application__reference"]


@admin.register(Award)
class AwardAdmin(ReadOnlyAdmin):
    """Read-only: awards change only through workflows.services.awards."""

    list_display = ["application", "state", "amount", "advance_amount", "determined_amount", "granted_on"]
    list_filter = ["state", "application__scheme__organisation"]
    search_fields = ["application__reference", "application__company__name"]


@admin.register(PaymentBatch)
class PaymentBatchAdmin(ReadOnlyAdmin):
    list_display = ["reference", "organisation", "state", "execution_date", "paid_on"]
    list_filter = ["state", "organisation"]


@admin.register(ChangeRequest)
class ChangeRequestAdmin(ReadOnlyAdmin):
    list_display = ["application", "kind", "state", "submitted_at", "decided_at"]
    list_filter = ["kind", "state"]
    list_select_related = ["application"]
    search_fields = ["application__reference"]


# --- vouchers: providers are managed here and on the administrator's provider pages; vouchers are read-only


@admin.register(Provider)
class ProviderAdmin(admin.ModelAdmin):
    list_display = ["name", "kvk_number", "scheme", "active", "approved_at"]
    list_filter = ["active"]
    search_fields = ["name", "kvk_number"]
    raw_id_fields = ["proposed_by", "approved_by"]


@admin.register(Voucher)
class VoucherAdmin(ReadOnlyAdmin):
    list_display = ["code", "application", "provider", "state", "cap", "valid_until"]
    list_filter = ["state"]
    search_fields = ["code"]
