from django.urls import path

from apps.tenants import views

app_name = "tenants"

urlpatterns = [
    path("", views.dashboard_view, name="dashboard"),
    path("switch/", views.tenant_switch_view, name="switch"),
    path("workspaces/new/", views.workspace_new_view, name="workspace_new"),
    path("settings/", views.settings_profile_view, name="settings_profile"),
    path("settings/stock/", views.stock_settings_view, name="stock_settings"),
    path("settings/gst/", views.gst_settings_view, name="gst_settings"),
    path("settings/gstin-certificate/", views.gstin_certificate_view, name="gstin_certificate"),
    path(
        "settings/gstin-certificate/upload/",
        views.gstin_certificate_upload_view,
        name="gstin_certificate_upload",
    ),
    path("settings/team/", views.team_view, name="team"),
    path("settings/team/invite/", views.invitation_create_view, name="invitation_create"),
    path(
        "settings/team/invitations/<int:invitation_id>/revoke/",
        views.invitation_revoke_view,
        name="invitation_revoke",
    ),
    path("settings/team/members/<int:membership_id>/role/", views.member_role_view, name="member_role"),
    path("settings/team/members/<int:membership_id>/remove/", views.member_remove_view, name="member_remove"),
    path("settings/api-keys/", views.api_keys_view, name="api_keys"),
    path("settings/api-keys/<int:api_key_id>/revoke/", views.api_key_revoke_view, name="api_key_revoke"),
]
