"""The weekly report as a PDF, drawn on the server by WeasyPrint from the page's own sections.

WeasyPrint (PyPI) lays the HTML out with Pango and embeds the subset of the Noto CJK font the
report uses, so the file prints the same on any machine; `scripts/services.sh` installs Pango and
the font where they are missing (Debian: libpango-1.0-0, libpangoft2-1.0-0, fonts-noto-cjk).
"""

import logging
from urllib.parse import quote

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string

STYLESHEETS = ["css/reports.css"]
# WeasyPrint logs each step of every document at INFO: noise in the server's log.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)


def quote_filename(name: str) -> str:
    return quote(name, safe="")


class PdfUnavailable(Exception):
    """WeasyPrint or the system libraries it loads (Pango) are missing on this server."""


def report_pdf(context: dict) -> bytes:
    """Two A4 pages or so: the sections as on the page, with the print stylesheet."""
    try:
        from weasyprint import CSS, HTML  # heavy to import: only when a PDF is asked for
    except (ImportError, OSError) as error:  # OSError: Pango not found by cffi
        raise PdfUnavailable(str(error)) from error

    html = render_to_string("reports/report_pdf.html", context)
    stylesheets = [CSS(filename=finders.find(path)) for path in STYLESHEETS]
    return HTML(string=html).write_pdf(stylesheets=stylesheets)
