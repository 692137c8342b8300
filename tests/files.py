"""Hostile and ordinary files for the upload tests, built in memory, the same bytes on every call."""

import functools
import io
import struct
import zipfile

DATE = (2026, 11, 1, 0, 0, 0)  # entries dated, not stamped with the clock
PDF = b"%PDF-1.4\n% a letter\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 240 + b"This program cannot be run"


def office_zip(members: dict[str, bytes | str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in members.items():
            archive.writestr(zipfile.ZipInfo(name, date_time=DATE), content, compress_type=zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def docx() -> bytes:
    return office_zip({"[Content_Types].xml": "<Types/>", "word/document.xml": "<w:document/>"})


@functools.cache
def zip_bomb() -> bytes:
    """A .docx of about 1 MB whose main part expands to 1 GiB of zeros (built once per test process: ~5-10 s)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(zipfile.ZipInfo("[Content_Types].xml", date_time=DATE), "<Types/>")
        info = zipfile.ZipInfo("word/document.xml", date_time=DATE)
        info.compress_type = zipfile.ZIP_DEFLATED
        chunk = bytes(1024 * 1024)
        with archive.open(info, "w", force_zip64=True) as stream:
            for _ in range(1024):  # 1 GiB, written in 1 MiB chunks so memory stays small
                stream.write(chunk)
    return buffer.getvalue()


@functools.cache
def many_entries_docx(count: int = 20_000) -> bytes:
    """A real-looking .docx with `count` tiny parts."""
    members = {"[Content_Types].xml": "<Types/>", "word/document.xml": "<w:document/>"}
    members.update({f"word/media/part{number}.xml": "" for number in range(count)})
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        for name, content in members.items():
            archive.writestr(zipfile.ZipInfo(name, date_time=DATE), content)
    return buffer.getvalue()


def _ole_directory_entry(name: str, kind: int) -> bytes:
    encoded = (name + "\x00").encode("utf-16-le")
    return (
        encoded.ljust(64, b"\x00")
        + struct.pack("<HBB", len(encoded), kind, 1)  # name length, object type, colour
        + struct.pack("<III", 0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF)  # left, right, child
        + bytes(16 + 4 + 16)  # CLSID, state bits, times
        + struct.pack("<IQ", 0xFFFFFFFE, 0)  # start sector, size
    )


def encrypted_ole() -> bytes:
    """What Office writes for a password-protected .docx/.xlsx: an OLE2 compound file whose
    directory holds the EncryptionInfo and EncryptedPackage streams (the payload left out)."""
    header = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + bytes(16)  # CLSID
        + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)  # minor, major version, byte order, sector shifts
        + bytes(6)
        + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 0x1000, 0xFFFFFFFE, 0, 0xFFFFFFFE, 0)
    ).ljust(512, b"\xff")
    directory = b"".join(
        [
            _ole_directory_entry("Root Entry", 5),
            _ole_directory_entry("EncryptionInfo", 2),
            _ole_directory_entry("EncryptedPackage", 2),
            _ole_directory_entry("", 0),
        ]
    )
    return header + bytes(512) + directory


def old_ole() -> bytes:
    """An old .doc/.xls: an OLE2 compound file with no encryption stream."""
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(1024)
