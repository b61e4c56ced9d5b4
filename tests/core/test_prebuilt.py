"""`prebuilt`: a queryset built once per thread, handed out as clones that filter independently."""

import threading

import pytest

from apps.core.db.prebuilt import prebuilt
from apps.tenants.models import Tenant

pytestmark = pytest.mark.django_db


def test_built_once_per_thread_and_each_call_is_a_clone_of_its_own(tenant, other_tenant):
    builds = []

    @prebuilt
    def tenants():
        builds.append(threading.get_ident())
        return Tenant.objects.order_by("pk")

    first, second = tenants(), tenants()
    assert first is not second and first.query is not second.query
    only_one = first.filter(pk=tenant.pk)

    assert list(only_one) == [tenant]
    assert list(second) == [tenant, other_tenant]  # the first caller's filter did not reach it
    assert list(tenants()) == [tenant, other_tenant]
    assert builds == [threading.get_ident()]

    elsewhere = threading.Thread(target=tenants)
    elsewhere.start()
    elsewhere.join()
    assert len(builds) == 2 and builds[1] != builds[0]  # another thread builds its own
