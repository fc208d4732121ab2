from django.contrib import admin

from reference.models import Municipality


@admin.register(Municipality)
class MunicipalityAdmin(admin.ModelAdmin):
    """Reference data from reference/data/municipalities.csv; updated by `load_municipalities`."""

    list_display = ["code", "name", "region_name", "dst_group", "is_synthetic"]
    list_filter = ["region_name", "dst_group", "is_synthetic"]
    search_fields = ["name", "code"]
    ordering = ["code"]
