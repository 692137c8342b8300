"""The call list's row as HTML: the one place its markup lives.

A secretary's home page shows fifty of these rows. Through the template engine (an include per
row, some sixty variable lookups, filters and tags each) they took over a millisecond a row, more
than the queries behind them; built here from `presenters.call_rows` dicts with plain string
formatting they take a few hundredths of a millisecond. The list (`{% call_rows %}`) and the row
sent back after a quick log (`{% call_row %}`, checkins/_call_row.html) both come from
`call_rows_html`.

Two kinds of row:
- a call is due (overdue, due today, a call back asked): a compact row with the big buttons, the
  details behind a tap on "More";
- anyone else (reached this cycle, exempt) folds to one line, a <details> that opens on a tap
  without JavaScript; it stays open while a round (摸排) still asks something of them, so that
  the one tap to confirm is in view.
The notices to hand over and the rounds' asks (a few rows at most) stay in the template
checkins/_call_row_extras.html, rendered for the rows that have them.

Every value from a row is escaped here (`_escaped`), the labels once per page.
"""

from collections.abc import Callable
from dataclasses import dataclass
from html import escape


@dataclass(frozen=True)
class RowsPage:
    """What every row of one page shares, escaped once: the labels (presenters.call_row_labels),
    the form's CSRF input, where the forms return to, and the state of a row just tapped."""

    labels: dict
    csrf_input: str
    next_path: str
    next_query: str
    branch_input: str
    just_logged: str = ""
    just_confirmed: bool = False
    confirm_error: bool = False


def rows_page(
    *,
    labels: dict,
    csrf_input: str,
    next_path: str,
    next_query: str,
    branch_pk: int | None,
    just_logged: str = "",
    just_confirmed: bool = False,
    confirm_error: bool = False,
) -> RowsPage:
    return RowsPage(
        labels={key: escape(str(label)) for key, label in labels.items()},
        csrf_input=csrf_input,
        next_path=escape(next_path),
        next_query=escape(next_query),
        branch_input=f'<input type="hidden" name="branch" value="{int(branch_pk)}">' if branch_pk else "",
        just_logged=escape(just_logged or ""),
        just_confirmed=bool(just_confirmed),
        confirm_error=bool(confirm_error),
    )


# extras(row, deliveries, checks) -> the HTML of checkins/_call_row_extras.html for that row.
Extras = Callable[[dict, list | None, list | None], str]


def call_rows_html(rows: list[dict], page: RowsPage, notices: dict, checks: dict, extras: Extras) -> str:
    """The rows, one after another; `notices` and `checks` are the page's pending notice deliveries
    and round checks by retiree id (care_tags.pending_notices, checkins_tags.round_checks)."""
    parts = []
    for row in rows:
        pk = row["pk"]
        row_notices, row_checks = notices.get(pk) if notices else None, checks.get(pk) if checks else None
        # The extras template prints nothing for a row without notices, asks or a tap's answer.
        has_extras = row_notices or row_checks or page.just_confirmed or page.confirm_error
        extras_html = extras(row, row_notices, row_checks) if has_extras else ""
        build = _due_row if row["call_due"] else _folded_row
        parts.append(build(_escaped(row), page, bool(row_notices), bool(row_checks), extras_html))
    return "".join(f"\n{part}\n" for part in parts)  # each on lines of its own, as an include left it


def _escaped(row: dict) -> dict:
    """The row's text values escaped for HTML (numbers and flags as they are)."""
    escaped = {key: escape(value) if isinstance(value, str) else value for key, value in row.items()}
    if row["household"]:
        escaped["household"] = {key: escape(value) for key, value in row["household"].items()}
    return escaped


def _logged_text(page: RowsPage) -> str:
    key = "logged_all_well" if page.just_logged == "all_well" else "logged_no_answer"
    return page.labels[key]


