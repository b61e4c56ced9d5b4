"""Carries the request id and tenant id into every log record, in text and JSON formats alike."""

from __future__ import annotations

import logging

from apps.core.context import request_meta_var, tenant_id_var


class RequestContextFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_meta_var.get().request_id or "-"
        record.tenant_id = tenant_id_var.get()
        return True
