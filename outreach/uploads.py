"""Checks for uploaded files, by their content rather than their name."""

import io
import zipfile

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# A zip (xlsx, docx) whose entries would expand past these is refused before anything parses it.
MAX_ZIP_ENTRIES = 500
MAX_ZIP_UNCOMPRESSED = 100 * 1024 * 1024
MAX_ZIP_RATIO = 200  # real spreadsheets compress about 10:1; a zip bomb, thousands to one


def check_zip_archive(content: bytes, *, required: tuple[str, ...] = ()) -> None:
    """Refuse a zip bomb (too many entries, too much uncompressed data, an absurd compression
    ratio) and an archive that lacks the members its format must have. Raises ValidationError."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise ValidationError(_("The file is damaged or is not what its name says."), code="bad_zip") from None
    if len(entries) > MAX_ZIP_ENTRIES:
        raise ValidationError(_("The file holds too many parts to be a real document."), code="zip_entries")
    total = sum(entry.file_size for entry in entries)
    if total > MAX_ZIP_UNCOMPRESSED:
        raise ValidationError(_("The file would be too large once opened."), code="zip_size")
    for entry in entries:
        if entry.compress_size and entry.file_size / entry.compress_size > MAX_ZIP_RATIO:
            raise ValidationError(_("The file would be too large once opened."), code="zip_ratio")
    names = {entry.filename for entry in entries}
    if any(member not in names for member in required):
        raise ValidationError(_("The file is damaged or is not what its name says."), code="zip_members")


XLSX_MEMBERS = ("[Content_Types].xml", "xl/workbook.xml")
