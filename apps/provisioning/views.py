"""Projects: the list, and each project's Infrastructure and Application tabs."""

from __future__ import annotations

import json
from datetime import timedelta

from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from apps.core.decorators import post_only
from apps.core.exceptions import ApplicationError
from apps.core.forms import form_add_service_error
from apps.provisioning import aws, pricing, selectors, services
from apps.provisioning.forms import AwsAccountForm, DeployForm, ExtendForm, ProjectForm
from apps.provisioning.models import Operation
from apps.tenants.access.decorators import tenant_view
from apps.tenants.models import Role

ACTION_DONE = {
    Operation.Action.PROVISION: "Provisioning has started.",
    Operation.Action.DESTROY: "Destroying has started.",
    Operation.Action.DEPLOY_APP: "The application is being deployed.",
    Operation.Action.PURGE_APP: "The application is being purged.",
}


def _estimates() -> list[dict]:
    """Each tier's upper bound in each allowed region, for the form."""
    rows = []
    for tier, caps in pricing.TIERS.items():
        for region in settings.AWS_ALLOWED_REGIONS:
            rows.append({"tier": tier, "label": caps.label, "region": region,
                         "total": pricing.estimate(tier=tier, region=region).total})  # fmt: skip
    return rows


@require_http_methods(["GET", "POST"])
@tenant_view()
def project_list_view(request):
    tenant = request.tenant
    can_create = request.membership.has_role(Role.ADMIN)
    form = ProjectForm(request.POST or None)
    if request.method == "POST":
        if not can_create:
            return render(request, "403.html", status=403)
        if form.is_valid():
            try:
                project = services.project_create(tenant=tenant, actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                form_add_service_error(form, exc)
            else:
                messages.success(request, f"Project {project.name} is ready to provision.")
                return redirect("provisioning:infrastructure", project_id=project.pk)
    context = {
        "projects": selectors.project_list(tenant=tenant),
        "usage": services.quota_usage(tenant=tenant),
        "form": form,
        "can_create": can_create,
        "estimates": _estimates(),
        "aws_account": selectors.aws_account_get(tenant=tenant),
        "is_owner": request.membership.has_role(Role.OWNER),
    }
    return render(request, "provisioning/project_list.html", context, status=422 if form.errors else 200)


def _project_context(request, project) -> dict:
    operations = list(selectors.operation_list(project=project)[:10])
    operation = operations[0] if operations else None
    now = timezone.now()
    return {
        "project": project,
        "estimate": pricing.estimate(tier=project.tier, region=project.region),
        "resources": selectors.resource_list(project=project),
        "operation": operation,
        "operations": operations,
        "active": operation is not None and operation.state in Operation.ACTIVE,
        "failed_operation": next((op for op in operations if op.state == Operation.State.FAILED), None),
        "expiring_soon": bool(project.expires_at and project.expires_at - now < timedelta(minutes=10)),
        "timeout_minutes": settings.RESOURCE_TIMEOUT_MINUTES,
        "usage": services.quota_usage(tenant=request.tenant),
        "aws_account": selectors.aws_account_get(tenant=request.tenant)
        if project.infra_state == "new"
        else None,
        "can_manage": request.membership.has_role(Role.ADMIN),
        "extend_form": ExtendForm(),
        "deploy_form": DeployForm(),
    }


@require_GET
@tenant_view()
def infrastructure_view(request, project_id: int):
    project = selectors.project_get(tenant=request.tenant, project_id=project_id)
    context = {**_project_context(request, project), "tab": "infrastructure"}
    return render(request, "provisioning/project_infrastructure.html", context)


@require_GET
@tenant_view()
def application_view(request, project_id: int):
    project = selectors.project_get(tenant=request.tenant, project_id=project_id)
    context = {**_project_context(request, project), "tab": "application"}
    return render(request, "provisioning/project_application.html", context)


@require_GET
@tenant_view()
def project_status_view(request, project_id: int):
    """The live part of a project page (state, progress, resources), polled by htmx while work runs."""
    project = selectors.project_get(tenant=request.tenant, project_id=project_id)
    context = {**_project_context(request, project), "tab": request.GET.get("tab", "infrastructure")}
    return render(request, "provisioning/partials/_status.html", context)


def _request(request, project_id: int, action: str, back: str, **extra):
    project = selectors.project_get(tenant=request.tenant, project_id=project_id)
    try:
        services.operation_request(
            tenant=request.tenant, actor=request.user, project=project, action=action, **extra
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, ACTION_DONE[action])
    return redirect(back, project_id=project.pk)


@post_only("provisioning:infrastructure", "project_id")
@tenant_view(Role.ADMIN)
def provision_view(request, project_id: int):
    return _request(request, project_id, Operation.Action.PROVISION, "provisioning:infrastructure")


@post_only("provisioning:infrastructure", "project_id")
@tenant_view(Role.ADMIN)
def destroy_view(request, project_id: int):
    return _request(request, project_id, Operation.Action.DESTROY, "provisioning:infrastructure")


@post_only("provisioning:application", "project_id")
@tenant_view(Role.ADMIN)
def deploy_view(request, project_id: int):
    """A refused bundle re-renders the Application tab with the reason under the form (422)."""
    project = selectors.project_get(tenant=request.tenant, project_id=project_id)
    form = DeployForm(request.POST, request.FILES)
    if form.is_valid():
        bundle = form.cleaned_data["bundle"] if form.cleaned_data["source"] == "bundle" else None
        try:
            services.operation_request(
                tenant=request.tenant, actor=request.user, project=project,
                action=Operation.Action.DEPLOY_APP, bundle=bundle,
            )  # fmt: skip
        except ValidationError as exc:
            form_add_service_error(form, exc)
        except ApplicationError as exc:  # a state the tab shows instead of the form
            messages.error(request, exc.message)
            return redirect("provisioning:application", project_id=project.pk)
        else:
            messages.success(request, ACTION_DONE[Operation.Action.DEPLOY_APP])
            return redirect("provisioning:application", project_id=project.pk)
    context = {**_project_context(request, project), "tab": "application", "deploy_form": form}
    return render(request, "provisioning/project_application.html", context, status=422)


@post_only("provisioning:application", "project_id")
@tenant_view(Role.ADMIN)
def purge_view(request, project_id: int):
    """Purge from either tab, and come back to it (from Infrastructure, the Destroy button is next)."""
    back = "infrastructure" if request.POST.get("back") == "infrastructure" else "application"
    return _request(request, project_id, Operation.Action.PURGE_APP, f"provisioning:{back}")


@post_only("provisioning:infrastructure", "project_id")
@tenant_view(Role.ADMIN)
def extend_view(request, project_id: int):
    project = selectors.project_get(tenant=request.tenant, project_id=project_id)
    form = ExtendForm(request.POST)
    if form.is_valid():
        try:
            project = services.project_extend(
                tenant=request.tenant,
                actor=request.user,
                project=project,
                minutes=form.cleaned_data["minutes"],
            )
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "The stack's expiry has been extended.")
    return redirect("provisioning:infrastructure", project_id=project.pk)