def _due_row(row: dict, page: RowsPage, has_notices: bool, has_checks: bool, extras: str) -> str:
    """A call is due: name and phone on top, a status line (More opens the details), the buttons."""
    labels, pk = page.labels, row["pk"]
    classes, attributes = "", ""
    if row["attention"]:
        classes, attributes = classes + " call-row-attention", attributes + " data-attention"
    if row["callback"]:
        classes, attributes = classes + " call-row-callback", attributes + " data-callback"
    has_note = row["escalation"] or row["follow_up_on"] or row["attention_why"] or row["callback_why"]

    status = '    <span class="call-status-line">'
    if row["callback"]:
        status += (
            '<span class="badge text-bg-primary callback-badge"><i class="bi bi-telephone-inbound-fill" '
            f'aria-hidden="true"></i> {labels["callback"]}</span>'
        )
    if row["attention"]:
        status += (
            f'<span class="badge text-bg-danger attention-badge" title="{labels["attention"]}">'
            '<i class="bi bi-exclamation-triangle-fill" aria-hidden="true"></i>'
            f'<span class="visually-hidden">{labels["attention"]}</span></span>'
        )
    lines = [
        f'<div class="list-group-item call-row call-row-due-now call-row-{row["due_state"]}{classes}" '
        f'id="call-row-{pk}" tabindex="-1" data-retiree="{pk}" data-due-state="{row["due_state"]}"{attributes}>',
        '  <div class="call-row-head">',
        f'    <a class="retiree-name" href="{row["url"]}">{row["name"]}</a>',
    ]
    if row["phone"]:
        lines.append(
            f'    <a class="btn btn-outline-success call-phone d-print-none" href="tel:{row["phone"]}">'
            f'<i class="bi bi-telephone-fill"></i> {row["phone"]}</a>'
        )
    lines += [
        "  </div>",
        f'  <details class="call-more"{" open" if page.just_confirmed or page.confirm_error else ""}>'
        f'<summary class="call-status{" call-status-two" if has_note else ""}">',
        status,
        f'    <span class="badge {row["due_badge"]}">{row["due_label"]}</span>',
    ]
    if row["unreachable"]:
        lines.append(
            '    <span class="badge text-bg-danger"><i class="bi bi-exclamation-octagon"></i> '
            f"{labels['unreachable']}</span>"
        )
    if has_checks:
        lines.append(
            '    <span class="badge text-bg-info" data-round-pending><i class="bi bi-clipboard-check" '
            f'aria-hidden="true"></i> {labels["round_pending"]}</span>'
        )
    if has_notices:
        lines.append(
            '    <span class="badge text-bg-primary"><i class="bi bi-envelope-paper" aria-hidden="true"></i> '
            f"{labels['notice_pending']}</span>"
        )
    if row["last_contact_brief"]:
        lines.append(f'    <span class="last-contact">{labels["last_short"]} {row["last_contact_brief"]}</span></span>')
    else:
        lines.append(f'    <span class="last-contact">{row["never_reached"]}</span></span>')
    if has_note:
        note = ""
        if row["callback_why"]:
            note += (
                f'<span class="text-primary fw-semibold callback-why" data-callback-why>{row["callback_why"]}</span> '
            )
        if row["escalation"]:
            note += (
                '<span class="text-danger fw-semibold escalation"><i class="bi bi-arrow-up-right-circle" '
                f'aria-hidden="true"></i> {row["escalation"]}</span> '
            )
        if row["follow_up_on"]:
            note += (
                '<span class="text-primary call-follow-up"><i class="bi bi-flag" aria-hidden="true"></i> '
                f"{labels['follow_up_on']} {row['follow_up_on']}</span> "
            )
        if row["attention_why"]:
            note += f'<span class="attention-why" data-attention-why>{row["attention_why"]}</span>'
        lines.append(f'    <span class="call-status-line call-status-note">{note}</span>')
    lines += [
        f'    <span class="call-more-hint d-print-none">{labels["more"]} '
        '<i class="bi bi-chevron-down" aria-hidden="true"></i></span>',
        "  </summary>",
        '  <div class="call-more-body">',
        f'    <div class="call-facts">{row["facts"]}</div>',
    ]
    if row["last_contact"]:
        lines.append(
            '    <div class="last-contact small"><i class="bi bi-clock-history"></i> '
            f"{labels['last_contact']} {row['last_contact']}</div>"
        )
    household = row["household"]
    if row["phone_alt"] or household:
        lines.append('    <div class="d-flex flex-wrap gap-2 mt-1">')
        if row["phone_alt"]:
            lines.append(
                f'    <a class="btn btn-outline-success btn-lg-touch" href="tel:{row["phone_alt"]}">'
                f'<i class="bi bi-telephone"></i> {row["phone_alt"]}</a>'
            )
        if household:
            lines.append(
                f'    <a class="btn btn-outline-secondary btn-lg-touch" href="tel:{household["phone"]}">'
                f'<i class="bi bi-people"></i> {household["name"]} ({household["relation"]})</a>'
            )
        lines.append("    </div>")
    if extras:
        lines.append(f"    {extras}")
    lines += [
        "  </div></details>",
        f'  <form method="post" action="{row["quick_log_url"]}" class="call-actions quick-log d-print-none"',
        f'        hx-post="{row["quick_log_url"]}" hx-target="#call-row-{pk}" hx-swap="outerHTML">',
        f'    {page.csrf_input}<input type="hidden" name="next" value="{page.next_path}">{page.branch_input}',
        '    <button type="submit" name="result" value="all_well" class="btn btn-success" data-quick-log="all_well">'
        f'<i class="bi bi-check-lg"></i> {labels["reached_all_well"]}</button>',
        '    <button type="submit" name="result" value="no_answer" class="btn btn-outline-danger" '
        f'data-quick-log="no_answer">{labels["no_answer"]}</button>',
        f'    <a class="btn btn-outline-primary" href="{row["contact_url"]}?next={page.next_query}" '
        f'title="{labels["log_details"]}" data-log-details>{labels["log_problem"]}</a>',
        "  </form>",
    ]
    if page.just_logged:
        lines.append(
            f'  <div class="alert alert-success py-1 mt-2 mb-0" role="status" data-just-logged="{page.just_logged}">'
            f'<i class="bi bi-check-circle-fill"></i> {_logged_text(page)}</div>'
        )
    lines.append("</div>")
    return "\n".join(lines)


