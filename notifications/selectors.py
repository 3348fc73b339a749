from .models import InboxItem


def unread_count(user):
    return InboxItem.objects.filter(user=user, read_at__isnull=True).count()


def inbox_for(user):
    return InboxItem.objects.filter(user=user).only("id", "subject", "url", "read_at", "created_at")
