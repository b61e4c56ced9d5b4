from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from apps.audit.models import AuditEvent
from apps.tenants.models import ApiKey, Invitation, Membership, Role
from tests.api_helpers import ApiClient, make_key
from tests.conftest import add_member

pytestmark = pytest.mark.django_db


def _error(response):
    body = response.json()
    assert set(body) == {"code", "message", "fields"}, body
    return body


def test_me_with_an_api_key(api, tenant, owner):
    response = api.get("/api/v1/me")
    assert response.status_code == 200
    body = response.json()
    assert body["user"]["email"] == owner.email
    assert body["tenant"]["id"] == tenant.pk and body["role"] == "owner"
    assert body["authenticated_by"] == "api_key" and body["api_key"].isalnum()


def test_me_with_the_browser_session(owner_client, tenant):
    body = owner_client.get("/api/v1/me").json()
    assert body["authenticated_by"] == "session" and body["tenant"]["id"] == tenant.pk


def test_no_credentials_is_401_with_a_clear_message(client):
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert _error(response)["code"] == "not_authenticated"
    assert "API key" in response.json()["message"]
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize(
    "header, message",
    [
        ("Bearer nonsense", "not a Tijori API key"),
        ("Bearer tj_deadbeef_wrongsecret", "not valid"),
        ("Bearer ", "no key"),
    ],
)
def test_bad_keys_are_401(client, header, message):
    response = client.get("/api/v1/me", HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    body = _error(response)
    assert body["code"] == "authentication_failed" and message in body["message"]


def test_expired_key_is_401(tenant, owner):
    client = ApiClient(make_key(tenant, owner, expires_at=timezone.now() + timedelta(hours=1)))
    assert client.get("/api/v1/me").status_code == 200
    ApiKey.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    response = client.get("/api/v1/me")
    assert response.status_code == 401 and "expired" in response.json()["message"]


def test_key_with_past_expiry_is_refused(api):
    response = api.post("/api/v1/api-keys", {"name": "old", "expires_at": "2020-01-01T00:00:00Z"})
    assert response.status_code == 400
    assert "future" in response.json()["fields"]["expires_at"][0]


def test_revoked_key_stops_working_at_once(tenant, owner):
    secret = make_key(tenant, owner)
    client = ApiClient(secret)
    assert client.get("/api/v1/me").status_code == 200
    key = ApiKey.objects.get()
    other = ApiClient(make_key(tenant, owner))
    other.delete(f"/api/v1/api-keys/{key.pk}")
    response = client.get("/api/v1/me")
    assert response.status_code == 401 and "revoked" in response.json()["message"]
    assert AuditEvent.objects.filter(action="api_key.revoke", target_id=str(key.pk)).exists()


def test_create_key_shows_secret_once_and_stores_only_a_hash(api, tenant):
    response = api.post("/api/v1/api-keys", {"name": "Tally sync", "role": "staff"})
    assert response.status_code == 201
    body = response.json()
    secret = body["secret"]
    assert secret.startswith(f"tj_{body['prefix']}_")
    key = ApiKey.objects.get(pk=body["id"])
    assert secret not in key.key_hash and len(key.key_hash) == 64
    listed = api.get(f"/api/v1/api-keys/{key.pk}").json()
    assert "secret" not in listed and listed["role"] == "staff" and listed["status"] == "active"
    assert ApiClient(secret).get("/api/v1/me").json()["role"] == "staff"
    assert AuditEvent.objects.filter(action="api_key.create", target_id=str(key.pk)).exists()


def test_key_role_cannot_exceed_the_makers(tenant, admin_user):
    admin_api = ApiClient(make_key(tenant, admin_user, "admin"))
    response = admin_api.post("/api/v1/api-keys", {"name": "x", "role": "owner"})
    assert response.status_code == 403
    assert _error(response)["code"] == "role_not_allowed"
    assert ApiKey.objects.count() == 1


def test_key_is_capped_by_its_makers_current_role(tenant, owner, admin_user):
    secret = make_key(tenant, admin_user, "admin")
    Membership.objects.filter(user=admin_user).update(role=Role.STAFF)
    body = ApiClient(secret).get("/api/v1/me").json()
    assert body["role"] == "staff"


def test_removing_a_member_revokes_their_keys(api, tenant, admin_user):
    secret = make_key(tenant, admin_user, "admin")
    membership = Membership.objects.get(user=admin_user)
    assert api.delete(f"/api/v1/members/{membership.pk}").status_code == 204
    response = ApiClient(secret).get("/api/v1/me")
    assert response.status_code == 401 and "revoked" in response.json()["message"]


def test_staff_key_cannot_write_or_read_admin_lists(tenant, staff_user):
    staff = ApiClient(make_key(tenant, staff_user, "staff"))
    assert staff.get("/api/v1/members").status_code == 200
    for path in ["/api/v1/api-keys", "/api/v1/audit-events", "/api/v1/invitations"]:
        response = staff.get(path)
        assert response.status_code == 403, path
        assert _error(response)["code"] == "permission_denied"
    response = staff.post("/api/v1/members", {"email": "x@example.in", "role": "staff"})
    assert response.status_code == 403 and not Invitation.objects.exists()


def test_tenant_read_and_update(api, tenant):
    assert api.get("/api/v1/tenant").json()["name"] == tenant.name
    response = api.patch("/api/v1/tenant", {"name": "Renamed Jewellers", "address": "MG Road"})
    assert response.status_code == 200
    tenant.refresh_from_db()
    assert (tenant.name, tenant.address, tenant.state_code) == ("Renamed Jewellers", "MG Road", "27")
    bad = api.patch("/api/v1/tenant", {"gstin": "27AAPFU0939F1ZX"})
    assert bad.status_code == 400
    body = _error(bad)
    assert body["code"] == "invalid" and "check digit" in body["fields"]["gstin"][0]
    tenant.refresh_from_db()
    assert tenant.gstin == ""


def test_members_list_invite_role_and_remove(
    api, tenant, owner, staff_user, django_capture_on_commit_callbacks
):
    listed = api.get("/api/v1/members").json()
    assert listed["count"] == 2 and {m["user"]["email"] for m in listed["results"]} == {
        owner.email,
        staff_user.email,
    }
    assert api.get("/api/v1/members", {"role": "owner"}).json()["count"] == 1
    with django_capture_on_commit_callbacks(execute=True):
        invited = api.post("/api/v1/members", {"email": "new@example.in", "role": "admin"})
    assert invited.status_code == 201 and invited.json()["status"] == "pending"
    assert mail.outbox[-1].to == ["new@example.in"]
    staff_m = Membership.objects.get(user=staff_user)
    changed = api.patch(f"/api/v1/members/{staff_m.pk}", {"role": "admin"})
    assert changed.status_code == 200 and changed.json()["role"] == "admin"
    assert api.delete(f"/api/v1/members/{staff_m.pk}").status_code == 204
    assert not Membership.objects.filter(pk=staff_m.pk).exists()


def test_last_owner_rule_over_the_api_is_409(api, tenant, owner):
    me = Membership.objects.get(user=owner)
    response = api.patch(f"/api/v1/members/{me.pk}", {"role": "staff"})
    assert response.status_code == 409
    assert _error(response)["code"] == "last_owner"
    assert api.delete(f"/api/v1/members/{me.pk}").status_code == 409


def test_staff_may_leave_but_not_remove_others(tenant, staff_user, owner):
    staff = ApiClient(make_key(tenant, staff_user, "staff"))
    owner_m = Membership.objects.get(user=owner)
    assert staff.delete(f"/api/v1/members/{owner_m.pk}").status_code == 403
    me = Membership.objects.get(user=staff_user)
    assert staff.delete(f"/api/v1/members/{me.pk}").status_code == 204


def test_invitations_list_and_withdraw(api, tenant):
    api.post("/api/v1/members", {"email": "a@example.in"})
    listed = api.get("/api/v1/invitations").json()
    assert listed["count"] == 1
    invitation_id = listed["results"][0]["id"]
    assert api.delete(f"/api/v1/invitations/{invitation_id}").status_code == 204
    assert api.get("/api/v1/invitations").json()["count"] == 0


def test_deactivated_tenant_is_403_over_the_api(api, tenant, owner):
    from apps.tenants.services import tenant_set_active

    tenant_set_active(tenant=tenant, actor=owner, active=False)
    response = api.get("/api/v1/me")
    assert response.status_code == 403 and "deactivated" in response.json()["message"]


def test_list_query_counts_do_not_grow_with_rows(
    api, tenant, owner, django_assert_num_queries, django_assert_max_num_queries
):
    for _ in range(3):
        add_member(tenant, Role.STAFF)
    for path in ["/api/v1/members", "/api/v1/audit-events", "/api/v1/api-keys", "/api/v1/invitations"]:
        api.get(path)  # the key's first use records last_used_at; measure after it
        with django_assert_max_num_queries(50) as before:
            api.get(path)
        baseline = len(before.captured_queries)
        for i in range(30):
            add_member(tenant, Role.STAFF)
            api.post("/api/v1/members", {"email": f"inv{i}-{path[8:12]}@example.in"})
        api.post("/api/v1/api-keys", {"name": "more"})
        with django_assert_num_queries(baseline):
            response = api.get(path)
        assert response.status_code == 200, path


def test_page_size_is_capped(api, tenant):
    for _ in range(5):
        add_member(tenant, Role.STAFF)
    body = api.get("/api/v1/members", {"page_size": 2}).json()
    assert len(body["results"]) == 2 and body["next"]
    assert len(api.get("/api/v1/members", {"page_size": 100000}).json()["results"]) == 6
    assert api.get("/api/v1/members", {"page": 999}).status_code == 404


def test_audit_trail_names_the_key_used(api, tenant, owner):
    api.post("/api/v1/members", {"email": "via-key@example.in"})
    event = AuditEvent.objects.get(action="invitation.create")
    assert event.actor == owner
    assert event.actor_label.startswith(f"{owner.email} via API key tj_")


# --- a key answers only to its whole secret, and only while its maker still belongs to the shop


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


def test_a_withdrawn_invitation_is_gone_from_the_api_and_a_second_withdrawal_changes_nothing(
    api, tenant, invited
):
    invitation, _ = invited
    assert api.delete(f"/api/v1/invitations/{invitation.pk}").status_code == 204

    again = api.delete(f"/api/v1/invitations/{invitation.pk}")

    assert again.status_code == 404, again.content  # the API lists and acts on open invitations only
    assert invitation.pk not in [i["id"] for i in api.get("/api/v1/invitations").json()["results"]]
    assert AuditEvent.objects.filter(tenant=tenant, action="invitation.revoke").count() == 1


# --- the API and the page mean the same expiry for the same day -------------------------------------


def test_expires_on_over_the_api_is_the_day_the_page_means(api, owner_client):
    page = owner_client.post(
        reverse("tenants:api_keys"), {"name": "page", "role": "staff", "expires_on": "2030-03-31"}
    )
    assert page.status_code == 200
    response = api.post("/api/v1/api-keys", {"name": "api", "role": "staff", "expires_on": "2030-03-31"})
    assert response.status_code == 201, response.content

    by_page, by_api = ApiKey.objects.get(name="page"), ApiKey.objects.get(name="api")
    assert by_page.expires_at == by_api.expires_at
    assert response.json()["expires_at"] == "2030-03-31T23:59:59.999999+05:30"
    same = api.post("/api/v1/api-keys", {"name": "at", "expires_at": "2030-03-31T23:59:59.999999+05:30"})
    assert ApiKey.objects.get(pk=same.json()["id"]).expires_at == by_page.expires_at


def test_expires_on_and_expires_at_together_are_a_400_naming_expires_on(api):
    response = api.post(
        "/api/v1/api-keys", {"name": "x", "expires_on": "2030-03-31", "expires_at": "2030-03-31T10:00:00Z"}
    )
    assert response.status_code == 400
    assert "not both" in response.json()["fields"]["expires_on"][0]
    assert not ApiKey.objects.filter(name="x").exists()


def test_the_schema_says_what_a_day_of_expiry_means():
    from apps.tenants.api import ApiKeyInput

    fields = ApiKeyInput().fields
    assert "end of that day, India time" in fields["expires_on"].help_text
    assert "expires_on" in fields["expires_at"].help_text


def test_members_filter_by_role_through_the_selector(api, tenant, staff_user, admin_user):
    staff = api.get("/api/v1/members", {"role": "staff"}).json()["results"]
    assert [m["user"]["email"] for m in staff] == ["staff@shop-a.in"]
    everyone = api.get("/api/v1/members").json()["results"]
    assert [m["id"] for m in everyone] == sorted(m["id"] for m in everyone)  # by id: pages stay stable
    assert len(everyone) == 3
    assert api.get("/api/v1/members", {"role": "boss"}).status_code == 400
