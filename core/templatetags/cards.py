"""`{% cards %}…{% endcards %}`: a table that becomes one labelled card per row on a phone.

Wrap a table once; the tag copies each column's header into the `data-label` of that column's
cells, which the phone layout (static/css/app.css, `.table-cards`) writes before each value. So a
table's labels are written once, in its header, whether its rows come from the template or from
Python (the coverage rows), and no template repeats them cell by cell.

    {% cards lead="2 6" tail="1" sticky=2 %}<table class="table">…</table>{% endcards %}

- lead: the columns (counted from 1) a card starts with, in that order; the first is the card's
  title, shown without its label.
- tail: columns a card ends with (a row number).
- sticky: on wider screens, how many first columns stay in view when the table scrolls sideways.

A cell that spans columns (a "nothing found" row) or already has a `data-label` is left as it
is; an empty cell is marked so that the card leaves out its line, and a cell with words in it
(six letters in a row) so that a squeezed table keeps room for them. Tables must not nest.
"""

import html
import re

from django import template
from django.utils.html import escape, strip_tags
from django.utils.safestring import mark_safe

register = template.Library()

# The opening tags the rewrite looks at, and the one closing tag it needs (the header's end): a
# 1,000-row table's other closing tags are left out of the match, half the callbacks.
_TAG = re.compile(r"<(/(?=thead\b))?(table|thead|tbody|tfoot|tr|th|td)\b([^>]*)>", re.IGNORECASE)
_CLASS = re.compile(r'\bclass="([^"]*)"')
_COLSPAN = re.compile(r'\bcolspan="?(\d+)')
_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)
# Words that need room in a squeezed table: six letters (or characters) in a row, not a number or date.
_WORDS = re.compile(r"[^\W\d_]{6}")


def _columns(value) -> list[int]:
    return [int(number) for number in str(value or "").split()]


def _colspan(attrs: str) -> int:
    match = _COLSPAN.search(attrs)
    return int(match.group(1)) if match else 1


def _add_class(attrs: str, name: str) -> str:
    if _CLASS.search(attrs):
        return _CLASS.sub(lambda match: f'class="{match.group(1)} {name}"', attrs, count=1)
    return f'{attrs} class="{name}"'


def _text(fragment: str) -> str:
    """A header's words: its text without tags, a line break read as a space."""
    return " ".join(html.unescape(strip_tags(_BREAK.sub(" ", fragment))).split())


_ANY_TAG = re.compile(r"<[^>]*>")


def _cell_text(fragment: str) -> str:
    """A body cell's text, for the words check only: tags dropped by a regular expression, not by
    strip_tags's HTML parser, which cost more than the rest of a 1,000-row table's rendering."""
    if "<" in fragment:
        fragment = _ANY_TAG.sub(" ", fragment)
    if "&" in fragment:
        fragment = html.unescape(fragment)
    return fragment


def _header_labels(table: str) -> list[str]:
    """The label of each column: the cells of the header's last row, spread over their colspan."""
    thead = re.search(r"<thead\b[^>]*>(.*?)</thead>", table, re.IGNORECASE | re.DOTALL)
    if thead is None:
        return []
    rows = re.findall(r"<tr\b[^>]*>(.*?)</tr>", thead.group(1), re.IGNORECASE | re.DOTALL) or [thead.group(1)]
    labels = []
    for cell in re.finditer(r"<th\b([^>]*)>(.*?)</th>", rows[-1], re.IGNORECASE | re.DOTALL):
        labels += [_text(cell.group(2))] * _colspan(cell.group(1))
    return labels


def card_table(table: str, *, lead=(), tail=(), sticky: int = 0) -> str:
    """The table's HTML with the card classes and each body cell's label (see the module docstring)."""
    labels = _header_labels(table)
    # Escaped once per column, not once per cell (a 1,000-row table has 9,000 cells).
    label_attrs = [f' data-label="{escape(label)}"' if label else "" for label in labels]
    roles = {column: "card-title" if position == 0 else "card-lead" for position, column in enumerate(lead)}
    roles.update({column: "card-tail" for column in tail})
    state = {"head": False, "column": 0}

    def rewrite(match: re.Match) -> str:
        closing, name, attrs = match.group(1), match.group(2).lower(), match.group(3)
        if name == "table" and not closing:
            classes = "table-cards" + (f" table-sticky-{sticky}" if sticky else "")
            return f"<table{_add_class(attrs, classes)}>"
        if name == "thead":
            state["head"] = not closing
        elif name == "tr" and not closing:
            state["column"] = 0
        elif name in ("td", "th") and not closing and not state["head"]:
            column = state["column"] + 1
            span = _colspan(attrs) if "colspan" in attrs else 1
            state["column"] += span
            if span == 1:
                end = table.find(f"</{name}>", match.end())
                content = table[match.end() : end]
                classes = []  # added at once: one rewrite of the class attribute a cell
                if content.strip() == "":
                    classes.append("card-empty")
                elif _WORDS.search(_cell_text(content)):
                    classes.append("cell-words")
                if column in roles:
                    classes.append(roles[column])
                if classes:
                    attrs = _add_class(attrs, " ".join(classes))
                if column <= len(label_attrs) and "data-label=" not in attrs:
                    attrs += label_attrs[column - 1]
            return f"<{name}{attrs}>"
        return match.group(0)

    return _TAG.sub(rewrite, table)


class CardsNode(template.Node):
    def __init__(self, nodelist, options):
        self.nodelist = nodelist
        self.options = options

    def render(self, context):
        options = {name: value.resolve(context) for name, value in self.options.items()}
        return mark_safe(  # noqa: S308 (rendered template HTML, with escaped labels added)
            card_table(
                self.nodelist.render(context),
                lead=_columns(options.get("lead")),
                tail=_columns(options.get("tail")),
                sticky=int(options.get("sticky") or 0),
            )
        )


@register.tag
def cards(parser, token):
    """{% cards [lead="…"] [tail="…"] [sticky=N] %}<table>…</table>{% endcards %}"""
    options = {}
    for bit in token.split_contents()[1:]:
        name, sep, value = bit.partition("=")
        if not sep or name not in ("lead", "tail", "sticky"):
            raise template.TemplateSyntaxError(f"cards: unknown option {bit!r} (lead, tail, sticky)")
        options[name] = parser.compile_filter(value)
    nodelist = parser.parse(("endcards",))
    parser.delete_first_token()
    return CardsNode(nodelist, options)
