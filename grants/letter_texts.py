# ruff: noqa: E501  (letter paragraphs are kept one per line, as an administrator sees them)
"""The fixed texts of decision letters, in the two letter languages: the default body per kind (used
while a scheme has no text of its own), the subjects, the labels of the letterhead, and the clauses the
system always appends (remedies or appeal clause, de minimis statement) so no edit can remove them.

These are letter content chosen by the letter's language, not interface strings: the letter is frozen
in the language it was sent in, whatever the reader's interface language is later."""

DEFAULT_BODIES = {
    "award": {
        "nl": """Geachte heer, mevrouw,

Op uw aanvraag {reference} voor de regeling {scheme} heeft {municipality} besloten. Wij verlenen u een subsidie van {amount} voor de volgende activiteiten: {activities}.

Wij verlenen deze subsidie op grond van {legal_basis}.

Verplichtingen
{obligations}

Verantwoording
{reporting_plan}

Voorschot
{advance}

Vaststelling
Vraagt u de vaststelling van de subsidie aan uiterlijk op {determination_deadline}.

Met vriendelijke groet,

het college van burgemeester en wethouders van {municipality}""",
        "en": """Dear Sir or Madam,

{municipality} has decided on your application {reference} for the scheme {scheme}. We award you a grant of {amount} for the following activities: {activities}.

We award this grant on the basis of {legal_basis}.

Obligations
{obligations}

Reporting
{reporting_plan}

Advance
{advance}

Final determination
Please apply for the final determination of the grant no later than {determination_deadline}.

Yours faithfully,

the municipal executive of {municipality}""",
    },
    "partial_award": {
        "nl": """Geachte heer, mevrouw,

U vroeg met aanvraag {reference} voor de regeling {scheme} een subsidie van {requested_amount} aan. Wij verlenen u een subsidie van {amount} voor de volgende activiteiten: {activities}. Voor het overige wijzen wij uw aanvraag af.

Reden: {reason}

Wij verlenen deze subsidie op grond van {legal_basis}.

Verplichtingen
{obligations}

Verantwoording
{reporting_plan}

Voorschot
{advance}

Vaststelling
Vraagt u de vaststelling van de subsidie aan uiterlijk op {determination_deadline}.

Met vriendelijke groet,

het college van burgemeester en wethouders van {municipality}""",
        "en": """Dear Sir or Madam,

With application {reference} for the scheme {scheme} you applied for a grant of {requested_amount}. We award you a grant of {amount} for the following activities: {activities}. We refuse the remainder of your application.

Reason: {reason}

We award this grant on the basis of {legal_basis}.

Obligations
{obligations}

Reporting
{reporting_plan}

Advance
{advance}

Final determination
Please apply for the final determination of the grant no later than {determination_deadline}.

Yours faithfully,

the municipal executive of {municipality}""",
    },
    "rejection": {
        "nl": """Geachte heer, mevrouw,

U vroeg met aanvraag {reference} een subsidie van {requested_amount} aan voor de regeling {scheme}. Wij wijzen uw aanvraag af.

Reden: {reason}

Wij nemen dit besluit op grond van {legal_basis}.

Met vriendelijke groet,

het college van burgemeester en wethouders van {municipality}""",
        "en": """Dear Sir or Madam,

With application {reference} you applied for a grant of {requested_amount} under the scheme {scheme}. We reject your application.

Reason: {reason}

We take this decision on the basis of {legal_basis}.

Yours faithfully,

the municipal executive of {municipality}""",
    },
    "not_considered": {
        "nl": """Geachte heer, mevrouw,

Wij vroegen u uw aanvraag {reference} voor de regeling {scheme} aan te vullen. U heeft dat niet binnen de gestelde termijn gedaan. Daarom nemen wij uw aanvraag niet in behandeling (artikel 4:5 Algemene wet bestuursrecht).

Toelichting: {reason}

Met vriendelijke groet,

het college van burgemeester en wethouders van {municipality}""",
        "en": """Dear Sir or Madam,

We asked you to complete your application {reference} for the scheme {scheme}. You did not do so within the period set. We therefore do not consider your application (section 4:5 of the General Administrative Law Act).

Explanation: {reason}

Yours faithfully,

the municipal executive of {municipality}""",
    },
    "extension": {
        "nl": """Geachte heer, mevrouw,

Wij kunnen niet binnen de termijn beslissen op uw aanvraag {reference} voor de regeling {scheme}. Wij verdagen de beslissing met {extension_weeks} weken (artikel 4:14 Algemene wet bestuursrecht). U ontvangt ons besluit uiterlijk op {due_date}.

Reden: {reason}

Met vriendelijke groet,

het college van burgemeester en wethouders van {municipality}""",
        "en": """Dear Sir or Madam,

We cannot decide on your application {reference} for the scheme {scheme} within the term. We extend the decision term by {extension_weeks} weeks (section 4:14 of the General Administrative Law Act). You will receive our decision no later than {due_date}.

Reason: {reason}

Yours faithfully,

the municipal executive of {municipality}""",
    },
    "objection_decision": {
        "nl": """Geachte heer, mevrouw,

U maakte bezwaar tegen ons besluit op uw aanvraag {reference} voor de regeling {scheme}. Wij hebben het besluit volledig heroverwogen (artikel 7:11 Algemene wet bestuursrecht).

Onze beslissing: {reason}

Met vriendelijke groet,

het college van burgemeester en wethouders van {municipality}""",
        "en": """Dear Sir or Madam,

You objected to our decision on your application {reference} for the scheme {scheme}. We have reconsidered the decision in full (section 7:11 of the General Administrative Law Act).

Our decision: {reason}

Yours faithfully,

the municipal executive of {municipality}""",
    },
    "revocation": {
        "nl": """Geachte heer, mevrouw,

Wij verleenden u met kenmerk {reference} een subsidie voor de regeling {scheme}. Wij trekken deze subsidie in of stellen haar lager vast (artikelen 4:48 en 4:49 Algemene wet bestuursrecht). Het bedrag is nu {amount}.

Reden: {reason}

Met vriendelijke groet,

het college van burgemeester en wethouders van {municipality}""",
        "en": """Dear Sir or Madam,

Under reference {reference} we awarded you a grant for the scheme {scheme}. We revoke or lower this grant (sections 4:48 and 4:49 of the General Administrative Law Act). The amount is now {amount}.

Reason: {reason}

Yours faithfully,

the municipal executive of {municipality}""",
    },
    "determination": {
        "nl": """Geachte heer, mevrouw,

Wij stellen de subsidie voor {activities} (kenmerk {reference}, regeling {scheme}) vast op {amount} (artikel 4:46 Algemene wet bestuursrecht).

Toelichting: {reason}

Met vriendelijke groet,

het college van burgemeester en wethouders van {municipality}""",
        "en": """Dear Sir or Madam,

We determine the grant for {activities} (reference {reference}, scheme {scheme}) at {amount} (section 4:46 of the General Administrative Law Act).

Explanation: {reason}

Yours faithfully,

the municipal executive of {municipality}""",
    },
}

