"""Attachments: accepted by content only, stored outside public paths, downloadable only within the tenant."""

import io
import re
import zipfile
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.translation import gettext

from grants.attachments import attachment_create, attachment_delete, safe_file_name, validate_upload
from grants.models import Attachment, AttachmentKind, StaffRole
from tests.factories import (
    PDF_BYTES,
    ApplicantFactory,
    ApplicationFactory,
    AttachmentFactory,
    SchemeFactory,
    make_staff,
)


def office_zip(members):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16
JPEG_BYTES = b"\xff\xd8\xff\xe0" + b"\x00" * 16
DOCX_BYTES = office_zip({"[Content_Types].xml": "<Types/>", "word/document.xml": "<w:document/>"})
XLSX_BYTES = office_zip({"[Content_Types].xml": "<Types/>", "xl/workbook.xml": "<workbook/>"})
ODT_BYTES = office_zip({"mimetype": "application/vnd.oasis.opendocument.text", "content.xml": "<office/>"})
REFUSED_TYPE = "Only PDF, PNG, JPEG, XLSX, DOCX or ODT files are accepted."


def upload(name, content):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


@pytest.fixture
def draft(org_x):
    applicant = ApplicantFactory()
    scheme = SchemeFactory(organisation=org_x)
    return ApplicationFactory(scheme=scheme, company=applicant.test_company, created_by=applicant)


@pytest.fixture
def submitted(draft):
    return ApplicationFactory(scheme=draft.scheme, company=draft.company, created_by=draft.created_by, submitted=True)


# --- what is accepted ---------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "content", "content_type"), [
    ("offerte.pdf", PDF_BYTES, "application/pdf"),
    ("foto.png", PNG_BYTES, "image/png"),
    ("foto.jpg", JPEG_BYTES, "image/jpeg"),
    ("plan.docx", DOCX_BYTES, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ("begroting.xlsx", XLSX_BYTES, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ("plan.odt", ODT_BYTES, "application/vnd.oasis.opendocument.text"),
])
def test_each_allowed_type_is_accepted_by_its_content(name, content, content_type):
    assert validate_upload(upload(name, content)) == (content_type, name)