# --- the workspace's own AWS account --------------------------------------------------------------


def _aws_account_context(request, form: AwsAccountForm | None = None) -> dict:
    account = selectors.aws_account_get(tenant=request.tenant)
    context = {
        "account": account,
        "form": form or AwsAccountForm(initial={"role_arn": account.role_arn if account else ""}),
        "account_regions": settings.AWS_ALLOWED_REGIONS,
        "boundary_name": aws.execution_boundary_name(),
    }
    if account is not None:
        policies = aws.role_policies(
            external_id=account.external_id, role_arn=account.role_arn, account_id=account.account_id
        )
        context.update(
            **{name: json.dumps(policy, indent=2) for name, policy in policies.items()},
            stacks_there=selectors.stacks_in_account(tenant=request.tenant, role_arn=account.role_arn)
            if account.role_arn
            else 0,
        )
    return context


@require_GET
@tenant_view(Role.OWNER)
def aws_account_view(request):
    context = _aws_account_context(request)
    if request.htmx and request.GET.get("part") == "status":
        return render(request, "provisioning/partials/_aws_account_status.html", context)
    return render(request, "provisioning/aws_account.html", context)


@post_only("provisioning:aws_account")
@tenant_view(Role.OWNER)
def aws_account_start_view(request):
    services.aws_account_start(tenant=request.tenant, actor=request.user)
    return redirect("provisioning:aws_account")


@post_only("provisioning:aws_account")
@tenant_view(Role.OWNER)
def aws_account_connect_view(request):
    form = AwsAccountForm(request.POST)
    if form.is_valid():
        try:
            services.aws_account_connect(
                tenant=request.tenant, actor=request.user, role_arn=form.cleaned_data["role_arn"]
            )
        except ValidationError as exc:
            form_add_service_error(form, exc)
        except ApplicationError as exc:
            messages.error(request, exc.message)
            return redirect("provisioning:aws_account")
        else:
            messages.success(request, "The role is saved. Tijori is checking that it can use it.")
            return redirect("provisioning:aws_account")
    return render(request, "provisioning/aws_account.html", _aws_account_context(request, form), status=422)


def _account_action(request, service, done: str):
    try:
        service(tenant=request.tenant, actor=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return redirect("provisioning:aws_account")


@post_only("provisioning:aws_account")
@tenant_view(Role.OWNER)
def aws_account_recheck_view(request):
    return _account_action(request, services.aws_account_recheck, "Tijori is checking the connection again.")


@post_only("provisioning:aws_account")
@tenant_view(Role.OWNER)
def aws_account_disconnect_view(request):
    return _account_action(
        request,
        services.aws_account_disconnect,
        "New stacks will go to Tijori's AWS account. Stacks in yours stay there until destroyed.",
    )


def provisioning_stats_view(request):
    """/admin/stats: the provisioning figures super admins watch (wrapped in admin_view in the URLconf)."""
    if not request.user.is_superuser:
        raise PermissionDenied("Statistics are for super admins.")
    context = {
        **admin.site.each_context(request),
        "s": selectors.provisioning_stats(),
        "title": "Provisioning statistics",
    }
    return render(request, "admin/provisioning_stats.html", context)
