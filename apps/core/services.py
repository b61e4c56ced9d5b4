"""Writes every app shares. `model_update` is the one way a service changes plain fields of a row."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

from django.db import models

M = TypeVar("M", bound=models.Model)


def model_update(*, instance: M, fields: Iterable[str], data: dict[str, Any]) -> tuple[M, list[str]]:
    """Set `fields` from `data`, validate the whole row, and save only the fields that changed.

    Returns the instance and the names of the changed fields, so the caller can audit exactly those;
    nothing changed means nothing is validated or written. Field rules live on the model (validators,
    `clean()`), so every channel that writes through here gets them (HackSoft's `model_update`).
    """
    changed = [field for field in fields if field in data and getattr(instance, field) != data[field]]
    if not changed:
        return instance, []
    for field in changed:
        setattr(instance, field, data[field])
    instance.full_clean()
    touched = {f.name for f in instance._meta.concrete_fields if getattr(f, "auto_now", False)}
    instance.save(update_fields=[*changed, *sorted(touched)])
    return instance, changed
