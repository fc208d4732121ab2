from django.contrib import admin

from reference.models import Organisation, Register


@admin.register(Register)
class RegisterAdmin(admin.ModelAdmin):
    """The registers of organisations; coordinators manage them on /registre/."""

    list_display = ["key", "name", "code_pattern", "has_geometry"]
    search_fields = ["key", "name"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    """Members of the registers. The municipalities come from reference/data/municipalities.csv
    (`load_municipalities`); other registers are loaded on the register pages."""

    list_display = ["code", "name", "register", "region_name", "dst_group", "is_active"]
    list_filter = ["register", "region_name", "dst_group", "is_active", "is_synthetic"]
    search_fields = ["name", "code"]
    ordering = ["register", "code"]
