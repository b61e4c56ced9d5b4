"""REST endpoints of the inventory: stock, purities, rates, certificates and hallmarking batches."""

from apps.inventory.api.batches import HallmarkBatchViewSet
from apps.inventory.api.certificates import CertificateViewSet
from apps.inventory.api.rates import MetalRateViewSet
from apps.inventory.api.stock import PurityViewSet, StockItemViewSet

__all__ = [
    "CertificateViewSet",
    "HallmarkBatchViewSet",
    "MetalRateViewSet",
    "PurityViewSet",
    "StockItemViewSet",
]
