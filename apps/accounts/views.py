"""Onboarding pages (signup, joining through an invitation) and one's own account.

The rules of these flows are services in `apps.accounts.services`; these views parse, call one and render.
"""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.views.decorators.http import require_GET, require_http_methods

from apps.accounts import services
from apps.accounts.forms import AccountForm, InvitedSignupForm, LoginForm, PasswordResetForm, SignupForm
from apps.accounts.models import User
from apps.accounts.selectors import user_exists
from apps.accounts.throttling import account_email_allowed
from apps.core.exceptions import ApplicationError
from apps.core.forms import form_add_service_error, service_error_text
from apps.core.rls import tenant_activate
from apps.tenants import services as tenant_services
from apps.tenants.access.session import active_tenant_choose
from apps.tenants.models import Membership

# Two backends are installed (axes' lockout check first); a person the app signs in itself, who just
# chose their password, is signed in by the one that holds accounts.
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


def log_in(request: HttpRequest, user: User) -> None:
    """Sign a person in without their password being asked again: the one place the app does so."""
    login(request, user, backend=MODEL_BACKEND)


@require_http_methods(["GET", "POST"])
def signup_view(request):
    """A new address gets its account; one that has an account gets the same answer (see user_signup)."""
    if request.user.is_authenticated:
        return redirect("tenants:dashboard")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.user_signup(
                email=data["email"],
                full_name=data["full_name"],
                password=data["password1"],
                tenant_kind=data["tenant_kind"],
                tenant_name=data["tenant_name"],
                state_code=data["state_code"],
                gstin=data["gstin"],
                send_email=account_email_allowed(request=request, email=data["email"], purpose="signup"),
            )
        except ValidationError as exc:
            form_add_service_error(form, exc)
        else:
            return redirect("accounts:signup_done")
    elif request.method == "POST":
        _signup_errors_add(form)
    status = 422 if form.errors else 200
    return render(request, "accounts/signup.html", {"form": form}, status=status)


def _signup_errors_add(form: SignupForm) -> None:
    """Add the service's verdict on the fields the form found valid, so every error shows in one round."""
    data = form.cleaned_data
    try:
        services.user_signup_check(
            email=data.get("email") or "",
            full_name=data.get("full_name") or "",
            password=data.get("password1") or "",
            tenant_kind=data.get("tenant_kind") or "",
            tenant_name=data.get("tenant_name") or "",
            state_code=data.get("state_code") or "",
            gstin=data.get("gstin") or "",
        )
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            if field in data and not form.has_error(field):
                form.add_error(field, messages)


@require_GET
def signup_done_view(request):
    return render(request, "accounts/signup_done.html")


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    form_class = LoginForm
    redirect_authenticated_user = True

    def get_default_redirect_url(self):
        """Platform admins land in Django admin; everyone else on their shop's dashboard."""
        if self.request.user.is_staff:
            return reverse("admin:index")
        return super().get_default_redirect_url()

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=422)


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:account")

    def form_valid(self, form):
        messages.success(self.request, "Your password has been changed.")
        return super().form_valid(form)

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=422)


class PasswordResetView(auth_views.PasswordResetView):
    """Answers the same for any address, known or not, and whether or not the e-mail budget is spent."""

    template_name = "accounts/password_reset.html"
    email_template_name = "accounts/email/password_reset.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")
    form_class = PasswordResetForm

    def form_valid(self, form):
        email = form.cleaned_data["email"]
        if account_email_allowed(request=self.request, email=email, purpose="password_reset"):
            return super().form_valid(form)
        return HttpResponseRedirect(self.get_success_url())


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")
    post_reset_login = False


@login_required
@require_http_methods(["GET", "POST"])
def account_view(request):
    form = AccountForm(request.POST or None, initial={"full_name": request.user.full_name})
    if request.method == "POST" and form.is_valid():
        services.user_update(user=request.user, full_name=form.cleaned_data["full_name"])
        messages.success(request, "Your details have been saved.")
        return redirect("accounts:account")
    return render(request, "accounts/account.html", {"form": form}, status=422 if form.errors else 200)


@require_http_methods(["GET", "POST"])
def invitation_accept_view(request, token: str):
    """Open to anyone holding the link: sign in or create an account, then join."""
    try:
        invitation = tenant_services.invitation_from_token(token)
    except ApplicationError as exc:
        return render(
            request, "accounts/invitation_invalid.html", {"error": service_error_text(exc)}, status=410
        )
    tenant_activate(invitation.tenant_id)  # the signed link names the workspace this request acts for
    form = None
    if request.user.is_authenticated:
        if request.method == "POST":
            return _joined(
                request, lambda: tenant_services.invitation_accept(invitation=invitation, user=request.user)
            )
    elif user_exists(email=invitation.email):
        context = {"invitation": invitation, "needs_login": True}
        return render(request, "accounts/invitation_accept.html", context)
    else:
        form = InvitedSignupForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                return _joined(
                    request,
                    lambda: services.invitation_accept_as_new_user(
                        invitation=invitation,
                        full_name=form.cleaned_data["full_name"],
                        password=form.cleaned_data["password1"],
                    ),
                )
            except ValidationError as exc:
                form_add_service_error(form, exc)
    context = {"invitation": invitation, "form": form}
    status = 422 if form and form.errors else 200
    return render(request, "accounts/invitation_accept.html", context, status=status)


def _joined(request, join):
    """Run the join; the newcomer is signed in (if new), works in the tenant from now on, and is welcomed."""
    try:
        membership: Membership = join()
    except ApplicationError as exc:
        return render(
            request, "accounts/invitation_invalid.html", {"error": service_error_text(exc)}, status=409
        )
    if not request.user.is_authenticated:
        log_in(request, membership.user)
    active_tenant_choose(request, membership.tenant_id)
    messages.success(request, f"Welcome to {membership.tenant.name}.")
    return redirect("tenants:dashboard")
