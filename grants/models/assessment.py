"""Assessment: the scheme's criteria, the officer's scores, rejection reasons, and public draws (DOMAIN 9a)."""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition

from workflows import access

from .schemes import Scheme


class RejectionReason(models.TextChoices):
    CEILING_REACHED = "ceiling_reached", _("Budget ceiling reached (Awb 4:25)")
    NOT_ELIGIBLE = "not_eligible", _("Not eligible under the scheme")
    INSUFFICIENT_QUALITY = "insufficient_quality", _("Insufficient quality")
    DE_MINIMIS_LIMIT = "de_minimis_limit", _("De minimis limit exceeded")
    OTHER = "other", _("Other reason")


class AssessmentCriterion(models.Model):
    """One criterion a scheme's applications are scored on: score 0..max_score, counted ``weight`` times."""

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="criteria")
    order = models.PositiveSmallIntegerField(_("order"), default=1)
    name_nl = models.CharField(_("name (Dutch)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    weight = models.PositiveSmallIntegerField(_("weight"), default=1, validators=[MinValueValidator(1)])
    max_score = models.PositiveSmallIntegerField(_("maximum score"), default=5, validators=[MinValueValidator(1)])

    class Meta:
        verbose_name = _("assessment criterion")
        verbose_name_plural = _("assessment criteria")
        ordering = ["scheme", "order", "pk"]

    def __str__(self):
        return self.name

    @property
    def name(self):
        return self.name_en if get_language() == "en" else self.name_nl


class Score(models.Model):
    """The officer's score of one application on one criterion, with a note."""

    application = models.ForeignKey("grants.Application", on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(AssessmentCriterion, on_delete=models.PROTECT, related_name="scores")
    score = models.PositiveSmallIntegerField(_("score"))
    note = models.TextField(_("note"), blank=True)
    scored_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    scored_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        constraints = [models.UniqueConstraint(fields=["application", "criterion"], name="one_score_per_criterion")]

    def __str__(self):
        return f"{self.criterion_id}: {self.score}"


class DrawPurpose(models.TextChoices):
    TIE_BREAK = "tie_break", _("Tie-break in the ranking")
    LOTTERY = "lottery", _("Lottery among the applications of the oversubscribed opening day")


class DrawState(models.TextChoices):
    PUBLISHED = "published", _("Published, not yet drawn")
    PERFORMED = "performed", _("Drawn")


class Draw(FSMModelMixin, models.Model):
    """A draw whose seed is committed to before it is performed (DOMAIN 9a): the participants (references in
    canonical order) and sha256(seed) are public from publication; performing reveals the seed and stores
    the order grants.draws.draw_order computes from it, which anyone can recompute."""

    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="draws")
    purpose = models.CharField(_("purpose"), max_length=12, choices=DrawPurpose)
    state = FSMField(_("state"), default=DrawState.PUBLISHED, choices=DrawState, protected=True)
    participants = models.JSONField(_("participants"), default=list)
    seed_hash = models.CharField(_("SHA-256 of the seed"), max_length=64)
    # Secret until the draw is performed: pages and exports show it only in state "performed".
    seed = models.CharField(max_length=64)
    result = models.JSONField(_("result"), default=list, blank=True)
    published_at = models.DateTimeField(_("published at"), auto_now_add=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    performed_at = models.DateTimeField(_("drawn at"), null=True, blank=True)
    performed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("draw")
        verbose_name_plural = _("draws")
        ordering = ["-published_at", "-pk"]

    def __str__(self):
        return f"{self.get_purpose_display()} #{self.pk}"

    @property
    def organisation(self):
        return self.scheme.organisation

    @property
    def revealed_seed(self):
        return self.seed if self.state == DrawState.PERFORMED else ""

    @transition(field=state, source=DrawState.PUBLISHED, target=DrawState.PERFORMED, permission=access.performs_draw)
    def perform(self, *, by, at, result):
        self.performed_by = by
        self.performed_at = at
        self.result = result
