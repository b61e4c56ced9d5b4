"""Rate limits and lockouts key on the client's address by one rule: trust only NUM_PROXIES hops.

X-Forwarded-For is written by the client, except for the hops our own proxies append. A client that
rotates the header must not get a fresh budget with each value.
"""

import pytest
from django.urls import reverse
from rest_framework.throttling import SimpleRateThrottle

pytestmark = pytest.mark.django_db

ANON_LIMIT = 3


@pytest.fixture(autouse=True)
def low_anon_rate(monkeypatch):
    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "anon", f"{ANON_LIMIT}/min")


@pytest.fixture
def proxies(settings):
    """N trusted proxies: NUM_PROXIES is the one setting the address rule reads."""

    def configure(count: int) -> None:
        settings.NUM_PROXIES = count

    return configure


def anonymous(client, forwarded: str, remote: str = "198.51.100.20", **headers):
    return client.get("/api/v1/me", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded, **headers)


def guessed_key(client, forwarded: str, number: int):
    return anonymous(client, forwarded, HTTP_AUTHORIZATION=f"Bearer tj_{number:08x}_guess")


@pytest.mark.parametrize(
    "call", [anonymous, lambda c, f, n=0: guessed_key(c, f, n)], ids=["anonymous", "bad_key"]
)
def test_without_proxies_a_rotating_forwarded_header_does_not_escape_the_limit(client, proxies, call):
    proxies(0)
    statuses = [call(client, f"203.0.113.{i}").status_code for i in range(ANON_LIMIT + 2)]
    assert statuses == [401] * ANON_LIMIT + [429, 429]
    # Another real address has its own budget.
    assert anonymous(client, "203.0.113.99", remote="198.51.100.21").status_code == 401


def test_behind_one_proxy_the_hop_it_appended_is_what_counts(client, proxies):
    proxies(1)
    statuses = [anonymous(client, f"10.9.9.{i}, 203.0.113.7").status_code for i in range(ANON_LIMIT + 1)]
    assert statuses == [401] * ANON_LIMIT + [429]
    assert guessed_key(client, "10.0.0.1, 203.0.113.7", 1).status_code == 429
    assert anonymous(client, "10.9.9.1, 203.0.113.8").status_code == 401


def test_fewer_hops_than_proxies_fall_back_to_the_connecting_address(client, proxies):
    """A header shorter than the proxy chain was not written by our proxies: none of it is trusted."""
    proxies(2)
    statuses = [anonymous(client, f"203.0.113.{i}").status_code for i in range(ANON_LIMIT + 1)]
    assert statuses == [401] * ANON_LIMIT + [429]


def test_sign_in_lockout_by_address_ignores_a_rotating_forwarded_header(
    client, proxies, settings, owner, password
):
    proxies(0)
    url = reverse("accounts:login")
    for i in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            url,
            {"username": f"nobody{i}@example.in", "password": "wrong-password"},
            REMOTE_ADDR="198.51.100.30",
            HTTP_X_FORWARDED_FOR=f"203.0.113.{i}",
        )
    response = client.post(
        url,
        {"username": owner.email, "password": password},
        REMOTE_ADDR="198.51.100.30",
        HTTP_X_FORWARDED_FOR="203.0.113.200",
    )
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
