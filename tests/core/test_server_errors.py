"""A bug that escapes a view answers 500 in the API's JSON shape (or the plain 500 page), logged for
us and telling the caller nothing about the code, the data or the query that failed.

The failing views live only here: the tests route to them with @pytest.mark.urls(__name__).
"""

import logging

import pytest
from django.db import connection
from django.test import Client
from django.urls import include, path
from rest_framework.response import Response
from rest_framework.views import APIView

from tests.api_helpers import ApiClient, make_key

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]

SECRET = "tj_detail_4fd1 SELECT password FROM accounts_user"


class BrokenApiView(APIView):
    def get(self, request):
        raise RuntimeError(SECRET)

    def post(self, request):
        with connection.cursor() as cursor:
            cursor.execute("SELECT no_such_column FROM tenants_tenant")  # an ORM/SQL bug, not bad input
        return Response({})


def broken_plain_view(request):
    raise KeyError(SECRET)


urlpatterns = [
    path("api/v1/broken", BrokenApiView.as_view()),
    path("api/v1/broken-plain", broken_plain_view),
    path("broken-page", broken_plain_view),
    path("", include("config.urls")),
]
handler404 = "apps.core.views.not_found_view"
handler500 = "apps.core.views.server_error_view"

GENERIC = {
    "code": "server_error",
    "message": "Something went wrong on our side. Please try again.",
    "fields": {},
}


@pytest.mark.parametrize("method", ["get", "post"])
def test_an_unexpected_error_in_an_api_view_is_a_json_500_without_details(method, tenant, owner, caplog):
    client = ApiClient(make_key(tenant, owner))
    with caplog.at_level(logging.ERROR):
        response = getattr(client, method)("/api/v1/broken")

    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    assert response.json() == GENERIC
    body = response.content.decode()
    for detail in ("tj_detail_4fd1", "password", "no_such_column", "Traceback", "RuntimeError", "Error"):
        assert detail not in body
    assert "unhandled API error" in caplog.text  # the details go to our logs instead


def test_an_unexpected_error_outside_drf_under_api_is_a_json_500_too(tenant, owner):
    client = Client(raise_request_exception=False)
    response = client.get("/api/v1/broken-plain")

    assert response.status_code == 500
    assert response.json() == GENERIC
    assert "tj_detail_4fd1" not in response.content.decode()


def test_an_unexpected_error_on_a_page_is_the_plain_500_page_without_details(owner_client):
    owner_client.raise_request_exception = False
    response = owner_client.get("/broken-page")

    assert response.status_code == 500
    assert response["Content-Type"].startswith("text/html")
    body = response.content.decode()
    assert "tj_detail_4fd1" not in body and "KeyError" not in body and "Traceback" not in body