def _folded_row(row: dict, page: RowsPage, has_notices: bool, has_checks: bool, extras: str) -> str:
    """No call due: one line (name, state, last contact day) that opens on a tap to the details."""
    labels, pk = page.labels, row["pk"]
    attention = row["attention"]
    is_open = has_checks or page.just_confirmed or page.confirm_error
    lines = [
        f'<details class="list-group-item call-row call-row-folded call-row-{row["due_state"]}'
        f'{" call-row-attention" if attention else ""}" id="call-row-{pk}" tabindex="-1" data-retiree="{pk}" '
        f'data-due-state="{row["due_state"]}"{" data-attention" if attention else ""}{" open" if is_open else ""}>',
        f'  <summary class="call-row-summary"><span class="retiree-name">{row["name"]}</span>',
    ]
    if attention:
        lines.append(
            '    <span class="badge text-bg-danger attention-badge"><i class="bi bi-exclamation-triangle-fill"></i> '
            f"{labels['attention']}</span>"
        )
    day = f' <span class="text-muted small">{row["last_contact_day"]}</span>' if row["last_contact_day"] else ""
    lines.append(f'    <span class="badge {row["due_badge"]}">{row["due_label"]}</span>{day}')
    if page.just_logged:
        lines.append(
            f'    <span class="text-success fw-semibold" role="status" data-just-logged="{page.just_logged}">'
            f'<i class="bi bi-check-circle-fill"></i> {_logged_text(page)}</span>'
        )
    lines.append("  </summary>")
    if row["attention_why"]:
        lines.append(f'  <div class="attention-why" data-attention-why>{row["attention_why"]}</div>')
    lines.append(f'  <div class="call-facts">{row["facts"]}</div>')
    if row["last_contact"]:
        lines.append(
            '  <div class="last-contact small"><i class="bi bi-clock-history"></i> '
            f"{labels['last_contact']} {row['last_contact']}</div>"
        )
    if row["follow_up_on"]:
        lines.append(
            '  <div class="small text-primary"><i class="bi bi-flag"></i> '
            f"{labels['follow_up_on']} {row['follow_up_on']}</div>"
        )
    lines += [
        '  <div class="d-flex flex-wrap gap-2 mt-2 d-print-none">',
        f'    <a class="btn btn-outline-secondary" href="{row["url"]}"><i class="bi bi-person"></i> {row["name"]}</a>',
    ]
    if row["phone"]:
        lines.append(
            f'    <a class="btn btn-outline-success" href="tel:{row["phone"]}"><i class="bi bi-telephone-fill"></i> '
            f"{row['phone']}</a>"
        )
    if row["phone_alt"]:
        lines.append(
            f'    <a class="btn btn-outline-success" href="tel:{row["phone_alt"]}"><i class="bi bi-telephone"></i> '
            f"{row['phone_alt']}</a>"
        )
    household = row["household"]
    if household:
        lines.append(
            f'    <a class="btn btn-outline-secondary" href="tel:{household["phone"]}"><i class="bi bi-people"></i> '
            f"{household['name']} ({household['relation']})</a>"
        )
    lines += [
        f'    <a class="btn btn-outline-primary" href="{row["contact_url"]}?next={page.next_query}" data-log-details>'
        f'<i class="bi bi-pencil-square"></i> {labels["log_details"]}</a>',
        "  </div>",
    ]
    if extras:
        lines.append(f"  {extras}")
    lines.append("</details>")
    return "\n".join(lines)
