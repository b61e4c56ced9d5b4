"""`TenantViewSet`: the one place an API endpoint gets its tenant scope, its roles and its throttles.

A subclass names its model and the selector that lists the tenant's rows:

    class StockItemViewSet(mixins.ListModelMixin, TenantViewSet):
        model = StockItem
        selector = staticmethod(selectors.stock_item_list)
        write_role = rights.STOCK_KEEP
        action_roles = {"destroy": rights.STOCK_DELETE}
        expensive_actions = frozenset({"create"})

Every object it reads comes from `selector(tenant=request.tenant)`, so another tenant's id is a 404
exactly like a missing one. The right an action needs (from `apps.tenants.rights`; a bare role only at
the staff level) is read by `TenantRolePermission` (`action_roles`, else `read_role` for safe methods
and `write_role` for the rest).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from django.db import models
from django.db.models import QuerySet
from rest_framework import viewsets

from apps.core.api.throttling import ExpensiveOperationThrottle


class TenantViewSet(viewsets.GenericViewSet):
    model: ClassVar[type[models.Model]]
    selector: ClassVar[Callable[..., QuerySet]]
    action_roles: ClassVar[dict[str, object]] = {}  # action → a Right, or Role.STAFF
    expensive_actions: ClassVar[frozenset[str]] = frozenset()
    lookup_value_regex = r"\d+"

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        model = cls.__dict__.get("model")
        if model is not None:
            # The router names routes after it and the schema reads its fields; requests never use it.
            cls.queryset = model._default_manager.none()

    def get_queryset(self) -> QuerySet:
        if getattr(self, "swagger_fake_view", False):
            return self.model._default_manager.none()
        return type(self).selector(tenant=self.request.tenant)

    def get_throttles(self):
        throttles = super().get_throttles()
        if self.action in self.expensive_actions:
            return [*throttles, ExpensiveOperationThrottle()]
        return throttles
