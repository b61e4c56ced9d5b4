from apps.inventory.models import Purity
from apps.inventory.services import stock_item_create
from apps.tenants.models import Membership, Role
from tests.isolation import isolation_case


@isolation_case("api:stock-item-detail", methods=["GET", "PATCH", "DELETE"], api=True)
def _api_stock_item(other_tenant):
    owner = Membership.objects.for_tenant(other_tenant).get(role=Role.OWNER).user
    item = stock_item_create(
        tenant=other_tenant,
        actor=owner,
        name="Their ring",
        purity=Purity.objects.get(karat="22K"),
        gross_weight="3",
    )
    return {"pk": item.pk}
