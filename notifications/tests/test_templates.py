"""Every registered event has its three templates (subject, text, HTML) and renders in Dutch and in
English with a sample context: dates in the reader's language, no template syntax left over, the
HTML marked with its language. (That every string is in both catalogues is tests/test_i18n.py's job.)"""

from pathlib import Path

import pytest
from django.conf import settings

from notifications.events import EVENTS
from notifications.models import Outbox
from notifications.services import render_message
from tests.factories import UserFactory

# The keys events use; an event's template that needs a key not here renders it empty, which the
# assertions below catch only for the subject, so keep this list in step with new events.
SAMPLE = {
    "reference": "ALP-2026-00042", "title": "Circulaire scan", "company": "Houtwerk Hergebruik B.V.",
    "scheme_nl": "Circulaire voucher", "scheme_en": "Circular voucher", "organisation": "Gemeente Alphen",
    "organisation_id": 1, "decision_due_on": "2026-12-11", "repair_due_on": "2026-12-11",
    "missing": "Een offerte van de adviseur.", "outcome": "award", "amount": "1500.00", "motivation": "Past.",
    "comment": "Motivering aanvullen.", "sender": "Jan Jansen", "body": "Wanneer volgt het besluit?",
    "inviter": "Piet Pieters", "role": "member", "token": "abc", "link": "/x/", "day_on": "2026-12-11",
    "grounds_due_on": "2026-12-11", "paid_on": "2026-12-11",
    "payee": "Scan Partners", "paid_nl": "EUR 1.500,00", "paid_en": "EUR 1,500.00", "iban_end": "6789",
    "assigned_by": "Sanne de Vries", "recovery_nl": "EUR 800,00", "recovery_en": "EUR 800.00",
    "hearing_on": "2026-12-11", "due_on": "2026-12-11",
    "valid_until_on": "2026-12-11", "kind_nl": "voortgangsrapportage", "kind_en": "progress report",
    "code": "CV-ABCD-EFGH", "provider": "Scan Partners Rijnland", "cap": "2000.00", "days": 30,
    "reasons": "De factuur ontbreekt.",
    "items": [{"subject": "Ontvangst van uw aanvraag ALP-2026-00042", "url": "https://example.nl/a/1/"}],
}
TEMPLATES = Path(settings.BASE_DIR) / "templates" / "notifications"


@pytest.mark.parametrize("event", sorted(EVENTS))
def test_every_event_has_a_subject_text_and_html_template(event):
    for name in ("subject.txt", "body.txt", "body.html"):
        assert (TEMPLATES / event / name).is_file(), f"{event} lacks {name}"


@pytest.mark.django_db
@pytest.mark.parametrize("event", sorted(EVENTS))
@pytest.mark.parametrize(("language", "date"), [("nl", "11 december 2026"), ("en", "11 December 2026")])
def test_every_event_renders_in_dutch_and_english(event, language, date):
    user = UserFactory(language=language)
    row = Outbox(event=event, recipient=user, email=user.email, language=language, context=SAMPLE, url="/a/1/")

    subject, text, html = render_message(row)

    assert subject.strip() and "\n" not in subject
    assert text.strip() and html.strip()
    for rendered in (subject, text, html):
        assert "{{" not in rendered and "{%" not in rendered
    assert f'lang="{language}"' in html
    if "_on" in (TEMPLATES / event / "body.txt").read_text():  # the event's text shows a date
        assert date in text, f"{event} in {language}: the date is not in the reader's language"
