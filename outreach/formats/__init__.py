"""How dates are written, per language, in one place (settings.FORMAT_MODULE_PATH).

A date is 2026-11-29 in every language (as the office writes it and as it sorts); a day without
its year is 11月29日 in Chinese. Templates name these formats, never a pattern: `{{ d|date }}`,
`{{ d|date:"MONTH_DAY_FORMAT" }}`, `{{ t|date:"DATETIME_FORMAT" }}` (tests/test_date_formats.py);
a date written into a URL or a form field stays ISO (`|date:'Y-m-d'`, in single quotes).
Formats not set here are Django's for the language.
"""
