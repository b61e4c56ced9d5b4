"""REST endpoints for the signed-in person or key: me, the tenant, its members, invitations, API keys."""

from __future__ import annotations

from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.api.idempotency import idempotent
from apps.core.api.viewsets import TenantViewSet
from apps.gst.states import STATE_CHOICES
from apps.tenants import rights, selectors, services
from apps.tenants.models import ApiKey, Invitation, Membership, Role, Tenant


class UserOutput(serializers.Serializer):
    id = serializers.IntegerField()
    email = serializers.EmailField()
    full_name = serializers.CharField()


class TenantOutput(serializers.Serializer):
    # Plain fields rather than a ModelSerializer: this is on every /me answer, and building
    # model-derived fields costs more than the rest of the serialisation.
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=Tenant.Kind.choices)
    name = serializers.CharField()
    slug = serializers.SlugField()
    state_code = serializers.CharField(help_text="GST state code, e.g. 27 for Maharashtra; empty if not set.")
    gstin = serializers.CharField(help_text="Empty if not registered.")
    gstin_status = serializers.ChoiceField(
        choices=Tenant.GstinStatus.choices,
        help_text="Where the GSTIN's verification stands. Issuing GST invoices needs `verified`: upload the "
        "GST registration certificate on the shop profile page, and the Tijori team checks it.",
    )
    address = serializers.CharField()
    is_active = serializers.BooleanField()
    created_at = serializers.DateTimeField()


class TenantInput(serializers.Serializer):
    name = serializers.CharField(max_length=120)
    state_code = serializers.ChoiceField(
        choices=[("", "Not set"), *STATE_CHOICES], allow_blank=True, required=False
    )
    gstin = serializers.CharField(max_length=20, allow_blank=True, required=False)
    address = serializers.CharField(
        max_length=2000, allow_blank=True, required=False, style={"base_template": "textarea.html"}
    )  # multi-line: keeps line breaks, as the settings page does


class MeOutput(serializers.Serializer):
    user = UserOutput()
    tenant = TenantOutput()
    role = serializers.ChoiceField(choices=Role.choices)
    authenticated_by = serializers.ChoiceField(choices=["session", "api_key"])
    api_key = serializers.CharField(allow_null=True, help_text="The key's prefix, when a key is used.")


class MembershipOutput(serializers.Serializer):
    id = serializers.IntegerField()
    user = UserOutput()
    role = serializers.ChoiceField(choices=Role.choices)
    created_at = serializers.DateTimeField()


class InviteInput(serializers.Serializer):
    email = serializers.EmailField()
    role = serializers.ChoiceField(choices=Role.choices, default=Role.STAFF)


class RoleInput(serializers.Serializer):
    role = serializers.ChoiceField(choices=Role.choices)


class InvitationOutput(serializers.Serializer):
    id = serializers.IntegerField()
    email = serializers.EmailField()
    role = serializers.ChoiceField(choices=Role.choices)
    status = serializers.ChoiceField(choices=Invitation.Status.choices)
    expires_at = serializers.DateTimeField()
    created_at = serializers.DateTimeField()


class ApiKeyOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    prefix = serializers.CharField(help_text="The key starts with tj_<prefix>_.")
    role = serializers.ChoiceField(choices=Role.choices)
    status = serializers.ChoiceField(choices=ApiKey.Status.choices)
    created_by = serializers.EmailField(source="created_by.email", allow_null=True, default=None)
    expires_at = serializers.DateTimeField(allow_null=True)
    last_used_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()


class ApiKeyCreatedOutput(ApiKeyOutput):
    secret = serializers.CharField(help_text="Shown only in this answer: store it now.")


class ApiKeyInput(serializers.Serializer):
    name = serializers.CharField(max_length=80)
    role = serializers.ChoiceField(choices=Role.choices, default=Role.STAFF)
    expires_at = serializers.DateTimeField(
        required=False,
        allow_null=True,
        help_text="The moment the key stops working (ISO 8601). Or send `expires_on` instead, not both.",
    )
    expires_on = serializers.DateField(
        required=False,
        allow_null=True,
        help_text="The last day the key works: it stops at the end of that day, India time "
        "(23:59:59.999999 +05:30), exactly as a day chosen on the API keys page. "
        "`2027-03-31` is the same as `expires_at` `2027-03-31T23:59:59.999999+05:30`.",
    )


class MeView(APIView):
    """Who is calling: the user (for a key, the person who made it), the tenant and the role."""

    @extend_schema(responses=MeOutput, operation_id="me_retrieve")
    def get(self, request):
        key = getattr(request._request, "api_key", None)
        data = {
            "user": request.user,
            "tenant": request.tenant,
            "role": request.membership.role,
            "authenticated_by": "api_key" if key else "session",
            "api_key": key.prefix if key else None,
        }
        return Response(MeOutput(data).data)


