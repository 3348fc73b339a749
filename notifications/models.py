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
    # The municipality the message is about (None for account messages): scopes the operations page.
    organisation = models.ForeignKey(
        "grants.Organisation", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The recipient wants this category in a daily digest: the inbox item is delivered at once, the
    # email waits for the digest job, which sets ``digest`` to the digest row that carried it.
    digest_pending = models.BooleanField(default=False)
    digest = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="digested")
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
        indexes = [
            models.Index(fields=["status", "claimed_until"], name="outbox_pending_idx"),
            models.Index(fields=["organisation", "status"], name="outbox_org_status_idx"),
            models.Index(fields=["recipient"], condition=models.Q(digest_pending=True), name="outbox_digest_idx"),
        ]

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


class Category(models.TextChoices):
    """What a user can choose to receive immediately or in a daily digest (events.py maps events)."""

    CASE_PROGRESS = "case_progress", _("Progress of applications and cases")
    MESSAGES = "messages", _("Messages from the municipality or the applicant")
    REMINDERS = "reminders", _("Reminders of deadlines")
    NEWS = "news", _("News and announcements")
    # Account and security messages: always immediate, not a choice.
    ACCOUNT = "account", _("Account and security")


class DeliveryMode(models.TextChoices):
    IMMEDIATE = "immediate", _("Immediately")
    DIGEST = "digest", _("In a daily digest")


class NotificationPreference(models.Model):
    """A user's choice for one category; no row means immediately."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    category = models.CharField(_("category"), max_length=30, choices=Category)
    mode = models.CharField(_("delivery"), max_length=10, choices=DeliveryMode, default=DeliveryMode.IMMEDIATE)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [models.UniqueConstraint(fields=["user", "category"], name="one_preference_per_category")]

    def __str__(self):
        return f"{self.user} {self.category}: {self.mode}"


class Reminder(models.Model):
    """One reminder sent: unique per object, kind and due date, so a reminder job that runs twice (or
    two beat processes at once) sends it once. A due date that moves (a paused decision clock) is a
    new reminder."""

    content_type = models.ForeignKey("contenttypes.ContentType", on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    kind = models.CharField(max_length=60)
    due_on = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id", "kind", "due_on"], name="one_reminder_per_due_date"
            )
        ]

    def __str__(self):
        return f"{self.kind} {self.content_type_id}:{self.object_id} {self.due_on}"
