"""REST endpoints for projects and their operations."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from apps.core.api.idempotency import idempotent
from apps.core.api.viewsets import TenantViewSet
from apps.provisioning import selectors, services
from apps.provisioning.models import Operation, Project, Resource, TenantAwsAccount, Tier
from apps.tenants import rights


class ResourceOutput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Resource.Kind.choices)
    name = serializers.CharField()
    physical_id = serializers.CharField(help_text="ARN or id once AWS has created it.")
    state = serializers.ChoiceField(choices=Resource.State.choices)
    estimate_usd_month = serializers.DecimalField(max_digits=10, decimal_places=2)


class StepOutput(serializers.Serializer):
    step = serializers.CharField()
    label = serializers.CharField()
    state = serializers.CharField(help_text="waiting, running, done, retrying or failed.")
    at = serializers.CharField(allow_null=True)


class OperationOutput(serializers.Serializer):
    id = serializers.UUIDField()
    project = serializers.IntegerField(source="project_id")
    action = serializers.ChoiceField(choices=Operation.Action.choices)
    state = serializers.ChoiceField(choices=Operation.State.choices)
    trigger = serializers.ChoiceField(choices=Operation.Trigger.choices)
    attempts = serializers.IntegerField()
    steps = StepOutput(many=True)
    error = serializers.CharField(help_text="What went wrong, in plain words; empty on success.")
    created_at = serializers.DateTimeField()
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)


class ProjectOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    region = serializers.CharField()
    tier = serializers.ChoiceField(choices=Tier.choices)
    infra_state = serializers.ChoiceField(choices=Project.InfraState.choices)
    app_state = serializers.ChoiceField(choices=Project.AppState.choices)
    estimate_usd_month = serializers.DecimalField(
        max_digits=10, decimal_places=2, help_text="Upper bound of the monthly cost, USD."
    )
    deployed_at = serializers.DateTimeField(allow_null=True)
    expires_at = serializers.DateTimeField(allow_null=True, help_text="When the stack is destroyed.")
    site_url = serializers.CharField()
    api_url = serializers.CharField()
    created_at = serializers.DateTimeField()


class ProjectDetailOutput(ProjectOutput):
    resources = ResourceOutput(many=True, source="resources.all")


class ProjectInput(serializers.Serializer):
    name = serializers.CharField(max_length=60)
    region = serializers.CharField(max_length=20, help_text="One of the regions Tijori offers.")
    tier = serializers.ChoiceField(choices=Tier.choices)


class DeployInput(serializers.Serializer):
    bundle = serializers.FileField(
        required=False,
        help_text="A .zip with backend/app.py and frontend/index.html; omit for the starter app.",
    )


class ExtendInput(serializers.Serializer):
    minutes = serializers.IntegerField(min_value=1, max_value=24 * 60)


REFUSED = {202: OperationOutput, 409: None}


@extend_schema_view(
    list=extend_schema(summary="The workspace's projects"),
    retrieve=extend_schema(summary="One project with its resources", responses=ProjectDetailOutput),
    create=extend_schema(summary="Create a project (nothing on AWS yet)", request=ProjectInput,
                         responses={201: ProjectDetailOutput}),
    destroy=extend_schema(summary="Delete a project holding nothing in AWS (409 otherwise); its history stays",
                          responses={204: None, 409: None}),
)  # fmt: skip
class ProjectViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    TenantViewSet,
):
    model = Project
    selector = staticmethod(selectors.project_list)
    serializer_class = ProjectOutput
    write_role = rights.PROJECTS_RUN
    expensive_actions = frozenset({"provision", "destroy_stack", "deploy", "purge"})

    def retrieve(self, request, *args, **kwargs):
        return Response(ProjectDetailOutput(self.get_object()).data)

    @idempotent
    def create(self, request, *args, **kwargs):
        data = ProjectInput(data=request.data)
        data.is_valid(raise_exception=True)
        project = services.project_create(tenant=request.tenant, actor=request.user, **data.validated_data)
        return Response(ProjectDetailOutput(project).data, status=status.HTTP_201_CREATED)

    def destroy(self, request, *args, **kwargs):
        services.project_delete(tenant=request.tenant, actor=request.user, project=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    def _operation(self, request, action_name: str, project: Project | None = None, **extra) -> Response:
        operation = services.operation_request(
            tenant=request.tenant,
            actor=request.user,
            project=project or self.get_object(),
            action=action_name,
            **extra,
        )
        return Response(OperationOutput(operation).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(summary="Provision the stack on AWS", request=None, responses=REFUSED)
    @action(detail=True, methods=["post"])
    @idempotent
    def provision(self, request, pk=None):
        return self._operation(request, Operation.Action.PROVISION)

    @extend_schema(summary="Destroy the stack (409 while an application is deployed)", request=None,
                   responses=REFUSED)  # fmt: skip
    @action(detail=True, methods=["post"], url_path="destroy", url_name="destroy")
    @idempotent
    def destroy_stack(self, request, pk=None):
        return self._operation(request, Operation.Action.DESTROY)

    @extend_schema(summary="Deploy an uploaded bundle or the starter app", request={"multipart/form-data": DeployInput},
                   responses=REFUSED)  # fmt: skip
    @action(detail=True, methods=["post"])
    @idempotent
    def deploy(self, request, pk=None):
        project = self.get_object()  # another workspace's project is a 404 before the body is looked at
        data = DeployInput(data=request.data)
        data.is_valid(raise_exception=True)
        return self._operation(
            request, Operation.Action.DEPLOY_APP, project=project, bundle=data.validated_data.get("bundle")
        )

    @extend_schema(summary="Purge the application from the stack", request=None, responses=REFUSED)
    @action(detail=True, methods=["post"])
    @idempotent
    def purge(self, request, pk=None):
        return self._operation(request, Operation.Action.PURGE_APP)

    @extend_schema(
        summary="Push the stack's expiry back", request=ExtendInput, responses={200: ProjectOutput}
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def extend(self, request, pk=None):
        project = self.get_object()
        data = ExtendInput(data=request.data)
        data.is_valid(raise_exception=True)
        project = services.project_extend(
            tenant=request.tenant, actor=request.user, project=project, **data.validated_data
        )
        return Response(ProjectOutput(project).data)


@extend_schema_view(retrieve=extend_schema(summary="One operation: state, steps and error"))
class OperationViewSet(mixins.RetrieveModelMixin, TenantViewSet):
    model = Operation
    selector = staticmethod(selectors.operation_list)
    serializer_class = OperationOutput
    lookup_value_regex = r"[0-9a-fA-F-]{36}"


class AwsAccountOutput(serializers.Serializer):
    status = serializers.ChoiceField(choices=TenantAwsAccount.Status.choices)
    role_arn = serializers.CharField(help_text="The role Tijori assumes in your account; empty until set.")
    external_id = serializers.CharField(help_text="Generated by Tijori; put it in the role's trust policy.")
    account_id = serializers.CharField(
        help_text="Your AWS account, as AWS reported it when the role was assumed."
    )
    checked_at = serializers.DateTimeField(allow_null=True)
    check_error = serializers.CharField(help_text="Why the last check failed, in plain words.")
    boundary_policy_name = serializers.SerializerMethodField(
        help_text="Create this managed policy in your account first: every execution role Tijori makes "
        "carries it as its permissions boundary."
    )
    boundary_policy = serializers.SerializerMethodField(help_text="The boundary policy's document.")
    trust_policy = serializers.SerializerMethodField(help_text="The trust policy to give the role.")
    permission_policy = serializers.SerializerMethodField(help_text="The permission policy to give the role.")

    def _policies(self, account) -> dict[str, dict]:
        return selectors.aws_account_policies(account=account)

    def get_boundary_policy_name(self, account) -> str:
        return selectors.execution_boundary_name()

    def get_boundary_policy(self, account) -> dict:
        return self._policies(account)["boundary_policy"]

    def get_trust_policy(self, account) -> dict:
        return self._policies(account)["trust_policy"]

    def get_permission_policy(self, account) -> dict:
        return self._policies(account)["permission_policy"]


class AwsAccountInput(serializers.Serializer):
    role_arn = serializers.CharField(max_length=200, help_text="arn:aws:iam::<your account>:role/<name>")


class AwsAccountViewSet(TenantViewSet):
    """The workspace's own AWS account (owners only): POST to get the ExternalId and policies, create
    the role in AWS, PUT its ARN, then poll GET until `status` is `verified` or `failed`."""

    # One account per workspace, so no id in the address: config/api_urls.py maps the methods of
    # /aws-account and /aws-account/check to these actions.

    model = TenantAwsAccount
    serializer_class = AwsAccountOutput
    read_role = write_role = rights.AWS_ACCOUNT
    expensive_actions = frozenset({"update", "check"})  # registering or checking a role calls AWS

    def get_object(self) -> TenantAwsAccount:
        account = selectors.aws_account_get(tenant=self.request.tenant)
        if account is None:
            raise NotFound(
                "No AWS account of this workspace is registered yet: POST /api/v1/aws-account first."
            )
        return account

    @extend_schema(summary="The workspace's own AWS account and its connection", responses=AwsAccountOutput,
                   operation_id="aws_account_retrieve")  # fmt: skip
    def retrieve(self, request):
        return Response(AwsAccountOutput(self.get_object()).data)

    @extend_schema(summary="Generate the ExternalId and the policies (nothing is sent to AWS)", request=None,
                   responses={200: AwsAccountOutput}, operation_id="aws_account_create")  # fmt: skip
    def create(self, request):
        account = services.aws_account_start(tenant=request.tenant, actor=request.user)
        return Response(AwsAccountOutput(account).data)

    @extend_schema(summary="Register the role's ARN and check it (status becomes checking)",
                   request=AwsAccountInput, responses={202: AwsAccountOutput}, operation_id="aws_account_update")  # fmt: skip
    def update(self, request):
        data = AwsAccountInput(data=request.data)
        data.is_valid(raise_exception=True)
        account = services.aws_account_connect(
            tenant=request.tenant, actor=request.user, **data.validated_data
        )
        return Response(AwsAccountOutput(account).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(summary="Stop sending new stacks to the account (stacks there stay until destroyed)",
                   request=None, responses=AwsAccountOutput, operation_id="aws_account_destroy")  # fmt: skip
    def destroy(self, request):
        account = services.aws_account_disconnect(tenant=request.tenant, actor=request.user)
        return Response(AwsAccountOutput(account).data)

    @extend_schema(summary="Check the registered role again", request=None,
                   responses={202: AwsAccountOutput}, operation_id="aws_account_check")  # fmt: skip
    def check(self, request):
        account = services.aws_account_recheck(tenant=request.tenant, actor=request.user)
        return Response(AwsAccountOutput(account).data, status=status.HTTP_202_ACCEPTED)
