from django.contrib.auth import views as auth_views
from django.urls import path

from apps.accounts import views
from apps.core.decorators import post_only

app_name = "accounts"

urlpatterns = [
    path("signup/", views.signup_view, name="signup"),
    path("signup/sent/", views.signup_done_view, name="signup_done"),
    path("invitations/<str:token>/", views.invitation_accept_view, name="invitation_accept"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", post_only("accounts:login")(auth_views.LogoutView.as_view()), name="logout"),
    path("account/", views.account_view, name="account"),
    path("account/password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("password-reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html"),
        name="password_reset_done",
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password-reset/done/",
        auth_views.PasswordResetCompleteView.as_view(template_name="accounts/password_reset_complete.html"),
        name="password_reset_complete",
    ),
]
