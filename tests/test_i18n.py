"""Dutch first, English second: the catalogues are complete and up to date."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
CATALOGUES = {lang: ROOT / "locale" / lang / "LC_MESSAGES" / "django.po" for lang in ("nl", "en")}


def entries(path):
    """(msgid, [msgstr...], flags) per entry of a .po file, header excluded."""
    text = path.read_text(encoding="utf-8")
    result = []
    for block in text.split("\n\n"):
        flags = " ".join(line for line in block.splitlines() if line.startswith("#,"))
        lines = [line for line in block.splitlines() if not line.startswith("#")]
        fields, current = {}, None
        for line in lines:
            match = re.match(r'^(msgid|msgid_plural|msgctxt|msgstr(?:\[\d\])?) "(.*)"$', line)
            if match:
                current = match.group(1)
                fields[current] = match.group(2)
            elif current and line.startswith('"'):
                fields[current] += line[1:-1]
        if fields.get("msgid"):
            result.append((fields["msgid"], [v for k, v in fields.items() if k.startswith("msgstr")], flags))
    return result


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_every_string_is_translated_and_none_is_fuzzy(lang):
    items = entries(CATALOGUES[lang])
    assert len(items) > 100
    untranslated = [msgid for msgid, strs, _ in items if not strs or any(s == "" for s in strs)]
    fuzzy = [msgid for msgid, _, flags in items if "fuzzy" in flags]
    assert untranslated == []
    assert fuzzy == []


@pytest.mark.django_db
def test_dutch_is_the_default_and_actually_dutch(client):
    response = client.get("/")
    assert response.headers["Content-Language"] == "nl"
    assert "Regelingen" in response.content.decode()


@pytest.mark.django_db
def test_english_is_served_after_switching(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    response = client.get("/")
    assert response.headers["Content-Language"] == "en"
    assert "Schemes" in response.content.decode()


def test_makemessages_would_not_change_the_catalogues(tmp_path):
    """Every translatable string in the code is in the catalogues, and nothing obsolete remains."""
    copy = tmp_path / "project"
    shutil.copytree(ROOT, copy, ignore=shutil.ignore_patterns(".venv", "var", ".git", "__pycache__", "*.mo"))
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "nl", "-l", "en", "--ignore=.venv", "--ignore=var",
         "--no-obsolete", "--add-location=file"],
        cwd=copy, check=True, capture_output=True,
    )
    for lang, path in CATALOGUES.items():
        regenerated = copy / "locale" / lang / "LC_MESSAGES" / "django.po"
        assert entries(regenerated) == entries(path), f"run 'make messages' and translate ({lang})"


@pytest.mark.django_db
def test_browser_language_does_not_override_dutch(client):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response.headers["Content-Language"] == "nl"
