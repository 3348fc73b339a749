"""Retention (AVG art. 5(1)(e), Archiefwet): how long a scheme's applications keep their personal data."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

# Defaults for schemes without a policy of their own: applications that came to nothing are anonymised
# two years after they ended; awards are kept ten years (the municipal selection list's term for
# subsidy files), then anonymised as well.
DEFAULT_UNSUCCESSFUL_YEARS = 2
DEFAULT_AWARDED_YEARS = 10


class RetentionPolicy(models.Model):
    scheme = models.OneToOneField(
        "grants.Scheme", verbose_name=_("scheme"), on_delete=models.CASCADE, related_name="retention_policy"
    )
    unsuccessful_years = models.PositiveSmallIntegerField(
        _("years to keep rejected, not considered and withdrawn applications"), default=DEFAULT_UNSUCCESSFUL_YEARS,
        validators=[MinValueValidator(1), MaxValueValidator(30)],
    )
    awarded_years = models.PositiveSmallIntegerField(
        _("years to keep awarded applications"), default=DEFAULT_AWARDED_YEARS,
        validators=[MinValueValidator(1), MaxValueValidator(30)],
    )

    class Meta:
        verbose_name = _("retention policy")
        verbose_name_plural = _("retention policies")

    def __str__(self):
        return str(self.scheme)


class Anonymisation(models.Model):
    """Marks an application whose personal data the retention job removed (and keeps it from doing so twice)."""

    application = models.OneToOneField(
        "grants.Application", on_delete=models.CASCADE, related_name="anonymisation"
    )
    anonymised_at = models.DateTimeField(_("anonymised at"))
    rule = models.CharField(_("rule"), max_length=20)

    class Meta:
        verbose_name = _("anonymisation")
        verbose_name_plural = _("anonymisations")

    def __str__(self):
        return f"{self.application_id} ({self.rule})"