@pytest.mark.parametrize(("name", "content"), [
    ("pagina.html", b"<!DOCTYPE html><html><script>alert(1)</script></html>"),
    ("logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'),
    ("setup.exe", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00"),
    ("run.sh", b"#!/bin/sh\nrm -rf /\n"),
    ("offerte.pdf", b"<html><body>Geen PDF</body></html>"),  # the name claims PDF, the content does not
])
def test_other_content_is_refused_whatever_its_name(name, content):
    with pytest.raises(ValidationError) as refused:
        validate_upload(upload(name, content))
    assert [error.code for error in refused.value.error_list] == ["file_type"]


@pytest.mark.parametrize("content", [
    office_zip({"word/document.xml": "<w:document/>"}),  # no [Content_Types].xml
    office_zip({"[Content_Types].xml": "<Types/>", "payload.html": "<html/>"}),  # neither Word nor Excel
    office_zip({"mimetype": "text/html", "content.xml": "<office/>"}),  # not an ODF text
    b"PK\x03\x04" + b"\x00" * 40,  # a damaged zip
])
def test_zips_without_the_office_structure_are_refused(content):
    with pytest.raises(ValidationError) as refused:
        validate_upload(upload("plan.docx", content))
    assert [error.code for error in refused.value.error_list] == ["file_type"]


def test_file_above_the_size_limit_is_refused(settings):
    settings.ATTACHMENT_MAX_BYTES = 100
    assert validate_upload(upload("precies.pdf", PDF_BYTES.ljust(100, b" ")))[0] == "application/pdf"
    with pytest.raises(ValidationError) as refused:
        validate_upload(upload("te-groot.pdf", PDF_BYTES.ljust(101, b" ")))
    assert refused.value.code == "file_too_large"


def test_empty_file_is_refused():
    with pytest.raises(ValidationError):
        validate_upload(upload("leeg.pdf", b""))


# --- file names ---------------------------------------------------------------------------------


def test_uploaded_path_traversal_name_keeps_only_the_base_name():
    assert validate_upload(upload("../../etc/passwd.pdf", PDF_BYTES))[1] == "passwd.pdf"


@pytest.mark.parametrize(("name", "expected"), [
    ("../../etc/passwd.pdf", "passwd.pdf"),
    ("..\\..\\windows\\system.ini.pdf", "system.ini.pdf"),
    ("/var/www/.htaccess.pdf", "htaccess.pdf"),
    ("factuur.exe", "factuur.pdf"),  # the extension follows the content
    ("..", "document.pdf"),
    ("", "document.pdf"),
    ("Offerte maart 2026.PDF", "Offerte_maart_2026.pdf"),
])
def test_file_name_is_reduced_to_a_safe_base_name(name, expected):
    assert safe_file_name(name, "application/pdf") == expected


def test_control_characters_and_markup_are_removed_from_the_name():
    _, name = validate_upload(upload("off\x00er\nte\x1b<script>\u202egpj.pdf", PDF_BYTES))
    assert re.fullmatch(r"[\w.-]+\.pdf", name) and "script" in name
    assert not any(ord(char) < 32 or char in "<>/\\\u202e" for char in name)


def test_long_file_name_is_cut_to_150_characters_keeping_the_extension():
    _, name = validate_upload(upload("a" * 300 + ".pdf", PDF_BYTES))
    assert len(name) == 150 and name.endswith(".pdf")


# --- storing and removing -----------------------------------------------------------------------


def test_attachment_is_stored_under_media_root_under_a_random_name(draft):
    attachment = attachment_create(application=draft, uploaded_file=upload("../offerte.pdf", PDF_BYTES),
                                   kind="quote", user=draft.created_by)
    path = Path(attachment.file.path).resolve()
    assert path.is_relative_to(Path(settings.MEDIA_ROOT).resolve())
    assert not path.is_relative_to(Path(settings.STATIC_ROOT).resolve())
    assert "offerte" not in path.name and path.read_bytes() == PDF_BYTES
    assert (attachment.original_name, attachment.content_type, attachment.size) == (
        "offerte.pdf", "application/pdf", len(PDF_BYTES))


def test_total_of_one_application_is_limited(draft, settings):
    settings.ATTACHMENT_MAX_TOTAL_BYTES = 2 * len(PDF_BYTES)
    for _ in range(2):
        attachment_create(application=draft, uploaded_file=upload("offerte.pdf", PDF_BYTES), kind="quote",
                          user=draft.created_by)
    with pytest.raises(ValidationError) as refused:
        attachment_create(application=draft, uploaded_file=upload("offerte.pdf", PDF_BYTES), kind="quote",
                          user=draft.created_by)
    assert refused.value.code == "total_too_large"
    assert draft.attachments.count() == 2


def test_upload_is_refused_once_the_application_is_submitted(submitted):
    with pytest.raises(ValidationError) as refused:
        attachment_create(application=submitted, uploaded_file=upload("offerte.pdf", PDF_BYTES), kind="quote",
                          user=submitted.created_by)
    assert refused.value.code == "not_draft"
    assert not Attachment.objects.exists()


def test_delete_removes_the_row_and_the_file_after_commit(draft, django_capture_on_commit_callbacks):
    attachment = AttachmentFactory(application=draft)
    path = Path(attachment.file.path)
    with django_capture_on_commit_callbacks() as callbacks:
        attachment_delete(attachment=attachment, user=draft.created_by)
    assert not Attachment.objects.exists() and path.exists()
    for callback in callbacks:
        callback()
    assert not path.exists()


def test_delete_is_refused_once_the_application_is_submitted(submitted):
    attachment = AttachmentFactory(application=submitted)
    with pytest.raises(ValidationError):
        attachment_delete(attachment=attachment, user=submitted.created_by)
    assert Attachment.objects.filter(pk=attachment.pk).exists() and Path(attachment.file.path).exists()


# --- the applicant's page -----------------------------------------------------------------------


def test_page_shows_which_required_documents_are_present(client, draft):
    draft.scheme.required_attachments = ["quote", "project_plan", "no-such-kind"]
    draft.scheme.save()
    AttachmentFactory(application=draft, kind="quote", original_name="offerte-adviseur.pdf")
    client.force_login(draft.created_by)
    response = client.get(reverse("application_attachments", args=[draft.pk]))
    assert response.status_code == 200
    assert response.context["required_kinds"] == [
        (AttachmentKind.QUOTE.label, True), (AttachmentKind.PROJECT_PLAN.label, False)]
    page = response.content.decode()
    assert 'enctype="multipart/form-data"' in page and "offerte-adviseur.pdf" in page


def test_upload_through_the_page_adds_the_attachment(client, draft):
    client.force_login(draft.created_by)
    response = client.post(reverse("application_attachments", args=[draft.pk]),
                           {"kind": "budget", "file": upload("begroting.xlsx", XLSX_BYTES)})
    assert response.status_code == 302
    attachment = draft.attachments.get()
    assert (attachment.kind, attachment.original_name) == ("budget", "begroting.xlsx")


def test_refused_file_is_reported_at_the_field(client, draft):
    client.force_login(draft.created_by)
    response = client.post(reverse("application_attachments", args=[draft.pk]),
                           {"kind": "quote", "file": upload("offerte.pdf", b"<html></html>")})
    assert response.status_code == 400
    assert response.context["form"].errors["file"] == [gettext(REFUSED_TYPE)]
    assert 'id="id_file_error"' in response.content.decode()
    assert not Attachment.objects.exists()


def test_oversized_upload_is_refused_before_it_is_read(client, draft, settings):
    settings.ATTACHMENT_MAX_BYTES = 100
    client.force_login(draft.created_by)
    response = client.post(reverse("application_attachments", args=[draft.pk]),
                           {"kind": "quote", "file": upload("groot.pdf", PDF_BYTES.ljust(200 * 1024, b" "))})
    assert response.status_code == 413 and len(response.context["messages"]) == 1
    assert not Attachment.objects.exists()


def test_page_links_back_to_the_application_and_its_review(client, draft):
    client.force_login(draft.created_by)
    page = client.get(reverse("application_attachments", args=[draft.pk])).content.decode()
    assert f'href="{reverse("application_detail", args=[draft.pk])}"' in page
    assert f'href="{reverse("application_review", args=[draft.pk])}"' in page


def test_upload_to_a_submitted_application_changes_nothing(client, submitted):
    client.force_login(submitted.created_by)
    response = client.post(reverse("application_attachments", args=[submitted.pk]),
                           {"kind": "quote", "file": upload("offerte.pdf", PDF_BYTES)}, follow=True)
    assert response.status_code == 200 and len(response.context["messages"]) == 1
    assert 'enctype="multipart/form-data"' not in response.content.decode()  # no upload form after submission
    assert not Attachment.objects.exists()


def test_remove_through_the_page_only_in_draft(client, draft, submitted):
    kept = AttachmentFactory(application=submitted)
    removed = AttachmentFactory(application=draft)
    client.force_login(draft.created_by)
    client.post(reverse("application_attachment_delete", args=[draft.pk, removed.pk]))
    client.post(reverse("application_attachment_delete", args=[submitted.pk, kept.pk]))
    assert list(Attachment.objects.all()) == [kept]


def test_attachment_of_another_application_cannot_be_removed_through_this_one(client, draft, submitted):
    other = AttachmentFactory(application=submitted)
    client.force_login(draft.created_by)
    response = client.post(reverse("application_attachment_delete", args=[draft.pk, other.pk]))
    assert response.status_code == 404 and Attachment.objects.filter(pk=other.pk).exists()


# --- downloads ----------------------------------------------------------------------------------


def test_download_is_a_sandboxed_attachment_with_the_sniffed_type(client, draft):
    attachment = AttachmentFactory(application=draft, original_name="offerte maart.pdf")
    client.force_login(draft.created_by)
    response = client.get(reverse("attachment_download", args=[draft.pk, attachment.pk]))
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF_BYTES
    assert response["Content-Disposition"] == 'attachment; filename="offerte_maart.pdf"'
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "sandbox"
    assert response["Cache-Control"] == "private, no-store"


def test_download_is_404_for_another_company(client, draft):
    attachment = AttachmentFactory(application=draft)
    client.force_login(ApplicantFactory())
    response = client.get(reverse("attachment_download", args=[draft.pk, attachment.pk]))
    assert response.status_code == 404


def test_download_is_404_through_another_application_of_the_same_company(client, draft, submitted):
    attachment = AttachmentFactory(application=submitted)
    client.force_login(draft.created_by)
    assert client.get(reverse("attachment_download", args=[draft.pk, attachment.pk])).status_code == 404


def test_anonymous_visitors_are_sent_to_login(client, submitted):
    attachment = AttachmentFactory(application=submitted)
    for name in ("attachment_download", "case_attachment_download"):
        url = reverse(name, args=[submitted.pk, attachment.pk])
        response = client.get(url)
        assert response.status_code == 302 and response.url == f"{reverse('login')}?next={url}"


def test_staff_of_the_municipality_may_download(client, org_x, submitted):
    attachment = AttachmentFactory(application=submitted)
    client.force_login(make_staff(org_x, StaffRole.OFFICER))
    response = client.get(reverse("case_attachment_download", args=[submitted.pk, attachment.pk]))
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"


def test_staff_of_another_municipality_get_404(client, org_y, submitted):
    attachment = AttachmentFactory(application=submitted)
    client.force_login(make_staff(org_y, StaffRole.OFFICER))
    response = client.get(reverse("case_attachment_download", args=[submitted.pk, attachment.pk]))
    assert response.status_code == 404


def test_staff_never_download_from_a_draft(client, org_x, draft):
    attachment = AttachmentFactory(application=draft)
    client.force_login(make_staff(org_x, StaffRole.OFFICER))
    response = client.get(reverse("case_attachment_download", args=[draft.pk, attachment.pk]))
    assert response.status_code == 404


def test_missing_file_is_a_404_with_a_message(client, draft):
    attachment = AttachmentFactory(application=draft, original_name="kwijt.pdf")
    attachment.file.storage.delete(attachment.file.name)
    client.force_login(draft.created_by)
    response = client.get(reverse("attachment_download", args=[draft.pk, attachment.pk]))
    assert response.status_code == 404
    assert "kwijt.pdf" in response.content.decode()


def test_case_page_lists_attachments_at_a_fixed_query_count(client, org_x, submitted):
    client.force_login(make_staff(org_x, StaffRole.OFFICER))
    url = reverse("case_detail", args=[submitted.pk])
    AttachmentFactory(application=submitted)
    client.get(url)  # the first request of a session costs extra queries of its own
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    attachments = AttachmentFactory.create_batch(5, application=submitted)
    with CaptureQueriesContext(connection) as six:
        response = client.get(url)
    # The attachments come in one query, however many there are.
    assert len(six) == len(one)
    assert reverse("case_attachment_download", args=[submitted.pk, attachments[-1].pk]) in response.content.decode()
