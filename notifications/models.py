from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class OutboxStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class Outbox(models.Model):
    """One notification to one person, written in the business transaction that caused it.

    The relay hands pending rows to Celery after commit (and again from beat); the delivery task
    turns a row into at most one inbox item and one email (Message-ID derived from the row id).
    """

    event = models.CharField(_("event"), max_length=60, db_index=True)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="outbox"
    )
    # For people without an account yet (or a company's contact address).
    email = models.EmailField(_("email address"), blank=True)
    language = models.CharField(_("language"), max_length=2, default="nl")
    send_email = models.BooleanField(default=True)
    send_inbox = models.BooleanField(default=True)
    context = models.JSONField(default=dict, blank=True)
    url = models.CharField(max_length=300, blank=True)
    # Reminders and other repeatable jobs set this so a row is written once per object, kind and date.
    dedupe_key = models.CharField(max_length=200, null=True, blank=True, unique=True)
    status = models.CharField(max_length=10, choices=OutboxStatus, default=OutboxStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    claimed_until = models.DateTimeField(null=True, blank=True)
    email_sent_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox")
        indexes = [models.Index(fields=["status", "claimed_until"], name="outbox_pending_idx")]

    def __str__(self):
        return f"{self.event} -> {self.recipient or self.email}"

    @property
    def message_id(self):
        # Stable per row: a redelivered email is recognisable as the same message.
        return f"<outbox-{self.pk}@{settings.EMAIL_MESSAGE_ID_DOMAIN}>"


class InboxItem(models.Model):
    """A message in a user's in-app inbox; one per outbox row at most."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="inbox_items")
    outbox = models.OneToOneField(Outbox, on_delete=models.CASCADE, related_name="inbox_item")
    subject = models.CharField(_("subject"), max_length=300)
    body = models.TextField(_("message"))
    url = models.CharField(max_length=300, blank=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    created_at = models.DateTimeField(_("received at"), auto_now_add=True)

    class Meta:
        verbose_name = _("inbox message")
        verbose_name_plural = _("inbox")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self):
        return self.subject
