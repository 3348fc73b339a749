from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Organisation(models.Model):
    """A municipality (gemeente): the tenant that owns schemes, staff and cases."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    slug = models.SlugField(_("slug"), unique=True)
    # Prefix of case references, e.g. ALP for ALP-2026-00042.
    code = models.CharField(_("reference code"), max_length=5, unique=True)
    email = models.EmailField(_("email address"))
    website = models.URLField(_("website"), blank=True)
    postal_address = models.TextField(_("postal address"), blank=True)
    objection_body = models.CharField(
        _("objection body"),
        max_length=200,
        default=_("the municipal executive (college van burgemeester en wethouders)"),
        help_text=_("To whom an objection is addressed (Awb 6:4)."),
    )
    appeal_court = models.CharField(
        _("administrative court"),
        max_length=200,
        blank=True,
        help_text=_("Where an appeal against a decision on an objection is lodged, e.g. Rechtbank Den Haag."),
    )
    # Woo 3.3a: awards are published in the open subsidy register from this amount.
    register_threshold = models.DecimalField(
        _("publish awards in the subsidy register from"), max_digits=12, decimal_places=2, default=Decimal("2500.00")
    )

    class Meta:
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")
        ordering = ["name"]

    def __str__(self):
        return self.name


class StaffRole(models.TextChoices):
    OFFICER = "officer", _("Officer (behandelaar)")
    MANAGER = "manager", _("Manager (budgethouder)")
    ADMINISTRATOR = "administrator", _("Administrator (functioneel beheerder)")


class StaffMembership(models.Model):
    """A person's role at one municipality. A person may hold several roles at several municipalities."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_memberships")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="staff_memberships")
    role = models.CharField(_("role"), max_length=20, choices=StaffRole)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("staff membership")
        verbose_name_plural = _("staff memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation", "role"], name="unique_staff_role"),
        ]

    def __str__(self):
        return f"{self.user} - {self.get_role_display()} - {self.organisation}"


class ReferenceCounter(models.Model):
    """The last case number per municipality and year, for references like ALP-2026-00042."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organisation", "year"], name="unique_reference_counter")]

    def __str__(self):
        return f"{self.organisation.code}-{self.year}: {self.last}"
