"""Checks of uploaded notice attachments: the size, and the type read from the content itself."""

import zipfile

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# What each accepted type looks like, and the extension and content type it is stored and served with.
PDF = ("pdf", "application/pdf")
PNG = ("png", "image/png")
JPEG = ("jpg", "image/jpeg")
DOCX = ("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
XLSX = ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def max_attachment_bytes() -> int:
    return settings.OUTREACH_ATTACHMENT_MAX_MB * 1024 * 1024


def sniff_type(upload) -> tuple[str, str] | None:
    """(extension, content type) from the file's first bytes (and, for a zip, its parts); None if not accepted.

    The name the user gave is ignored: a script renamed to .pdf is refused.
    """
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(upload) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, OSError):
            return None
        finally:
            upload.seek(0)
        if "[Content_Types].xml" in names:
            if any(name.startswith("word/") for name in names):
                return DOCX
            if any(name.startswith("xl/") for name in names):
                return XLSX
    return None


def validate_attachment(upload) -> tuple[str, str]:
    """The (extension, content type) of an acceptable attachment; ValidationError with a clear message otherwise."""
    if upload.size > max_attachment_bytes():
        raise ValidationError(
            _("The attachment is too large: at most %(mb)s MB.") % {"mb": settings.OUTREACH_ATTACHMENT_MAX_MB},
            code="too_large",
        )
    kind = sniff_type(upload)
    if kind is None:
        raise ValidationError(
            _("This type of file is not accepted: attach a PDF, a Word or Excel file, or a PNG or JPEG picture."),
            code="forbidden_type",
        )
    return kind
