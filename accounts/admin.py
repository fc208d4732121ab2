"""Django admin for people and access. The audit log and API tokens are read-only here:
the audit log is append-only, and tokens are issued and revoked by their owner."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm
from django.utils.translation import gettext_lazy as _

from accounts.audit import client_ip
from accounts.models import ApiToken, AuditEvent, Invitation, Membership, User
from accounts.services import deactivate_user, set_password


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["municipality"]
    fields = ["municipality", "created_at"]
    readonly_fields = ["created_at"]


class PasswordChangeForm(AdminPasswordChangeForm):
    """The admin's "change password" through the one service (accounts.services.set_password),
    so a password set here also revokes the person's API tokens."""

    def set_password_and_save(self, user, commit=True, **kwargs):
        usable = self.cleaned_data.get("set_usable_password", True)
        set_password(user, self.cleaned_data["password1"] if usable else None)
        return user


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    change_password_form = PasswordChangeForm
    ordering = ["email"]
    list_display = ["email", "name", "role", "is_active", "is_staff", "date_joined", "last_login"]
    list_filter = ["role", "is_active", "is_staff", "is_superuser"]
    search_fields = ["email", "name", "memberships__municipality__name"]
    readonly_fields = ["date_joined", "last_login"]
    inlines = [MembershipInline]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Person"), {"fields": ["name", "phone", "role"]}),
        (
            _("Adgang"),
            {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]},
        ),
        (_("Datoer"), {"fields": ["date_joined", "last_login"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "role", "password1", "password2"]}),
    ]
    actions = ["deactivate"]

    @admin.action(description=_("Deaktivér (logger ud og tilbagekalder API-nøgler)"))
    def deactivate(self, request, queryset):
        for user in queryset:
            deactivate_user(user, actor=request.user, ip=client_ip(request))

    def save_model(self, request, obj, form, change):
        # Unticking "aktiv" must also end sessions and revoke tokens, not only block new logins.
        deactivating = change and "is_active" in form.changed_data and not obj.is_active
        if deactivating:
            obj.is_active = True
        super().save_model(request, obj, form, change)
        if deactivating:
            deactivate_user(obj, actor=request.user, ip=client_ip(request))


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "municipality", "invited_by", "created_at", "accepted_at"]
    list_filter = ["municipality__region_name", ("accepted_at", admin.EmptyFieldListFilter)]
    search_fields = ["email", "municipality__name", "municipality__code"]
    list_select_related = ["municipality", "invited_by"]
    readonly_fields = ["token", "created_at", "accepted_at", "user", "invited_by"]
    date_hierarchy = "created_at"


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "actor_email", "action", "object_type", "object_ref", "ip"]
    list_filter = ["action", "object_type"]
    search_fields = ["actor_email", "action", "object_ref"]
    date_hierarchy = "at"


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    list_display = ["name", "user", "prefix", "created_at", "last_used_at", "revoked_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "prefix", "user__email"]
    list_select_related = ["user"]
    exclude = ["digest"]
