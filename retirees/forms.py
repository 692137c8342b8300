from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Fieldset, Layout, Row
from django import forms
from django.forms import inlineformset_factory
from django.utils.translation import gettext_lazy as _

from core.dates import BIRTH, PAST, DateRangeMixin, local_today

from .choices import Status
from .fields import REGISTRY_FIELDS
from .models import HouseholdContact, Retiree
from .validators import mask_id_number, normalize_id_number, normalize_phone


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class PhoneField(forms.CharField):
    """A phone number typed any common way, stored as digits only."""

    def to_python(self, value):
        return normalize_phone(super().to_python(value))


class MaskedIdNumberField(forms.CharField):
    """An ID number shown masked: sent back unchanged, the stored number is kept; typed anew, it is checked.

    The masked text holds asterisks, which no valid ID number does, so it cannot be mistaken for one.
    """

    stored = ""

    def clean(self, value):
        if self.stored and value == mask_id_number(self.stored):
            return self.stored
        return super().clean(value)


class RetireeForm(DateRangeMixin, forms.ModelForm):
    date_ranges = {"birth_date": BIRTH}
    default_date_range = PAST

    phone = PhoneField(label=_("mobile phone"), required=False, max_length=30)
    phone_alt = PhoneField(label=_("other phone"), required=False, max_length=30)

    class Meta:
        model = Retiree
        fields = REGISTRY_FIELDS
        widgets = {
            "birth_date": DateInput(),
            "moved_on": DateInput(),
            "deceased_on": DateInput(),
            "consent_on": DateInput(),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }
        field_classes = {"id_number": MaskedIdNumberField}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = self.fields["branch"].queryset.visible_to(user)
        if not user.sees_all_branches:
            self.fields["branch"].empty_label = None
        self.fields["phone"].validators = Retiree._meta.get_field("phone").validators
        self.fields["phone_alt"].validators = Retiree._meta.get_field("phone_alt").validators
        # Nobody reads a stored ID number in full here (a reveal is a logged click on the retiree's page).
        self.fields["id_number"].stored = self.instance.id_number or ""
        if self.instance.id_number:
            self.initial["id_number"] = mask_id_number(self.instance.id_number)
            self.fields["id_number"].help_text = _(
                "Shown masked: leave it as it is to keep the number, or type a new one."
            )
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Fieldset(
                _("Basic information"),
                Row(
                    Column("name", css_class="col-md-4"),
                    Column("gender", css_class="col-md-2"),
                    Column("birth_date", css_class="col-md-3"),
                    Column("category", css_class="col-md-3"),
                ),
                Row(Column("branch", css_class="col-md-6"), Column("former_unit", css_class="col-md-6")),
            ),
            Fieldset(
                _("Contact"),
                Row(
                    Column("phone", css_class="col-md-4"),
                    Column("phone_alt", css_class="col-md-4"),
                    Column("wechat", css_class="col-md-4"),
                ),
                Row(
                    Column("residence_area", css_class="col-md-4"),
                    Column("community", css_class="col-md-4"),
                    Column("address", css_class="col-md-4"),
                ),
            ),
            Fieldset(
                _("Care"),
                Row(Column("living_situation", css_class="col-md-6"), Column("care_level", css_class="col-md-6")),
            ),
            Fieldset(
                _("Status and consent"),
                Row(
                    Column("status", css_class="col-md-4"),
                    Column("moved_on", css_class="col-md-4"),
                    Column("deceased_on", css_class="col-md-4"),
                ),
                Row(
                    Column("id_number", css_class="col-md-4"),
                    Column("consent_given", css_class="col-md-4 pt-md-4"),
                    Column("consent_on", css_class="col-md-4"),
                ),
                "notes",
            ),
        )

    def clean_name(self):
        return "".join(self.cleaned_data["name"].split())

    def clean_id_number(self):
        value = self.cleaned_data.get("id_number")
        return normalize_id_number(value) or None

    def clean(self):
        cleaned = super().clean()
        status = cleaned.get("status")
        today = local_today()
        if status == Status.DECEASED and not cleaned.get("deceased_on"):
            self.add_error("deceased_on", _("Enter the date of death of a deceased retiree."))
        if status != Status.DECEASED and cleaned.get("deceased_on"):
            self.add_error("deceased_on", _("A date of death is only for a deceased retiree."))
        if status != Status.MOVED and cleaned.get("moved_on"):
            self.add_error("moved_on", _("A moving date is only for a retiree who moved away."))
        for field in ("deceased_on", "moved_on", "consent_on"):
            if cleaned.get(field) and cleaned[field] > today:
                self.add_error(field, _("This date cannot be in the future."))
        if cleaned.get("consent_on") and not cleaned.get("consent_given"):
            self.add_error("consent_on", _("A consent date needs consent."))
        return cleaned


class HouseholdContactForm(forms.ModelForm):
    phone = PhoneField(label=_("phone"), max_length=30)

    class Meta:
        model = HouseholdContact
        fields = ["name", "relation", "phone", "lives_with_retiree", "is_primary", "notes"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["phone"].validators = HouseholdContact._meta.get_field("phone").validators


class BaseHouseholdContactFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        primaries = [
            form for form in self.forms if form.cleaned_data.get("is_primary") and not form.cleaned_data.get("DELETE")
        ]
        if len(primaries) > 1:
            raise forms.ValidationError(_("Only one household contact can be the first to call."))


HouseholdContactFormSet = inlineformset_factory(
    Retiree,
    HouseholdContact,
    form=HouseholdContactForm,
    formset=BaseHouseholdContactFormSet,
    extra=1,
    can_delete=True,
)
