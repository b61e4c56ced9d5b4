"""Purities as a spreadsheet writes them: 22K916, 22K, 22KT, 916, Gold 916, Silver 925."""

from __future__ import annotations

import re
from collections.abc import Iterable

from apps.inventory.models import Purity


def _spelling_key(text: str) -> str:
    key = re.sub(r"[\s_\-]+", "", text.upper())
    return re.sub(r"^(\d+)KT", r"\1K", key)  # "22KT" is how many shops write 22K


def purity_spellings(purities: Iterable[Purity]) -> dict[str, dict[int, Purity]]:
    """Every way a purity may be written (22K916, 22K, 916, Gold 916, Silver 925) → the purities it names.

    A purity no longer in use is named by its label only, as exports write it, and only where that
    names no purity in use: a row keeps it on its article, and is told to choose another otherwise.
    """
    names: dict[str, dict[int, Purity]] = {}
    purities = list(purities)
    for purity in purities:
        if purity.is_active:
            spellings = {purity.label, f"{purity.metal}{purity.fineness}", str(purity.fineness), purity.karat}
            for spelling in filter(None, spellings):
                names.setdefault(_spelling_key(spelling), {})[purity.pk] = purity
    for purity in purities:
        if not purity.is_active:
            names.setdefault(_spelling_key(purity.label), {purity.pk: purity})
    return names


def purity_named(text: str, names: dict[str, dict[int, Purity]]) -> Purity | str:
    """The purity `text` names, or why it names none."""
    if not text:
        return "Enter the purity, like 22K916 or Silver 925."
    found = names.get(_spelling_key(text), {})
    if len(found) == 1:
        return next(iter(found.values()))
    if found:
        labels = " or ".join(sorted(p.label for p in found.values()))
        return f"“{text}” could be {labels}: write the purity in full."
    return f"“{text}” is not a purity Tijori knows. Write it as on the tag, like 22K916 or Silver 925."