class TenantView(APIView):
    """The tenant the caller acts in. Owners and admins can change its profile."""

    write_role = rights.PROFILE_EDIT

    @extend_schema(responses=TenantOutput, operation_id="tenant_retrieve")
    def get(self, request):
        return Response(TenantOutput(request.tenant).data)

    @extend_schema(request=TenantInput, responses=TenantOutput, operation_id="tenant_partial_update")
    def patch(self, request):
        tenant = request.tenant
        data = TenantInput(data={**TenantOutput(tenant).data, **_as_dict(request.data)})
        data.is_valid(raise_exception=True)
        values = data.validated_data
        tenant = services.tenant_update(
            tenant=tenant,
            actor=request.user,
            name=values["name"],
            state_code=values.get("state_code", ""),
            gstin=values.get("gstin", ""),
            address=values.get("address", ""),
        )
        return Response(TenantOutput(tenant).data)


def _as_dict(data) -> dict:
    if not isinstance(data, dict):
        raise serializers.ValidationError({"non_field_errors": ["Send a JSON object."]})
    return {k: v for k, v in data.items() if k in TenantInput().fields}


class MembershipFilter(filters.FilterSet):
    role = filters.ChoiceFilter(choices=Role.choices)

    class Meta:
        model = Membership
        fields = ["role"]

    def filter_queryset(self, queryset):
        """The team page's list and this one are one rule: the selector's. Ids keep pages stable."""
        members = selectors.membership_list(
            tenant=self.request.tenant, role=self.form.cleaned_data.get("role")
        )
        return members.order_by("pk")


@extend_schema_view(
    list=extend_schema(summary="List the members"),
    retrieve=extend_schema(summary="One member"),
    create=extend_schema(
        summary="Invite someone by e-mail", request=InviteInput, responses={201: InvitationOutput}
    ),
    partial_update=extend_schema(
        summary="Change a member's role", request=RoleInput, responses=MembershipOutput
    ),
    destroy=extend_schema(summary="Remove a member (or leave, with your own id)", responses={204: None}),
)
class MemberViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, TenantViewSet):
    model = Membership
    selector = staticmethod(selectors.membership_list)
    serializer_class = MembershipOutput
    filterset_class = MembershipFilter
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    write_role = rights.TEAM_MANAGE
    action_roles = {"destroy": Role.STAFF}  # anyone may leave; the service checks removing others
    expensive_actions = frozenset({"create"})  # each invitation sends an e-mail

    @idempotent
    def create(self, request, *args, **kwargs):
        data = InviteInput(data=request.data)
        data.is_valid(raise_exception=True)
        invitation = services.invitation_create(
            tenant=request.tenant,
            actor=request.user,
            actor_membership=request.membership,
            email=data.validated_data["email"],
            role=data.validated_data["role"],
        )
        return Response(InvitationOutput(invitation).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        membership = self.get_object()
        data = RoleInput(data=request.data)
        data.is_valid(raise_exception=True)
        membership = services.membership_change_role(
            tenant=request.tenant,
            actor=request.user,
            actor_membership=request.membership,
            membership=membership,
            role=data.validated_data["role"],
        )
        return Response(MembershipOutput(membership).data)

    def destroy(self, request, *args, **kwargs):
        services.membership_remove(
            tenant=request.tenant,
            actor=request.user,
            actor_membership=request.membership,
            membership=self.get_object(),
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(
    list=extend_schema(summary="Invitations waiting for an answer"),
    destroy=extend_schema(summary="Withdraw an invitation", responses={204: None}),
)
class InvitationViewSet(mixins.ListModelMixin, mixins.DestroyModelMixin, TenantViewSet):
    model = Invitation
    selector = staticmethod(selectors.invitation_open_list)
    serializer_class = InvitationOutput
    read_role = write_role = rights.TEAM_MANAGE

    def destroy(self, request, *args, **kwargs):
        services.invitation_revoke(tenant=request.tenant, actor=request.user, invitation=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(
    list=extend_schema(summary="List API keys"),
    retrieve=extend_schema(summary="One API key"),
    create=extend_schema(
        summary="Make an API key (its secret is in this answer only)",
        request=ApiKeyInput,
        responses={201: ApiKeyCreatedOutput},
    ),
    destroy=extend_schema(summary="Revoke an API key", responses={204: None}),
)
class ApiKeyViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, TenantViewSet):
    model = ApiKey
    selector = staticmethod(selectors.api_key_list)
    serializer_class = ApiKeyOutput
    read_role = write_role = rights.API_KEYS

    @idempotent(
        withhold="secret",
        withheld_message="The first request with this Idempotency-Key already made the API key “{name}” "
        "(tj_{prefix}_…, id {id}). Its secret is shown only once, in that answer, and is not kept: "
        "if it was lost, revoke this key and make a new one.",
    )
    def create(self, request, *args, **kwargs):
        data = ApiKeyInput(data=request.data)
        data.is_valid(raise_exception=True)
        key, secret = services.api_key_create(
            tenant=request.tenant,
            actor=request.user,
            actor_membership=request.membership,
            name=data.validated_data["name"],
            role=data.validated_data["role"],
            expires_at=data.validated_data.get("expires_at"),
            expires_on=data.validated_data.get("expires_on"),
        )
        key.secret = secret
        return Response(ApiKeyCreatedOutput(key).data, status=status.HTTP_201_CREATED)

    def destroy(self, request, *args, **kwargs):
        services.api_key_revoke(tenant=request.tenant, actor=request.user, api_key=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)
