from django.contrib import admin

from .models import AuditEvent, TransitionLog


class ReadOnlyAdmin(admin.ModelAdmin):
    """For records that only services write (log, ledger, cases): the admin shows, never edits."""

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(TransitionLog)
class TransitionLogAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "content_type", "object_id", "transition", "source_state", "target_state", "actor"]
    list_filter = ["transition", "content_type"]
    list_select_related = ["actor", "content_type"]


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "action", "actor", "content_type", "object_id", "case_id", "detail"]
    list_filter = ["action", "content_type"]
    list_select_related = ["actor", "content_type"]
    search_fields = ["case_id", "actor__email"]
