"""REST endpoints for projects and their operations."""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from apps.core.idempotency import idempotent
from apps.core.throttling import ExpensiveOperationThrottle
from apps.provisioning import selectors, services
from apps.provisioning.models import Operation, Project, Resource, Tier
from apps.tenants.models import Role


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
)  # fmt: skip
class ProjectViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    queryset = Project.objects.none()
    serializer_class = ProjectOutput
    write_role = Role.ADMIN
    lookup_value_regex = r"\d+"

    def get_queryset(self) -> QuerySet[Project]:
        return selectors.project_list(tenant=self.request.tenant)

    def get_throttles(self):
        throttles = super().get_throttles()
        expensive = {"provision", "destroy_stack", "deploy", "purge"}
        return [*throttles, ExpensiveOperationThrottle()] if self.action in expensive else throttles

    def retrieve(self, request, *args, **kwargs):
        return Response(ProjectDetailOutput(self.get_object()).data)

    @idempotent
    def create(self, request, *args, **kwargs):
        data = ProjectInput(data=request.data)
        data.is_valid(raise_exception=True)
        project = services.project_create(tenant=request.tenant, actor=request.user, **data.validated_data)
        return Response(ProjectDetailOutput(project).data, status=status.HTTP_201_CREATED)

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
class OperationViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    queryset = Operation.objects.none()
    serializer_class = OperationOutput
    lookup_value_regex = r"[0-9a-fA-F-]{36}"

    def get_queryset(self) -> QuerySet[Operation]:
        return Operation.objects.for_tenant(self.request.tenant)
