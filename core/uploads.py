"""The one checker for every file the app accepts (notice attachments, roster imports).

A file is judged by its content, never by the name the uploader gave it: its size, its real
type from its first bytes (and, for the zip-based Office formats, the parts inside), what
opening it would cost (entries, expanded size, compression ratio) and, for OLE2 compound
files, whether it is encrypted. Every refusal is a ValidationError with a message in the
user's language. Part of the shared layer: it imports no app.
"""

import io
import re
import zipfile
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


@dataclass(frozen=True)
class FileKind:
    """An accepted type: the extension and content type a file of it is stored and served with."""

    extension: str
    content_type: str
    label: str


PDF = FileKind("pdf", "application/pdf", gettext_lazy("PDF"))
PNG = FileKind("png", "image/png", gettext_lazy("PNG picture"))
JPEG = FileKind("jpg", "image/jpeg", gettext_lazy("JPEG picture"))
DOCX = FileKind(
    "docx",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    gettext_lazy("Word (.docx)"),
)
XLSX = FileKind(
    "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", gettext_lazy("Excel (.xlsx)")
)
CSV = FileKind("csv", "text/csv", gettext_lazy("CSV (.csv)"))
KINDS = (PDF, PNG, JPEG, DOCX, XLSX, CSV)

# A zip (docx, xlsx) whose entries would expand past these is refused before anything parses it.
# The limits hold for what Python's zipfile (and openpyxl, which uses it) will ever produce: it
# stops each entry at the size the archive's directory declares.
MAX_ZIP_ENTRIES = 500  # a real document has a few dozen parts
MAX_ZIP_UNCOMPRESSED = 100 * 1024 * 1024
MAX_ZIP_RATIO = 200  # Office XML compresses about 10:1; a zip bomb, thousands to one
RATIO_FROM_BYTES = 1024 * 1024  # small parts (styles, empty sheets) may compress far better, harmlessly

# Old .doc/.xls files and password-protected (encrypted) .docx/.xlsx are OLE2 compound files; an
# encrypted one holds a stream named EncryptionInfo, written in UTF-16 in the OLE2 directory.
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
OLE2_ENCRYPTION_STREAM = "EncryptionInfo".encode("utf-16-le")

# Characters no file name should carry to the recipient's disk (paths, Windows reserved, controls).
_UNSAFE_NAME = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+')


def check_upload(upload, *, accept: tuple[FileKind, ...], max_bytes: int) -> FileKind:
    """Check an uploaded file (a Django UploadedFile or File); its detected kind, or ValidationError.

    The size is checked before anything is read, then at most `max_bytes` + 1 bytes are read;
    the file is left at its start for whoever stores or reads it next.
    """
    if upload.size is not None and upload.size > max_bytes:
        raise _too_large(upload.size, max_bytes)
    upload.seek(0)
    content = upload.read(max_bytes + 1)
    upload.seek(0)
    return check_content(content, name=upload.name or "", accept=accept, max_bytes=max_bytes)


def check_content(content: bytes, *, name: str, accept: tuple[FileKind, ...], max_bytes: int) -> FileKind:
    """The kind of `content` if it is one of `accept` and safe to open; ValidationError otherwise.

    `name` only matters for CSV, which has no signature: plain text is taken as CSV when the
    uploader named it .csv.
    """
    if not content:
        raise ValidationError(_("The file is empty."), code="empty")
    if len(content) > max_bytes:
        raise _too_large(len(content), max_bytes)
    if content.startswith(OLE2_MAGIC):
        if OLE2_ENCRYPTION_STREAM in content:
            raise ValidationError(
                _(
                    "This file is password-protected, so it cannot be checked or read: remove the "
                    "password in Word or Excel, then upload it again."
                ),
                code="encrypted",
            )
        raise ValidationError(
            _(
                "This is an old Office file (.doc or .xls), which cannot be read: open it in Word or "
                "Excel, save it as .docx or .xlsx, then upload it again."
            ),
            code="old_office",
        )
    kind = _sniff(content, name)
    if kind not in accept:
        labels = _(", ").join(str(kind.label) for kind in accept)
        raise ValidationError(
            _("This type of file is not accepted: upload %(kinds)s.") % {"kinds": labels}, code="forbidden_type"
        )
    return kind


def kind_for_content_type(content_type: str) -> FileKind | None:
    """The accepted kind stored under this content type, if any."""
    return next((kind for kind in KINDS if kind.content_type == content_type), None)


def download_name(title: str, kind: FileKind) -> str:
    """A file name to serve a checked file under: the title made safe, with the kind's extension."""
    stem = " ".join(_UNSAFE_NAME.sub(" ", title).split()).strip(" .")[:80].strip(" .")
    return f"{stem or _('attachment')}.{kind.extension}"


def _too_large(size: int, max_bytes: int) -> ValidationError:
    return ValidationError(
        _("The file is too large (%(size)s MB); the limit is %(limit)s MB.")
        % {"size": round(size / 1024 / 1024, 1), "limit": round(max_bytes / 1024 / 1024, 1)},
        code="too_large",
    )


def _sniff(content: bytes, name: str) -> FileKind | None:
    if content.startswith(b"%PDF-"):
        return PDF
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if content.startswith(b"\xff\xd8\xff"):
        return JPEG
    if content.startswith(b"PK\x03\x04"):
        members = _zip_members(content)
        if "[Content_Types].xml" in members:
            if "word/document.xml" in members:
                return DOCX
            if "xl/workbook.xml" in members:
                return XLSX
        return None
    if name.lower().endswith(".csv") and b"\x00" not in content:
        return CSV
    return None


def _zip_members(content: bytes) -> set[str]:
    """The names inside a zip, after refusing a zip bomb: too many entries, too much expanded
    data, or an absurd compression ratio (all read from the directory, nothing decompressed)."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise ValidationError(_("The file is damaged or is not what its name says."), code="bad_zip") from None
    if len(entries) > MAX_ZIP_ENTRIES:
        raise ValidationError(_("The file holds too many parts to be a real document."), code="zip_entries")
    if sum(entry.file_size for entry in entries) > MAX_ZIP_UNCOMPRESSED:
        raise ValidationError(_("The file would be too large once opened."), code="zip_size")
    for entry in entries:
        if entry.file_size > RATIO_FROM_BYTES and entry.file_size > MAX_ZIP_RATIO * max(entry.compress_size, 1):
            raise ValidationError(_("The file would be too large once opened."), code="zip_ratio")
    return {entry.filename for entry in entries}
