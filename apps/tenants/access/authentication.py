"""API key authentication: `Authorization: Bearer tj_…` acts as the key's tenant with its role."""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from apps.core.api.throttling import AnonymousRateThrottle
from apps.core.context import acting_via_var
from apps.core.rls import rls_bypass, tenant_activate
from apps.tenants import services
from apps.tenants.exceptions import ApiKeyInvalid


class ApiKeyAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode("latin-1")
        if not header:
            return None
        scheme, _, secret = header.partition(" ")
        if scheme.lower() != self.keyword.lower():
            return None
        secret = secret.strip()
        try:
            if not secret:
                raise ApiKeyInvalid("The Authorization header has no key after “Bearer”.")
            with rls_bypass():  # whose key this is: known before any tenant is
                key, membership = services.api_key_authenticate(secret)
        except ApiKeyInvalid as exc:
            # Guessing keys counts against the caller's address like any anonymous request.
            throttle = AnonymousRateThrottle()
            if not throttle.allow_request(request, None):
                raise exceptions.Throttled(throttle.wait()) from None
            raise exceptions.AuthenticationFailed(exc.message) from None
        # The session's tenant (if any cookie came along) is replaced by the key's.
        request._request.tenant = key.tenant
        request._request.membership = membership
        request._request.api_key = key
        tenant_activate(key.tenant_id)
        acting_via_var.set(f"API key tj_{key.prefix}")
        return membership.user, key

    def authenticate_header(self, request):
        return f'{self.keyword} realm="api"'


class ApiKeyAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "apps.tenants.access.authentication.ApiKeyAuthentication"
    name = "ApiKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "tj_<prefix>_<secret>",
            "description": "A workspace API key from Settings → API keys. It acts with its role.",
        }