SUBJECTS = {
    "award": {"nl": "Verlening subsidie", "en": "Grant award"},
    "partial_award": {"nl": "Gedeeltelijke verlening subsidie", "en": "Partial grant award"},
    "rejection": {"nl": "Afwijzing subsidieaanvraag", "en": "Rejection of your grant application"},
    "not_considered": {"nl": "Buiten behandeling stellen aanvraag", "en": "Application not considered"},
    "extension": {"nl": "Verdaging beslistermijn", "en": "Extension of the decision term"},
    "objection_decision": {"nl": "Beslissing op bezwaar", "en": "Decision on your objection"},
    "revocation": {"nl": "Intrekking of wijziging subsidie", "en": "Revocation or change of your grant"},
    "determination": {"nl": "Vaststelling subsidie", "en": "Final determination of your grant"},
}

LABELS = {
    "nl": {"date": "Datum", "reference": "Ons kenmerk", "subject": "Onderwerp", "page": "Pagina",
           "remedies": "Bezwaar maken", "appeal": "Beroep instellen", "de_minimis": "De-minimissteun"},
    "en": {"date": "Date", "reference": "Our reference", "subject": "Subject", "page": "Page",
           "remedies": "Objection", "appeal": "Appeal", "de_minimis": "De minimis aid"},
}

# Awb 3:45, 6:7, 6:8: who may object, within which period from when, to which body and address.
REMEDIES_CLAUSE = {
    "nl": "Bent u het niet eens met dit besluit? Dan kunt u als belanghebbende bezwaar maken. Dat doet u binnen "
          "zes weken, te rekenen vanaf de dag na de dag waarop dit besluit is verzonden. Stuur uw ondertekende "
          "bezwaarschrift aan {objection_body}, {address}. Vermeld uw naam en adres, de datum, het kenmerk "
          "{reference} van dit besluit en waarom u het er niet mee eens bent (artikelen 3:45, 6:5, 6:7 en 6:8 "
          "Algemene wet bestuursrecht).",
    "en": "If you disagree with this decision, you may object to it as an interested party. You must do so within "
          "six weeks, counted from the day after the day on which this decision was sent. Send your signed "
          "objection to {objection_body}, {address}. State your name and address, the date, the reference "
          "{reference} of this decision and why you disagree with it (sections 3:45, 6:5, 6:7 and 6:8 of the "
          "General Administrative Law Act).",
}

