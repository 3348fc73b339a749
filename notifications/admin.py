from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .models import NotificationPreference, Outbox, Reminder
from .services import outbox_retry


@admin.register(Outbox)
class OutboxAdmin(admin.ModelAdmin):
    list_display = ["created_at", "event", "recipient", "email", "status", "attempts", "sent_at"]
    list_filter = ["status", "event"]
    search_fields = ["email", "event"]
    readonly_fields = [f.name for f in Outbox._meta.fields]
    actions = ["retry"]

    @admin.action(description=_("Retry failed messages"))
    def retry(self, request, queryset):
        count = outbox_retry(ids=list(queryset.values_list("pk", flat=True)))
        message = ngettext("%(count)d message queued again.", "%(count)d messages queued again.", count)
        self.message_user(request, message % {"count": count})

    def has_add_permission(self, request):
        return False


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "category", "mode"]
    list_filter = ["category", "mode"]
    search_fields = ["user__email"]
    raw_id_fields = ["user"]


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    """Sent reminders, for looking up why one did (not) go out; written only by the reminder job."""

    list_display = ["created_at", "kind", "content_type", "object_id", "due_on"]
    list_filter = ["kind"]
    readonly_fields = [f.name for f in Reminder._meta.fields]

    def has_add_permission(self, request):
        return False
