"""De minimis aid (EU Regulation 2023/2831, DOMAIN 10, 11, 11a).

    de_minimis_shares(application, amount)       who receives how much of an award (lead and partners)
    de_minimis_problems(application, amount, on) the undertakings that would pass the ceiling, with the sums
    register_rows(shares)                        the central register's fields per share (DOMAIN 11)

One undertaking is a company with its linked companies (applicants.CompanyGroup: majority control).
Counted: this system's de minimis shares granted within the rolling three years before the grant date
(by grant date, not payment date), the aid declared with the application, and the new share.
"""

import dataclasses
import datetime
from decimal import ROUND_DOWN, Decimal

from django.conf import settings
from django.db.models import Sum
from django.utils.translation import gettext as _

from applicants.models import Company

from .templatetags.money import format_money

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
INSTRUMENT = "subsidie (grant)"
REGULATION = "Verordening (EU) 2023/2831 (de-minimis)"


def ceiling():
    return Decimal(str(getattr(settings, "DE_MINIMIS_CEILING", "300000.00")))


def period_start(on):
    """The first day of the rolling three years that end on ``on``: aid granted on this day counts,
    aid granted the day before does not (three years back, 29 February becoming 28 February)."""
    try:
        back = on.replace(year=on.year - 3)
    except ValueError:
        back = on.replace(year=on.year - 3, day=28)
    return back + datetime.timedelta(days=1)


@dataclasses.dataclass
class Share:
    kvk_number: str
    name: str
    amount: Decimal
    declared: Decimal  # aid the applicant declared for this undertaking
    company: Company | None = None


def de_minimis_shares(application, amount):
    """Split ``amount`` over the lead company and the consortium partners by their cost shares
    (DOMAIN 11a); the lead gets the rest, so the shares add up to the cent."""
    amount = Decimal(amount)
    partners = list(application.partners.all())
    total_costs = sum((line.amount_excl_vat for line in application.cost_lines.all()), ZERO)
    partner_costs = sum((p.cost_share for p in partners), ZERO)
    base = max(total_costs, partner_costs)
    declared_lead = sum(
        (aid.amount for aid in application.de_minimis_aid.all()), ZERO
    )
    shares = []
    for partner in partners:
        part = (amount * partner.cost_share / base).quantize(CENT, rounding=ROUND_DOWN) if base else ZERO
        shares.append(Share(partner.kvk_number, partner.name, part, partner.de_minimis_received))
    lead = application.company
    shares.insert(0, Share(lead.kvk_number, lead.name, amount - sum((s.amount for s in shares), ZERO),
                           declared_lead, lead))
    companies = {c.kvk_number: c for c in Company.objects.filter(kvk_number__in=[s.kvk_number for s in shares])}
    for share in shares:
        share.company = companies.get(share.kvk_number)
    return shares


def undertaking_kvk_numbers(kvk_number, company=None):
    """The KvK numbers of the single undertaking ``kvk_number`` belongs to (its linked companies)."""
    if company is not None and company.group_id:
        return set(Company.objects.filter(group_id=company.group_id).values_list("kvk_number", flat=True))
    return {kvk_number}


def aid_received(kvk_numbers, on, exclude_award_id=None):
    """This system's de minimis aid to ``kvk_numbers`` granted in the three years up to ``on``."""
    from .models import DeMinimisShare

    rows = DeMinimisShare.objects.filter(kvk_number__in=kvk_numbers, granted_on__gte=period_start(on),
                                         granted_on__lte=on)
    if exclude_award_id:
        rows = rows.exclude(award_id=exclude_award_id)
    return rows.aggregate(total=Sum("amount"))["total"] or ZERO


def declared_aid(application, on):
    """Aid declared with the application (DeMinimisAid rows) that falls within the three years."""
    total = application.de_minimis_aid.filter(granted_on__gte=period_start(on), granted_on__lte=on).aggregate(
        total=Sum("amount"))["total"]
    return total or ZERO


def de_minimis_problems(application, amount, on):
    """Translated messages, one per undertaking whose aid would pass the ceiling, each showing the
    computation; an empty list when the award may be made."""
    problems = []
    for share in de_minimis_shares(application, amount):
        if share.amount <= ZERO:
            continue
        kvks = undertaking_kvk_numbers(share.kvk_number, share.company)
        received = aid_received(kvks, on)
        declared = declared_aid(application, on) if share.company == application.company else share.declared
        total = received + declared + share.amount
        if total > ceiling():
            problems.append(_(
                "De minimis (EU 2023/2831): %(name)s (KvK %(kvk)s) would receive %(total)s within three years: "
                "%(received)s awarded here + %(declared)s declared + %(new)s now, above the ceiling of %(ceiling)s."
            ) % {"name": share.name, "kvk": share.kvk_number, "total": format_money(total),
                 "received": format_money(received), "declared": format_money(declared),
                 "new": format_money(share.amount), "ceiling": format_money(ceiling())})
    return problems


REGISTER_HEADER = ["kvk_number", "rsin", "name", "sbi_code", "granting_authority", "instrument", "gross_amount",
                   "grant_date", "legal_basis", "award_reference"]


def register_rows(shares):
    """DOMAIN 11: one row per undertaking per award for the central de minimis register."""
    for share in shares:
        company = share.company
        scheme = share.award.application.scheme
        yield [
            share.kvk_number, company.rsin if company else "", share.name, company.sbi_code if company else "",
            scheme.organisation.name, INSTRUMENT, f"{share.amount:.2f}", share.granted_on.isoformat(),
            f"{scheme.legal_basis}; {REGULATION}", share.award.application.reference,
        ]
