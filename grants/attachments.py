"""Attachments to an application: what may be uploaded, where it is stored and when it may go.

A file is accepted by what it is, never by what its name says: the first bytes (PDF, PNG, JPEG) or,
for the zip-based office formats, the parts inside the zip. Downloads are served by views that check
access (grants/views/files.py); MEDIA_ROOT is never published.
"""

import os
import unicodedata
import zipfile

from django.conf import settings
from django.core.exceptions import PermissionDenied, SuspiciousFileOperation, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from workflows import access, virus_scan

from .models import Application, ApplicationState, Attachment, AttachmentKind

PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ODT = "application/vnd.oasis.opendocument.text"

# The extensions a sanitised name may keep per sniffed type; the first is used when the name has none of them.
EXTENSIONS = {
    PDF: (".pdf",),
    PNG: (".png",),
    JPEG: (".jpg", ".jpeg"),
    DOCX: (".docx",),
    XLSX: (".xlsx",),
    ODT: (".odt",),
}
ALLOWED_CONTENT_TYPES = frozenset(EXTENSIONS)

MAGIC = ((b"%PDF-", PDF), (b"\x89PNG\r\n\x1a\n", PNG), (b"\xff\xd8\xff", JPEG))
ZIP_MAGIC = b"PK\x03\x04"

MAX_BYTES = 10 * 1024 * 1024
MAX_TOTAL_BYTES = 50 * 1024 * 1024
MAX_NAME_LENGTH = 150
MAX_ZIP_MEMBERS = 10_000
FALLBACK_STEM = "document"


def max_bytes():
    return getattr(settings, "ATTACHMENT_MAX_BYTES", MAX_BYTES)


def max_total_bytes():
    return getattr(settings, "ATTACHMENT_MAX_TOTAL_BYTES", MAX_TOTAL_BYTES)


def megabytes(size):
    return f"{size / (1024 * 1024):g}"


def _refused():
    return ValidationError(_("Only PDF, PNG, JPEG, XLSX, DOCX or ODT files are accepted."), code="file_type")


def _sniff_zip(uploaded_file):
    """DOCX, XLSX or ODT by the parts inside the zip; None for any other zip or a damaged one."""
    uploaded_file.seek(0)
    try:
        with zipfile.ZipFile(uploaded_file) as archive:
            infos = archive.infolist()
            if len(infos) > MAX_ZIP_MEMBERS:
                return None
            names = {info.filename for info in infos}
            if "[Content_Types].xml" in names:
                if "word/document.xml" in names:
                    return DOCX
                if "xl/workbook.xml" in names:
                    return XLSX
                return None
            if "mimetype" in names:
                # Read only a few bytes: a compressed member could expand to anything.
                with archive.open("mimetype") as member:
                    declared = member.read(len(ODT) + 1)
                return ODT if declared == ODT.encode("ascii") else None
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError, RuntimeError,
            NotImplementedError, KeyError):
        # Damaged, encrypted or oddly compressed zips are refused like any unknown file.
        return None
    return None


def sniff_content_type(uploaded_file):
    """The content type the bytes show, or None when it is not one we accept."""
    uploaded_file.seek(0)
    head = uploaded_file.read(8)
    uploaded_file.seek(0)
    for magic, content_type in MAGIC:
        if head.startswith(magic):
            return content_type
    if head.startswith(ZIP_MAGIC):
        content_type = _sniff_zip(uploaded_file)
        uploaded_file.seek(0)
        return content_type
    return None


def safe_file_name(name, content_type):
    """A name fit to show and to offer for download: its last path part only, no control characters,
    letters, digits, ``-``, ``_`` and ``.`` only, an extension that matches the content, at most 150 characters."""
    name = unicodedata.normalize("NFC", str(name or ""))
    name = "".join(" " if unicodedata.category(char).startswith(("C", "Z")) else char for char in name)
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    stem, extension = os.path.splitext(name)
    allowed = EXTENSIONS[content_type]
    extension = extension.lower() if extension.lower() in allowed else allowed[0]
    try:
        stem = get_valid_filename(stem)
    except SuspiciousFileOperation:
        stem = ""
    # No hidden files, no names that start like an option, no "." or "..".
    stem = stem.strip("._-")[: MAX_NAME_LENGTH - len(extension)].rstrip("._-") or FALLBACK_STEM
    return stem + extension


def validate_upload(uploaded_file):
    """Return ``(content_type, safe_name)`` for an acceptable upload; raise a ValidationError otherwise.

    Accepted: PDF, PNG, JPEG, XLSX, DOCX and ODT, recognised by content, at most ATTACHMENT_MAX_BYTES."""
    limit = max_bytes()
    size = getattr(uploaded_file, "size", None) or 0
    if size > limit:
        raise ValidationError(_("This file is larger than %(size)s MB.") % {"size": megabytes(limit)},
                              code="file_too_large")
    if size == 0:
        raise ValidationError(_("This file is empty."), code="file_empty")
    content_type = sniff_content_type(uploaded_file)
    if content_type is None:
        raise _refused()
    virus_scan.check_upload(uploaded_file)  # only when CLAMAV_URL is configured
    return content_type, safe_file_name(uploaded_file.name, content_type)


def _locked_draft(application_id, user):
    application = Application.objects.select_for_update().get(pk=application_id)
    if not access.acts_for_applicant(application, user):
        raise PermissionDenied
    if application.state != ApplicationState.DRAFT:
        raise ValidationError(_("Attachments can only be changed while the application is a draft."),
                              code="not_draft")
    return application


def attachment_create(*, application, uploaded_file, kind, user):
    """Store ``uploaded_file`` as an attachment of ``application`` and return the new Attachment.

    Preconditions: the application is a draft of a company ``user`` acts for (else ValidationError,
    PermissionDenied); the file passes ``validate_upload``; the kind is an AttachmentKind; the
    application's attachments stay within ATTACHMENT_MAX_TOTAL_BYTES. The file (under a random name,
    see the model's ``upload_to``) and the row are written together: if the row fails, the file is removed."""
    if kind not in AttachmentKind.values:
        raise ValidationError(_("Choose the kind of document."), code="kind")
    content_type, safe_name = validate_upload(uploaded_file)
    with transaction.atomic():
        # The lock serialises uploads to one application, so two of them cannot both pass the total.
        locked = _locked_draft(application.pk, user)
        total = locked.attachments.aggregate(total=Sum("size"))["total"] or 0
        limit = max_total_bytes()
        if total + uploaded_file.size > limit:
            raise ValidationError(
                _("The attachments of one application may together be at most %(size)s MB.")
                % {"size": megabytes(limit)}, code="total_too_large")
        attachment = Attachment(application=locked, kind=kind, original_name=safe_name, content_type=content_type,
                                size=uploaded_file.size, uploaded_by=user)
        uploaded_file.seek(0)
        attachment.file.save(safe_name, uploaded_file, save=False)
        try:
            attachment.save()
        except BaseException:
            attachment.file.storage.delete(attachment.file.name)
            raise
    return attachment


def attachment_delete(*, attachment, user):
    """Remove an attachment of a draft; the stored file goes after commit (a rollback keeps it).

    Errors: ValidationError when the application is no longer a draft, PermissionDenied when ``user``
    does not act for its company."""
    with transaction.atomic():
        _locked_draft(attachment.application_id, user)
        storage, name = attachment.file.storage, attachment.file.name
        attachment.delete()
        if name:
            transaction.on_commit(lambda: storage.delete(name))
