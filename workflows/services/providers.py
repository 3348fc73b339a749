"""Voucher providers: an applicant's proposal, an officer's approval, and the provider's code lookup
(logged and rate-limited, only the provider's own vouchers)."""

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from grants.models import Provider, ProviderChoice, VoucherLookup

from .. import access
from ..exceptions import TransitionRefused
from .vouchers import normalise_code


class LookupThrottled(Exception):
    """Too many code lookups in the window: guessing is refused."""


def provider_propose(*, application, actor, name, kvk_number, contact_email, services=""):
    """The applicant proposes a provider for a voucher application: it waits for an officer's approval
    and becomes the application's choice. An existing provider with that KvK number is chosen instead."""
    with transaction.atomic():
        provider, _created = Provider.objects.get_or_create(
            scheme=application.scheme, kvk_number=kvk_number,
            defaults={"name": name, "contact_email": contact_email, "services": services, "proposed_by": actor})
        ProviderChoice.objects.update_or_create(application=application, defaults={"provider": provider})
        return provider


def provider_approve(*, provider_id, actor):
    """An officer (or administrator) of the scheme's municipality approves a proposed provider."""
    with transaction.atomic():
        provider = access.staff_providers(actor).select_for_update().filter(pk=provider_id).first()
        if provider is None:
            raise TransitionRefused(_("You are not allowed to approve this provider."))
        if provider.approved_at is None:
            provider.approved_at, provider.approved_by = timezone.now(), actor
            provider.save(update_fields=["approved_at", "approved_by"])
        return provider


def voucher_lookup(*, user, code):
    """Check a code for a provider's person: returns the voucher when it is one of theirs, else None.
    Every lookup is logged; more than VOUCHER_LOOKUP_LIMIT per VOUCHER_LOOKUP_WINDOW seconds raises
    LookupThrottled (guessing codes is refused)."""
    limit = getattr(settings, "VOUCHER_LOOKUP_LIMIT", 10)
    window = getattr(settings, "VOUCHER_LOOKUP_WINDOW", 600)
    key = f"voucher-lookup:{user.pk}:{int(timezone.now().timestamp()) // window}"
    cache.add(key, 0, window)
    try:
        count = cache.incr(key)
    except ValueError:
        cache.set(key, 1, window)
        count = 1
    if count > limit:
        raise LookupThrottled
    normalised = normalise_code(code)
    voucher = None
    if normalised:
        voucher = access.provider_vouchers(user).select_related("application__company", "provider").filter(
            code=normalised).first()
    VoucherLookup.objects.create(user=user, code=str(code)[:40], voucher=voucher)
    return voucher
