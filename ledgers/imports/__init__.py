"""Importing the office's own files: the roster, household contacts and each ledger.

- `reading`: the import's limits on a file, its free-text cells and its dates (the rows are
  read by core.sheets, through the app's one upload checker);
- `vocabularies`: what the office's words mean (aliases, branch names, remembered mappings);
- `engine`: one checker and writer for every kind (header, cells, problems, prompts, changes);
- `kinds`: one spec per importable thing;
- `runs`: an upload's check and import, for the worker or the request.
"""

from . import vocabularies
from .engine import CREATE, UNCHANGED, UPDATE, check_file, template_headers, template_workbook
from .kinds import KINDS
from .reading import ACCEPTED, MAX_ROWS, MAX_UPLOAD_BYTES, parse_date

__all__ = [
    "ACCEPTED",
    "CREATE",
    "KINDS",
    "MAX_ROWS",
    "MAX_UPLOAD_BYTES",
    "UNCHANGED",
    "UPDATE",
    "check_file",
    "parse_date",
    "template_headers",
    "template_workbook",
    "vocabularies",
]
