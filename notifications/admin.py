from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .models import Outbox
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
