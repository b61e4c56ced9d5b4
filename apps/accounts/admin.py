from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from apps.accounts.models import User
from apps.core.admin import ReadOnlyInline
from apps.tenants.models import Membership


class MembershipInline(ReadOnlyInline):
    """Shown only: roles change through the membership actions, which keep the last owner and audit."""

    model = Membership
    fk_name = "user"
    fields = ["tenant", "role", "created_at"]
    readonly_fields = fields
    show_change_link = True


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["email"]
    list_display = [
        "email",
        "full_name",
        "is_active",
        "is_staff",
        "is_superuser",
        "date_joined",
        "last_login",
    ]
    list_filter = ["is_active", "is_staff", "is_superuser", "date_joined"]
    search_fields = ["email", "full_name"]
    readonly_fields = ["date_joined", "last_login"]
    inlines = [MembershipInline]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Person", {"fields": ["full_name"]}),
        (
            "Platform rights",
            {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]},
        ),
        ("Dates", {"fields": ["date_joined", "last_login"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "full_name", "password1", "password2"]})
    ]
