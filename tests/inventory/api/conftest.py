import pytest

from tests.api_helpers import ApiClient, make_key


@pytest.fixture
def staff_api(tenant, staff_user):
    return ApiClient(make_key(tenant, staff_user, "staff"))


@pytest.fixture
def admin_api(tenant, admin_user):
    return ApiClient(make_key(tenant, admin_user, "admin"))


@pytest.fixture(autouse=True)
def certificates_dir(certificates_in_tmp):
    """Every certificate an API test stores lands in a folder of its own, removed afterwards."""
    return certificates_in_tmp
