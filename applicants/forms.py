from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.utils.translation import gettext_lazy as _

from .models import Company, CompanyMembership, Language, User
from .validators import normalise_iban, normalise_postcode


class RegistrationForm(forms.Form):
    full_name = forms.CharField(
        label=_("Full name"), max_length=200, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    email = forms.EmailField(label=_("Email address"), widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 10 characters; not only digits and not a common password."),
    )
    password2 = forms.CharField(
        label=_("Repeat the password"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    language = forms.ChoiceField(label=_("Language for messages"), choices=Language.choices, initial=Language.DUTCH)

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(
                _("An account with this email address already exists. Log in or reset your password."),
                code="duplicate",
            )
        return email

    def clean(self):
        cleaned = super().clean()
        p1, p2 = cleaned.get("password1"), cleaned.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("The two passwords differ."))
        elif p1:
            try:
                password_validation.validate_password(
                    p1, User(email=cleaned.get("email", ""), full_name=cleaned.get("full_name", ""))
                )
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _("The email address or password is not correct."),
        "inactive": _("Confirm your email address first: follow the link in the email we sent you."),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("Email address")


class OutboxPasswordResetForm(PasswordResetForm):
    """Password reset mail leaves through the outbox, like every other notification."""

    def send_mail(self, subject_template_name, email_template_name, context, from_email, to_email,
                  html_email_template_name=None):
        from django.db import transaction

        from notifications.services import notify

        user = context["user"]
        with transaction.atomic():
            notify(
                event="password_reset",
                recipients=[user],
                context={"uid": context["uid"], "token": context["token"], "name": user.full_name},
            )


class CompanyForm(forms.ModelForm):
    class Meta:
        model = Company
        fields = [
            "kvk_number", "branch_number", "legal_form", "name", "street", "postcode", "city", "municipality",
            "sbi_code", "employees", "iban", "contact_email", "contact_phone",
        ]
        widgets = {
            "kvk_number": forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
            "postcode": forms.TextInput(attrs={"autocomplete": "postal-code"}),
            "iban": forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
            "contact_email": forms.EmailInput(attrs={"autocomplete": "email"}),
            "contact_phone": forms.TextInput(attrs={"autocomplete": "tel"}),
        }

    def clean_postcode(self):
        return normalise_postcode(self.cleaned_data["postcode"])

    def clean_iban(self):
        return normalise_iban(self.cleaned_data["iban"])

    def _post_clean(self):
        # Normalise before the model validators run on the instance.
        for name, fn in (("postcode", normalise_postcode), ("iban", normalise_iban)):
            if name in self.cleaned_data:
                self.cleaned_data[name] = fn(self.cleaned_data[name])
        super()._post_clean()


class InvitationForm(forms.Form):
    """Invite a colleague or authorise an adviser; ``roles`` are the ones the inviter may hand out."""

    email = forms.EmailField(
        label=_("Email address"), widget=forms.EmailInput(attrs={"autocomplete": "off"}),
        help_text=_("We send a link to this address; it is valid for 14 days."),
        error_messages={"required": _("Enter the email address of the person you invite."),
                        "invalid": _("Enter a valid email address, like name@example.nl.")},
    )
    role = forms.ChoiceField(
        label=_("They will act for the company as"), widget=forms.RadioSelect,
        error_messages={"required": _("Choose whether you invite a colleague or an adviser.")},
    )

    ROLE_LABELS = {
        CompanyMembership.Role.MEMBER: _("Colleague"),
        CompanyMembership.Role.ADVISER: _("Adviser or subsidy consultant (acts for the company on its applications)"),
    }

    def __init__(self, *args, company, roles, **kwargs):
        kwargs.setdefault("auto_id", "invite_%s")  # unique ids next to the company form on the same page
        super().__init__(*args, **kwargs)
        self.company = company
        self.fields["role"].choices = [(role, self.ROLE_LABELS[role]) for role in roles]
        if len(roles) == 1:
            self.fields["role"].initial = roles[0]

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        if self.company.memberships.filter(user__email__iexact=email).exists():
            raise forms.ValidationError(_("This person can already act for the company."), code="member")
        return email


class SecondFactorForm(forms.Form):
    token = forms.CharField(
        label=_("Code"), max_length=20, strip=True,
        help_text=_("The 6-digit code from your authenticator app, or one of your 8-digit backup codes."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
    )

    def clean_token(self):
        token = "".join(self.cleaned_data["token"].split())
        if not token.isdigit() or len(token) not in (6, 8):
            raise forms.ValidationError(_("Enter the 6 digits from your app or an 8-digit backup code."),
                                        code="format")
        return token
