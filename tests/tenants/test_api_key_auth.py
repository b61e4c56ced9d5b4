"""An API key answers only to its whole secret, and only while its maker still belongs to the shop."""

import pytest

from apps.tenants.models import ApiKey, Membership
from tests.api_helpers import ApiClient, make_key
from tests.conftest import add_member

pytestmark = pytest.mark.django_db


def test_a_real_prefix_with_a_wrong_secret_is_401(tenant, owner):
    secret = make_key(tenant, owner)
    prefix = ApiKey.objects.get().prefix
    assert secret.startswith(f"tj_{prefix}_")
    forged = f"tj_{prefix}_{'x' * 43}"

    response = ApiClient(forged).get("/api/v1/me")

    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"
    assert "not valid" in response.json()["message"]
    assert ApiKey.objects.get().last_used_at is None  # the forged call did not count as a use
    assert ApiClient(secret).get("/api/v1/me").status_code == 200


def test_an_unrevoked_key_of_a_maker_who_left_is_401_not_500(tenant, owner):
    admin = add_member(tenant, "admin", "leaver@shop-a.in")
    secret = make_key(tenant, admin, "admin")
    assert ApiClient(secret).get("/api/v1/me").status_code == 200
    # Removed outside the team page (Django admin deletes the row): the key itself is still live.
    Membership.objects.filter(tenant=tenant, user=admin).delete()
    assert ApiKey.objects.get(created_by=admin).revoked_at is None

    response = ApiClient(secret).get("/api/v1/me")

    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"
    assert "no longer belongs to this workspace" in response.json()["message"]
