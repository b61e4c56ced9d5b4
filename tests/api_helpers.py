"""Helpers for API tests: clients that authenticate with a real API key."""

from django.test import Client

from apps.tenants.models import Membership
from apps.tenants.services import api_key_create


class ApiClient(Client):
    """A test client that sends JSON and a Bearer key by default."""

    def __init__(self, secret: str | None = None, **kwargs):
        super().__init__(**kwargs)
        self.secret = secret

    def _headers(self, extra):
        headers = dict(extra)
        if self.secret and "HTTP_AUTHORIZATION" not in headers:
            headers["HTTP_AUTHORIZATION"] = f"Bearer {self.secret}"
        return headers

    def get(self, path, data=None, **extra):
        return super().get(path, data, **self._headers(extra))

    def post(self, path, data=None, content_type="application/json", **extra):
        return super().post(path, data, content_type=content_type, **self._headers(extra))

    def patch(self, path, data=None, content_type="application/json", **extra):
        return super().patch(path, data, content_type=content_type, **self._headers(extra))

    def put(self, path, data=None, content_type="application/json", **extra):
        return super().put(path, data, content_type=content_type, **self._headers(extra))

    def delete(self, path, data=None, content_type="application/json", **extra):
        return super().delete(path, data, content_type=content_type, **self._headers(extra))


def make_key(tenant, user, role: str = "owner", **kwargs) -> str:
    membership = Membership.objects.get(tenant=tenant, user=user)
    _, secret = api_key_create(
        tenant=tenant, actor=user, actor_membership=membership, name="test", role=role, **kwargs
    )
    return secret
