"""Users import: read a sheet of people (name, phone, branch, position), check every row, plan.

Nothing here writes: `users_plan` returns the plan and every problem (row, column, message, all
translated), and `services.user_import_apply` writes a plan without problems in one transaction.
The sheet is read by core.sheets, through the one upload checker, as the roster import is.

A person signs in with their user name; a sheet without a 用户名 column gives each person their
mobile number as user name, which is what a secretary in their seventies remembers. A row whose
user name is already taken updates that user (name, phone, branch, position); the others add a
user with a temporary password, shown once after the import.
"""

import re
from dataclasses import dataclass, field

from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.names import split_name
from core.sheets import Problem, SheetError, clean_text, find_header, header_key, read_table, undo_neutralise

from . import access
from .choices import Position, Role
from .models import User, branch_model
from .services import secretary_taken_message

MAX_ROWS = 2000
MAX_UPLOAD_BYTES = 2 * 1024 * 1024

# Field key -> the template's header, and the other headers offices use for it.
COLUMNS = {
    "name": (gettext_lazy("Name"), ["姓名", "名字", "name"]),
    "phone": (gettext_lazy("Mobile phone"), ["手机", "手机号", "手机号码", "电话", "联系电话", "phone"]),
    "branch": (gettext_lazy("Branch"), ["支部", "党支部", "所属支部", "branch"]),
    "position": (gettext_lazy("Position"), ["职务", "支部职务", "position"]),
    "role": (gettext_lazy("Role"), ["角色", "role"]),
    "username": (gettext_lazy("User name"), ["用户名", "登录名", "账号", "username"]),
    "email": (gettext_lazy("Email"), ["邮箱", "电子邮箱", "email"]),
}
TEMPLATE_COLUMNS = ("name", "phone", "branch", "position")
REQUIRED = ("name",)
EXTRA_CHOICES = {
    "position": {"书记": Position.SECRETARY, "支书": Position.SECRETARY, "委员": Position.COMMITTEE},
    "role": {"办公室": Role.OFFICE, "工作人员": Role.OFFICE, "支部": Role.BRANCH},
}
_MOBILE = re.compile(r"^1\d{10}$")
_PHONE = re.compile(r"^\+?[\d-]{7,20}$")


@dataclass
class RowPlan:
    row: int
    user: User
    action: str  # "create", "update" or "unchanged"
    changes: list[str] = field(default_factory=list)


@dataclass
class UsersPlan:
    problems: list = field(default_factory=list)
    rows: list[RowPlan] = field(default_factory=list)

    def count(self, action: str) -> int:
        return sum(1 for row in self.rows if row.action == action)

    @property
    def summary(self) -> dict:
        return {action: self.count(action) for action in ("create", "update", "unchanged")}


_key = header_key


def header_aliases() -> dict[str, str]:
    aliases = {}
    for key, (label, names) in COLUMNS.items():
        for language in ("zh-hans", "en"):
            with translation.override(language):
                aliases[_key(label)] = key
        for name in names:
            aliases.setdefault(_key(name), key)
    return aliases


def _choice_aliases(choices, extras: dict) -> dict[str, str]:
    aliases = {}
    for value, label in choices.choices:
        aliases[_key(value)] = value
        for language in ("zh-hans", "en"):
            with translation.override(language):
                aliases[_key(str(label))] = value
    for alias, value in extras.items():
        aliases.setdefault(_key(alias), value)
    return aliases


def _label(key: str) -> str:
    return str(COLUMNS[key][0])


def template_headers() -> list[str]:
    """The headers of the downloadable template, required ones marked with *."""
    return [f"{_label(key)}{'*' if key in REQUIRED else ''}" for key in TEMPLATE_COLUMNS]