# The decision on an objection carries the appeal clause instead (Awb 6:7, 6:8, 8:1).
APPEAL_CLAUSE = {
    "nl": "Bent u het niet eens met deze beslissing op uw bezwaar? Dan kunt u binnen zes weken, te rekenen vanaf "
          "de dag na de dag waarop deze beslissing is verzonden, beroep instellen bij {court}, sector "
          "bestuursrecht. Vermeld het kenmerk {reference}. Voor het instellen van beroep is griffierecht "
          "verschuldigd (artikelen 6:7, 6:8 en 8:1 Algemene wet bestuursrecht).",
    "en": "If you disagree with this decision on your objection, you may lodge an appeal with {court}, "
          "administrative law section, within six weeks counted from the day after the day on which this decision "
          "was sent. State the reference {reference}. A court fee is payable for an appeal (sections 6:7, 6:8 and "
          "8:1 of the General Administrative Law Act).",
}
DEFAULT_COURT = {
    "nl": "de rechtbank in het arrondissement waarin {municipality} ligt",
    "en": "the district court of the district in which {municipality} lies",
}
NO_ADDRESS = {"nl": "het adres van de gemeente", "en": "the municipality's address"}

DE_MINIMIS_STATEMENT = {
    "nl": "Deze subsidie is de-minimissteun in de zin van Verordening (EU) 2023/2831 van de Europese Commissie van "
          "13 december 2023 (PbEU 2023/2831). Bewaar dit besluit: u heeft het nodig als u binnen drie jaar "
          "opnieuw de-minimissteun aanvraagt.",
    "en": "This grant is de minimis aid within the meaning of Commission Regulation (EU) 2023/2831 of 13 December "
          "2023 (OJ L 2023/2831). Keep this decision: you will need it when you apply for de minimis aid again "
          "within three years.",
}

OBLIGATIONS = {
    "nl": "U voert de activiteiten uit zoals beschreven in uw aanvraag, tussen {starts_on} en {ends_on}. U meldt "
          "ons direct als u de activiteiten niet, niet op tijd of niet volledig kunt uitvoeren (artikel 4:38 "
          "Algemene wet bestuursrecht). U bewaart de facturen en bewijsstukken zeven jaar.",
    "en": "You carry out the activities as described in your application, between {starts_on} and {ends_on}. You "
          "inform us at once if you cannot carry out the activities, or not in time or not in full (section 4:38 "
          "of the General Administrative Law Act). You keep the invoices and supporting documents for seven years.",
}
REPORTING_DIRECT = {
    "nl": "Omdat het bedrag lager is dan {threshold}, hoeft u geen inhoudelijk verslag in te dienen: bij uw "
          "aanvraag tot vaststelling volstaat een verklaring dat de activiteiten zijn uitgevoerd. Wij kunnen "
          "steekproefsgewijs bewijsstukken opvragen.",
    "en": "Because the amount is below {threshold}, you need not submit a full report: with your application "
          "for the final determination a statement that the activities were carried out suffices. We may ask "
          "for supporting documents at random.",
}
REPORTING_REPORT = {
    "nl": "Na afloop dient u een inhoudelijk verslag in van de uitgevoerde activiteiten en de behaalde "
          "resultaten (zoals de vermeden hoeveelheid afval en CO2), met een overzicht van de gemaakte kosten.",
    "en": "Afterwards you submit a report on the activities carried out and the results achieved (such as the "
          "waste and CO2 avoided), with an overview of the costs incurred.",
}
ADVANCE = {
    "nl": "U ontvangt een voorschot van {percentage}% van het verleende bedrag, {amount}, binnen vier weken na "
          "dit besluit. Het voorschot wordt verrekend bij de vaststelling (artikel 4:95 Algemene wet "
          "bestuursrecht).",
    "en": "You receive an advance of {percentage}% of the amount awarded, {amount}, within four weeks of this "
          "decision. The advance is set off against the final determination (section 4:95 of the General "
          "Administrative Law Act).",
}
NO_ADVANCE = {
    "nl": "Er wordt geen voorschot verstrekt; wij betalen de subsidie uit na de vaststelling.",
    "en": "No advance is paid; we pay the grant after the final determination.",
}
