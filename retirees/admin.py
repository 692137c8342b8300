from django.contrib import admin

from core.admin import ReadOnlyAdmin

from . import services
from .models import Area, HouseholdContact, RegistryChange, Retiree


class HouseholdContactInline(admin.TabularInline):
    model = HouseholdContact
    extra = 0


@admin.register(Retiree)
class RetireeAdmin(admin.ModelAdmin):
    list_display = ["name", "gender", "birth_date", "category", "branch", "residence_area", "care_level", "status"]
    list_filter = ["branch", "category", "residence_area", "care_level", "status"]
    list_select_related = ["branch"]
    search_fields = ["name", "name_pinyin", "name_initials", "phone"]
    readonly_fields = ["name_pinyin", "name_initials", "created_at", "updated_at", "created_by"]
    inlines = [HouseholdContactInline]

    def save_model(self, request, obj, form, change):
        services.retiree_set_search_keys(retiree=obj)
        super().save_model(request, obj, form, change)


@admin.register(HouseholdContact)
class HouseholdContactAdmin(admin.ModelAdmin):
    list_display = ["name", "relation", "retiree", "is_primary"]
    list_select_related = ["retiree"]
    search_fields = ["name", "retiree__name"]


@admin.register(Area)
class AreaAdmin(ReadOnlyAdmin):
    """The residence areas rows are addressed to: made when first chosen, never edited."""

    list_display = ["code", "__str__"]


@admin.register(RegistryChange)
class RegistryChangeAdmin(ReadOnlyAdmin):
    """Read only: written by the database's trigger (retirees 0006), folded when page anchors are made."""

    list_display = ["id", "xid", "weight"]