def users_plan(*, user, content: bytes, filename: str) -> UsersPlan:
    """Check every row of the sheet and plan what importing it would change (reads only)."""
    plan = UsersPlan()
    if not access.is_office(user):
        plan.problems.append(Problem(None, "", _("Only office staff may import users.")))
        return plan
    try:
        table = read_table(content, filename, max_rows=MAX_ROWS, max_bytes=MAX_UPLOAD_BYTES)
    except SheetError as error:
        plan.problems.append(Problem(None, "", str(error)))
        return plan
    header_index, columns = find_header(table, header_aliases())
    if header_index < 0:
        plan.problems.append(
            Problem(None, "", _("No header row found: the first rows must include a column named 姓名."))
        )
        return plan
    present = set(columns.values())
    if "username" not in present and "phone" not in present:
        plan.problems.append(
            Problem(
                None, _label("phone"), _("Add a 手机 column (the mobile number is the user name) or a 用户名 column.")
            )
        )
        return plan
    data = table[header_index + 1 :]
    if not data:
        plan.problems.append(Problem(None, "", _("The file has no rows below the header.")))
        return plan
    if len(data) > MAX_ROWS:
        plan.problems.append(Problem(None, "", _("The file has more than %(max)s rows.") % {"max": f"{MAX_ROWS:,}"}))
        return plan
    _Planner(plan, user, columns).run(data)
    return plan


