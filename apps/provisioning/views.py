"""Projects: the list, each project's Infrastructure and Application tabs, and the workspace's own AWS account."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core import signing
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET

from apps.core.decorators import post_only
from apps.core.exceptions import ApplicationError
from apps.core.forms import IN_PROGRESS, form_add_service_error, messages_add_service_error, service_action
from apps.provisioning import selectors, services
from apps.provisioning.exceptions import AwsError
from apps.provisioning.forms import AwsAccountForm, DeployForm, ExtendForm, ProjectForm
from apps.provisioning.models import Operation, Project, Resource
from apps.tenants import rights
from apps.tenants.access.decorators import tenant_view

ACTION_DONE = {
    Operation.Action.PROVISION: "Provisioning has started.",
    Operation.Action.DESTROY: "Destroying has started.",
    Operation.Action.DEPLOY_APP: "The application is being deployed.",
    Operation.Action.PURGE_APP: "The application is being purged.",
}
TABS = ("infrastructure", "application")


def _project_list_page(request, form: ProjectForm, *, status: int = 200):
    tenant = request.tenant
    context = {
        "projects": selectors.project_list(tenant=tenant),
        "usage": services.quota_usage(tenant=tenant),
        "form": form,
        "can_create": request.membership.has_role(rights.PROJECTS_RUN.role),
        "estimates": selectors.estimate_table(),
        "aws_account": selectors.aws_account_get(tenant=tenant),
        "is_owner": request.membership.has_role(rights.AWS_ACCOUNT.role),
    }
    return render(request, "provisioning/project_list.html", context, status=status)


@require_GET
@tenant_view()
def project_list_view(request):
    return _project_list_page(request, ProjectForm())


@post_only("provisioning:project_list")
@tenant_view(rights.PROJECTS_RUN)
def project_create_view(request):
    """A refused project re-renders the list with the reason on the form (422)."""
    form = ProjectForm(request.POST)
    if form.is_valid():
        try:
            project = services.project_create(tenant=request.tenant, actor=request.user, **form.cleaned_data)
        except (ValidationError, ApplicationError) as exc:
            form_add_service_error(form, exc)
        else:
            messages.success(request, f"Project {project.name} is ready to provision.")
            return redirect("provisioning:infrastructure", project_id=project.pk)
    return _project_list_page(request, form, status=422)


def _project_context(request, project: Project, tab: str) -> dict:
    tenant = request.tenant
    activity = selectors.project_activity(tenant=tenant, project=project)
    resources = list(selectors.resource_list(tenant=tenant, project=project))
    can_manage = request.membership.has_role(rights.PROJECTS_RUN.role)
    return {
        "project": project,
        "tab": tab,
        **activity,
        "estimate": selectors.project_estimate(project=project),
        "resources": resources,
        "can_delete": can_manage
        and services.project_delete_refusal(
            project=project,
            active=activity["active"],
            resources_left=any(r.state not in Resource.NOT_IN_AWS for r in resources),
        )
        is None,
        "site_preview": selectors.site_preview_shown(project=project),
        "aws_is_emulated": selectors.aws_emulated(),
        "expiring_soon": selectors.project_expires_within(
            project=project, minutes=selectors.EXPIRY_WARNING_MINUTES
        ),
        "expiry_warning_minutes": selectors.EXPIRY_WARNING_MINUTES,
        "timeout_minutes": settings.RESOURCE_TIMEOUT_MINUTES,
        "usage": services.quota_usage(tenant=tenant),
        "aws_account": selectors.aws_account_get(tenant=tenant)
        if project.infra_state in (Project.InfraState.NEW, Project.InfraState.DESTROYED)
        else None,
        "can_manage": can_manage,
        "extend_form": ExtendForm(),
        "deploy_form": DeployForm(),
    }


@require_GET
@tenant_view()
def project_view(request, project_id: int, tab: str = "", partial: bool = False):
    """One tab of a project's page. Its live part (state, progress, resources) alone answers the page's
    htmx poll while work runs, and the /status/ address (`partial`, with the tab in ?tab=)."""
    if partial:
        tab = request.GET.get("tab", "")
    tab = tab if tab in TABS else TABS[0]
    project = selectors.project_get(tenant=request.tenant, project_id=project_id)
    context = _project_context(request, project, tab)
    if partial or (request.htmx and not request.htmx.boosted):
        response = render(request, "provisioning/partials/_status.html", context)
    else:
        response = render(request, f"provisioning/project_{tab}.html", context)
    patch_vary_headers(response, ["HX-Request"])  # a cached poll answer must never stand in for the page
    return response


def _operation_request(request, project_id: int, action: str, *, back: str, **extra):
    project = selectors.project_get(tenant=request.tenant, project_id=project_id)
    service_action(
        request,
        lambda: services.operation_request(
            tenant=request.tenant, actor=request.user, project=project, action=action, **extra
        ),
        done=ACTION_DONE[action],
        in_progress=True,
    )
    return redirect(back, project_id=project.pk)


@post_only("provisioning:infrastructure", "project_id")
@tenant_view(rights.PROJECTS_RUN)
def provision_view(request, project_id: int):
    return _operation_request(
        request, project_id, Operation.Action.PROVISION, back="provisioning:infrastructure"
    )


@post_only("provisioning:infrastructure", "project_id")
@tenant_view(rights.PROJECTS_RUN)
def destroy_view(request, project_id: int):
    return _operation_request(
        request, project_id, Operation.Action.DESTROY, back="provisioning:infrastructure"
    )


@post_only("provisioning:infrastructure", "project_id")
@tenant_view(rights.PROJECTS_RUN)
def delete_view(request, project_id: int):
    """Delete a project that holds nothing in AWS; a refusal comes back to its page with the reason."""
    project = selectors.project_get(tenant=request.tenant, project_id=project_id)
    deleted = service_action(
        request,
        lambda: services.project_delete(tenant=request.tenant, actor=request.user, project=project),
        done=f"Project {project.name} was deleted. What happened to it stays in the audit trail.",
    )
    if not deleted:
        return redirect("provisioning:infrastructure", project_id=project.pk)
    return redirect("provisioning:project_list")


@post_only("provisioning:application", "project_id")
@tenant_view(rights.PROJECTS_RUN)
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
            messages_add_service_error(request, exc)
            return redirect("provisioning:application", project_id=project.pk)
        else:
            messages.success(request, ACTION_DONE[Operation.Action.DEPLOY_APP], extra_tags=IN_PROGRESS)
            return redirect("provisioning:application", project_id=project.pk)
    context = {**_project_context(request, project, "application"), "deploy_form": form}
    return render(request, "provisioning/project_application.html", context, status=422)


@post_only("provisioning:application", "project_id")
@tenant_view(rights.PROJECTS_RUN)
def purge_view(request, project_id: int):
    """Purge from either tab, and come back to it (from Infrastructure, the Destroy button is next)."""
    back = "infrastructure" if request.POST.get("back") == "infrastructure" else "application"
    return _operation_request(request, project_id, Operation.Action.PURGE_APP, back=f"provisioning:{back}")


@post_only("provisioning:infrastructure", "project_id")
@tenant_view(rights.PROJECTS_RUN)
def extend_view(request, project_id: int):
    project = selectors.project_get(tenant=request.tenant, project_id=project_id)
    form = ExtendForm(request.POST)
    if form.is_valid():
        service_action(
            request,
            lambda: services.project_extend(
                tenant=request.tenant,
                actor=request.user,
                project=project,
                minutes=form.cleaned_data["minutes"],
            ),
            done="The stack's expiry has been extended.",
        )
    return redirect("provisioning:infrastructure", project_id=project.pk)


# --- the deployed site, previewed through Tijori when AWS is emulated ------------------------------

# The preview runs the site's own pages and scripts: in a sandbox they get an origin of their own, so
# they can neither read Tijori's pages nor act with the member's session (not even sent to them).
PREVIEW_HEADERS = {
    "Content-Security-Policy": "sandbox allow-scripts allow-forms allow-popups allow-modals",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",  # the link's key is in its address
    "Cache-Control": "private, no-store",
}


@require_GET
@tenant_view()
def preview_view(request, project_id: int):
    """The deployed site: on AWS, its own address; with the emulator, Tijori's preview of its files,
    under a link made for this member (the sandboxed pages get no session cookie)."""
    project = selectors.project_get(tenant=request.tenant, project_id=project_id)
    if project.app_state != Project.AppState.DEPLOYED or not project.site_url:
        raise Http404("No application is deployed on this project.")
    if not selectors.site_preview_shown(project=project):
        return redirect(project.site_url)
    token = selectors.site_preview_token(project=project, user=request.user)
    return redirect("provisioning:preview_file", project_id=project.pk, token=token, path="")


@require_GET
def preview_file_view(request, project_id: int, token: str, path: str):
    """One file of the deployed site, for the member the link was made for (see `preview_view`)."""
    try:
        project, user_id = selectors.site_preview_project(token=token, project_id=project_id)
    except signing.BadSignature:
        raise Http404(
            "This preview link has expired or is not valid: open the preview again from the project's "
            "Application tab."
        ) from None
    key = selectors.site_preview_key(path)
    if key is None:
        raise Http404("The site has no such file.")
    try:
        found = selectors.site_preview_file(project=project, key=key, user_id=user_id)
        # As an S3 website does, a folder's address without its slash goes to the folder.
        folder = (
            found is None
            and key == path
            and selectors.site_preview_is_folder(project=project, key=key, user_id=user_id)
        )
    except AwsError as exc:
        return HttpResponse(
            f"Tijori could not read the site's files from the AWS emulator: {exc.message} "
            "Check that the emulator is running (make run starts it), then reload.",
            status=503, content_type="text/plain; charset=utf-8", headers=PREVIEW_HEADERS,
        )  # fmt: skip
    if folder:
        return redirect("provisioning:preview_file", project_id=project.pk, token=token, path=f"{path}/")
    if found is None:
        raise Http404("The site has no such file.")
    response = StreamingHttpResponse(found.chunks, content_type=found.content_type, headers=PREVIEW_HEADERS)
    if found.length is not None:
        response["Content-Length"] = str(found.length)
    return response


# --- the workspace's own AWS account --------------------------------------------------------------


def _aws_account_context(request, form: AwsAccountForm | None = None) -> dict:
    account = selectors.aws_account_get(tenant=request.tenant)
    return {
        "account": account,
        "form": form or AwsAccountForm(initial={"role_arn": account.role_arn if account else ""}),
        "account_regions": settings.AWS_ALLOWED_REGIONS,
        **selectors.aws_account_setup(tenant=request.tenant, account=account),
    }


@require_GET
@tenant_view(rights.AWS_ACCOUNT)
def aws_account_view(request):
    context = _aws_account_context(request)
    if request.htmx and request.GET.get("part") == "status":
        return render(request, "provisioning/partials/_aws_account_status.html", context)
    return render(request, "provisioning/aws_account.html", context)


@post_only("provisioning:aws_account")
@tenant_view(rights.AWS_ACCOUNT)
def aws_account_start_view(request):
    services.aws_account_start(tenant=request.tenant, actor=request.user)
    return redirect("provisioning:aws_account")


@post_only("provisioning:aws_account")
@tenant_view(rights.AWS_ACCOUNT)
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
            messages_add_service_error(request, exc)
            return redirect("provisioning:aws_account")
        else:
            messages.success(
                request, "The role is saved. Tijori is checking that it can use it.", extra_tags=IN_PROGRESS
            )
            return redirect("provisioning:aws_account")
    return render(request, "provisioning/aws_account.html", _aws_account_context(request, form), status=422)


@post_only("provisioning:aws_account")
@tenant_view(rights.AWS_ACCOUNT)
def aws_account_recheck_view(request):
    service_action(
        request,
        lambda: services.aws_account_recheck(tenant=request.tenant, actor=request.user),
        done="Tijori is checking the connection again.",
        in_progress=True,
    )
    return redirect("provisioning:aws_account")


@post_only("provisioning:aws_account")
@tenant_view(rights.AWS_ACCOUNT)
def aws_account_disconnect_view(request):
    service_action(
        request,
        lambda: services.aws_account_disconnect(tenant=request.tenant, actor=request.user),
        done="New stacks will go to Tijori's AWS account. Stacks in yours stay there until destroyed.",
    )
    return redirect("provisioning:aws_account")
