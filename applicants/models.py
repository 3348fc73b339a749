"""Users (email login) and the companies they act for."""

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .validators import (
    validate_branch_number,
    validate_iban,
    validate_kvk_number,
    validate_postcode,
    validate_sbi_code,
)


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra):
        if not email:
            raise ValueError("An email address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        extra.setdefault("email_verified_at", timezone.now())
        return self._create_user(email, password, **extra)


class Language(models.TextChoices):
    DUTCH = "nl", _("Dutch")
    ENGLISH = "en", _("English")


class User(AbstractBaseUser, PermissionsMixin):
    """A person. Email is the login; roles come from staff and company memberships."""

    email = models.EmailField(_("email address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=200)
    language = models.CharField(_("language"), max_length=2, choices=Language, default=Language.DUTCH)
    email_verified_at = models.DateTimeField(_("email verified at"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    # Django admin access (platform administrators only); municipal roles live in StaffMembership.
    is_staff = models.BooleanField(_("admin site access"), default=False)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        return self.full_name or self.email

    def get_full_name(self):
        return self.full_name

    def get_short_name(self):
        return self.full_name.split(" ")[0] if self.full_name else self.email


class LegalForm(models.TextChoices):
    SOLE_TRADER = "eenmanszaak", _("Sole trader (eenmanszaak)")
    PARTNERSHIP = "vof", _("General partnership (vof)")
    PRIVATE_LIMITED = "bv", _("Private limited company (bv)")
    PUBLIC_LIMITED = "nv", _("Public limited company (nv)")
    COOPERATIVE = "cooperatie", _("Cooperative")
    FOUNDATION = "stichting", _("Foundation (stichting)")
    ASSOCIATION = "vereniging", _("Association (vereniging)")
    PROFESSIONAL_PARTNERSHIP = "maatschap", _("Professional partnership (maatschap)")


class CompanyGroup(models.Model):
    """Linked companies under majority control: one single undertaking for de minimis (EU 2023/2831)."""

    name = models.CharField(_("name"), max_length=200)

    class Meta:
        verbose_name = _("group of linked companies")
        verbose_name_plural = _("groups of linked companies")

    def __str__(self):
        return self.name


class Company(models.Model):
    kvk_number = models.CharField(_("KvK number"), max_length=8, unique=True, validators=[validate_kvk_number])
    branch_number = models.CharField(
        _("branch number"), max_length=12, blank=True, validators=[validate_branch_number]
    )
    rsin = models.CharField(_("RSIN"), max_length=9, blank=True)
    legal_form = models.CharField(_("legal form"), max_length=20, choices=LegalForm)
    name = models.CharField(_("legal name"), max_length=200)
    street = models.CharField(_("street and number"), max_length=200)
    postcode = models.CharField(_("postcode"), max_length=7, validators=[validate_postcode])
    city = models.CharField(_("city"), max_length=100)
    municipality = models.ForeignKey(
        "grants.Organisation",
        verbose_name=_("municipality"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="companies",
        help_text=_("The municipality where the company is located, if it takes part in this desk."),
    )
    sbi_code = models.CharField(_("SBI code"), max_length=5, validators=[validate_sbi_code])
    employees = models.PositiveIntegerField(_("number of employees"))
    iban = models.CharField(_("IBAN"), max_length=34, validators=[validate_iban])
    contact_email = models.EmailField(_("contact email"))
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    group = models.ForeignKey(
        CompanyGroup,
        verbose_name=_("group of linked companies"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="companies",
    )
    members = models.ManyToManyField("User", through="CompanyMembership", related_name="companies")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("company")
        verbose_name_plural = _("companies")
        ordering = ["name"]

    def __str__(self):
        return f"{self.name} ({self.kvk_number})"

    @property
    def is_natural_person(self):
        # A sole trader is a natural person: the name is personal data and never published.
        return self.legal_form == LegalForm.SOLE_TRADER


class CompanyInvitation(models.Model):
    """An invitation to join a company as colleague or adviser, accepted with a signed link."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("email address"))
    role = models.CharField(_("role"), max_length=10)
    invited_by = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    accepted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self):
        return f"{self.email} -> {self.company}"


class CompanyMembership(models.Model):
    class Role(models.TextChoices):
        OWNER = "owner", _("Owner")
        MEMBER = "member", _("Colleague")
        # A subsidy consultant the company authorised to act for it; the company can revoke it.
        ADVISER = "adviser", _("Adviser")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="company_memberships")
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=10, choices=Role, default=Role.MEMBER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("company membership")
        verbose_name_plural = _("company memberships")
        constraints = [models.UniqueConstraint(fields=["user", "company"], name="unique_company_membership")]

    def __str__(self):
        return f"{self.user} @ {self.company}"
