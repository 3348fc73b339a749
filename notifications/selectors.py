from django.db.models import Count, Min, Q

from workflows.access import ADMINISTRATOR, organisation_ids

from .models import InboxItem, Outbox, OutboxStatus


def unread_count(user):
    return InboxItem.objects.filter(user=user, read_at__isnull=True).count()


def inbox_for(user):
    return InboxItem.objects.filter(user=user).only("id", "subject", "url", "read_at", "created_at")


def operated_outbox(user):
    """The outbox rows a functional administrator looks after: those about their municipalities
    (Outbox.organisation). Account messages and a company's IBAN change (no municipality: the events
    with ``municipal=False``) are for the platform's superusers, in the Django admin, so no municipality
    sees another's or anyone's private account mail."""
    return Outbox.objects.filter(organisation_id__in=organisation_ids(user, ADMINISTRATOR))


def outbox_health(queryset):
    """Counts per status and the oldest pending row's creation time, in one query."""
    return queryset.aggregate(
        pending=Count("pk", filter=Q(status=OutboxStatus.PENDING)),
        sent=Count("pk", filter=Q(status=OutboxStatus.SENT)),
        failed=Count("pk", filter=Q(status=OutboxStatus.FAILED)),
        oldest_pending=Min("created_at", filter=Q(status=OutboxStatus.PENDING)),
    )


def failed_rows(queryset):
    return (
        queryset.filter(status=OutboxStatus.FAILED).select_related("recipient")
        .only("id", "event", "email", "attempts", "last_error", "created_at", "recipient__full_name",
              "recipient__email")
        .order_by("-created_at", "-pk")
    )
