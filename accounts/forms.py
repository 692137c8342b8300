from crispy_forms.layout import Column, Row
from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _

from core.sheets import SHEET_KINDS
from core.uploads import check_upload
from core.widgets import QuickSelect, form_helper

from . import access
from .choices import Position, Role
from .imports import MAX_UPLOAD_BYTES
from .models import User, branch_model


class LoginForm(AuthenticationForm):
    """Django's login form, with the user name's length checked before anyone is looked up.

    AuthenticationForm sets the field's max_length after the field is built, so no validator
    checks it: a 10,000-character name reached authenticate(), and the failed-login log (a
    255-character column) refused it with a server error.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["username"]
        field.validators.append(MaxLengthValidator(field.max_length))


class UserForm(forms.Form):
    """Add or edit a user: the fields of `services.user_create` / `user_update`."""

    name = forms.CharField(label=_("Name"), max_length=150)
    username = forms.CharField(
        label=_("User name"),
        max_length=150,
        validators=[UnicodeUsernameValidator()],
        help_text=_("What they type to sign in. A mobile number is easiest to remember."),
    )
    phone = forms.CharField(label=_("Mobile phone"), max_length=20, required=False)
    email = forms.EmailField(label=_("Email"), required=False)
    role = forms.ChoiceField(label=_("Role"))
    branch = forms.ModelChoiceField(label=_("Branch"), queryset=User.objects.none(), required=False, widget=QuickSelect)
    position = forms.ChoiceField(
        label=_("Position in branch"),
        choices=[("", "—"), *Position.choices],
        required=False,
        help_text=_("A branch has one secretary (书记): they sign off the branch's ledgers and receive its reminders."),
    )
    replace_secretary = forms.BooleanField(
        label=_("Replace the current secretary"),
        required=False,
        help_text=_("If the branch already has a secretary, they become a committee member (委员)."),
    )

    def __init__(self, *args, user, target: User | None = None, **kwargs):
        if target is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "name": target.get_full_name(),
                "username": target.username,
                "phone": target.phone,
                "email": target.email,
                "role": target.role,
                "branch": target.branch_id,
                "position": target.position,
            }
        super().__init__(*args, **kwargs)
        roles = access.assignable_roles(user)
        if target is not None and target.role not in roles:
            roles = [target.role]  # shown, not changeable (the service refuses anyway)
        self.fields["role"].choices = [(value, label) for value, label in Role.choices if value in roles]
        self.fields["role"].initial = self.fields["role"].initial or Role.BRANCH
        self.fields["branch"].queryset = branch_model().objects.visible_to(user).order_by("name")
        self.helper = form_helper(
            Row(Column("name", css_class="col-md-6"), Column("username", css_class="col-md-6")),
            Row(Column("phone", css_class="col-md-6"), Column("email", css_class="col-md-6")),
            "role",
            Row(Column("branch", css_class="col-md-6"), Column("position", css_class="col-md-6")),
            "replace_secretary",
        )

    def clean(self):
        data = super().clean()
        if data.get("role") == Role.BRANCH:
            if not data.get("branch"):
                self.add_error("branch", _("A branch worker needs a branch."))
            if not data.get("position"):
                self.add_error("position", _("A branch worker needs a position: secretary or committee member."))
        else:
            data["branch"], data["position"] = None, ""
        return data

    def service_kwargs(self) -> dict:
        return {key: self.cleaned_data[key] for key in self.fields}


class UserFilterForm(forms.Form):
    """The people list's filters, read from the query string (bad values are ignored)."""

    q = forms.CharField(label=_("Search"), max_length=50, required=False)
    role = forms.ChoiceField(
        label=_("Role"),
        choices=[("", _("All roles")), *Role.choices],
        required=False,
        widget=forms.Select(attrs={"class": "form-select form-select-lg"}),
    )
    branch = forms.ModelChoiceField(
        label=_("Branch"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("All branches"),
        widget=QuickSelect(attrs={"class": "form-select form-select-lg"}),
    )
    state = forms.ChoiceField(
        label=_("Accounts"),
        choices=[("active", _("In use")), ("inactive", _("Deactivated")), ("all", _("All"))],
        required=False,
        widget=forms.Select(attrs={"class": "form-select form-select-lg"}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = branch_model().objects.visible_to(user).order_by("name")

    def filters(self) -> dict:
        if not self.is_valid():
            return {"state": "active"}
        branch = self.cleaned_data.get("branch")
        return {
            "q": self.cleaned_data.get("q", "").strip(),
            "role": self.cleaned_data.get("role", ""),
            "branch_id": branch.pk if branch else None,
            "state": self.cleaned_data.get("state") or "active",
        }


class UserImportForm(forms.Form):
    file = forms.FileField(
        label=_("Users sheet (.xlsx or .csv)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )

    def clean_file(self):
        """Refused here, before anything parses it: by size, by content type, a zip bomb, a password."""
        upload = self.cleaned_data["file"]
        check_upload(upload, accept=SHEET_KINDS, max_bytes=MAX_UPLOAD_BYTES)
        return upload