class _Planner:
    """Parses the rows, matches them to existing users and checks the one-secretary rule across
    the whole sheet and the people already registered (a fixed number of queries)."""

    def __init__(self, plan: UsersPlan, user, columns: dict[int, str]):
        self.plan, self.user, self.columns = plan, user, columns
        self.branches = {}
        for branch in branch_model().objects.visible_to(user):
            self.branches[_key(branch.name)] = branch
            if branch.short_name:
                self.branches.setdefault(_key(branch.short_name), branch)
        self.positions = _choice_aliases(Position, EXTRA_CHOICES["position"])
        self.roles = _choice_aliases(Role, EXTRA_CHOICES["role"])
        self.assignable = access.assignable_roles(user)

    def problem(self, number, key, message):
        self.plan.problems.append(Problem(number, _label(key) if key else "", message))

    def run(self, data):
        parsed = []
        for number, values in data:
            row = {
                key: undo_neutralise(clean_text(values[position] if position < len(values) else None))
                for position, key in self.columns.items()
            }
            fields = self.parse(number, row)
            if fields is not None:
                parsed.append((number, fields))
        self.match(parsed)

    def parse(self, number, row) -> dict | None:
        before = len(self.plan.problems)
        name = "".join(row.get("name", "").split())
        if not name:
            self.problem(number, "name", _("This cell is required."))
        elif len(name) > 150:
            self.problem(number, "name", _("This name is too long."))
        phone = re.sub(r"[\s()（）]", "", row.get("phone", ""))
        if phone and not _PHONE.match(phone):
            self.problem(number, "phone", _("“%(value)s” is not a phone number.") % {"value": phone})
        username = row.get("username", "") or (phone if _MOBILE.match(phone) else "")
        if not username:
            self.problem(number, "phone", _("A mobile number (11 digits) or a user name is needed to sign in."))
        else:
            try:
                UnicodeUsernameValidator()(username)
                if len(username) > 150:
                    raise ValidationError("too long")
            except ValidationError:
                self.problem(
                    number,
                    "username",
                    _("“%(value)s” cannot be a user name: letters, digits and @.+-_ only.") % {"value": username},
                )
        branch = None
        if row.get("branch"):
            branch = self.branches.get(_key(row["branch"]))
            if branch is None:
                self.problem(number, "branch", _("There is no branch named “%(value)s”.") % {"value": row["branch"]})
        position = ""
        if row.get("position"):
            position = self.positions.get(_key(row["position"]))
            if position is None:
                self.problem(
                    number, "position", _("“%(value)s” is not one of: 书记、委员.") % {"value": row["position"]}
                )
        role = Role.BRANCH
        if row.get("role"):
            role = self.roles.get(_key(row["role"]))
            if role is None or role not in self.assignable:
                self.problem(number, "role", _("“%(value)s” is not a role you may give.") % {"value": row["role"]})
        if role == Role.BRANCH and not (row.get("branch") and row.get("position")):
            self.problem(number, "branch", _("A branch worker needs a branch and a position (书记 or 委员)."))
        if role != Role.BRANCH and (row.get("branch") or row.get("position")):
            self.problem(number, "role", _("Office staff have no branch or position: leave those cells empty."))
        email = row.get("email", "")
        if email:
            try:
                User._meta.get_field("email").run_validators(email)
            except ValidationError:
                self.problem(number, "email", _("“%(value)s” is not an email address.") % {"value": email})
        if len(self.plan.problems) > before:
            return None
        last_name, first_name = split_name(name)
        return {
            "username": username,
            "last_name": last_name,
            "first_name": first_name,
            "phone": phone,
            "email": email,
            "role": role,
            "branch": branch,
            "position": position if role == Role.BRANCH else "",
        }

    def match(self, parsed):
        usernames = {fields["username"] for _n, fields in parsed}
        existing = {u.username: u for u in User.objects.filter(username__in=usernames).select_related("branch")}
        # Every secretary now registered, to check the rule against the sheet as a whole.
        secretaries = {
            u.branch_id: u for u in User.objects.filter(position=Position.SECRETARY).select_related("branch")
        }
        seen: dict[str, int] = {}
        planned: list[tuple[int, dict, User | None]] = []
        for number, fields in parsed:
            if fields["username"] in seen:
                self.problem(
                    number,
                    "username" if "username" in self.columns.values() else "phone",
                    _("This person already appears in row %(row)s.") % {"row": seen[fields["username"]]},
                )
                continue
            seen[fields["username"]] = number
            current = existing.get(fields["username"])
            if current is not None and not access.may_manage_user(self.user, current):
                self.problem(
                    number,
                    "name",
                    _("%(name)s is an administrator: only an administrator may change them.") % {"name": current},
                )
                continue
            if (
                current is not None
                and current.role != fields["role"]
                and not access.may_change_own_standing(self.user, current)
            ):
                self.problem(number, "role", _("You cannot change your own role: ask another office worker."))
                continue
            planned.append((number, fields, current))

        # The one-secretary rule after the import: the sheet's secretaries, and the registered
        # ones the sheet does not move.
        moved = {current.pk for _n, _f, current in planned if current is not None}
        sheet_secretaries: dict[int, int] = {}
        for number, fields, _current in planned:
            if fields["position"] != Position.SECRETARY:
                continue
            branch_id = fields["branch"].pk
            if branch_id in sheet_secretaries:
                self.problem(
                    number,
                    "position",
                    _("Row %(row)s already names the secretary of %(branch)s: a branch has one secretary.")
                    % {"row": sheet_secretaries[branch_id], "branch": fields["branch"].name},
                )
                continue
            sheet_secretaries[branch_id] = number
            registered = secretaries.get(branch_id)
            if registered is not None and registered.pk not in moved and registered.username != fields["username"]:
                self.problem(number, "position", secretary_taken_message(registered))
        if self.plan.problems:
            return

        labels = {
            "username": _label("username"),
            "last_name": _label("name"),
            "first_name": _label("name"),
            "phone": _label("phone"),
            "email": _label("email"),
            "role": _label("role"),
            "branch": _label("branch"),
            "position": _label("position"),
        }
        for number, fields, current in planned:
            if current is None:
                self.plan.rows.append(RowPlan(number, User(**fields, is_staff=False), "create"))
                continue
            changed = []
            for key, value in fields.items():
                if key in ("phone", "email") and not value:
                    continue  # an empty cell leaves what is registered
                if getattr(current, key) != value:
                    changed.append(labels[key])
                    setattr(current, key, value)
            current.is_staff = current.role == Role.ADMIN
            changes = list(dict.fromkeys(changed))
            self.plan.rows.append(RowPlan(number, current, "update" if changes else "unchanged", changes))
