"""Model instances read by one hand-written SQL statement, for the lookups made on every request.

Building and compiling an ORM query with joins and a subquery costs more Python than PostgreSQL takes
to answer it: the API key's lookup (the key, its tenant, its creator and the creator's role) took
2.4 ms through the ORM and 0.56 ms as one statement written once (docs/performance.md). A `ModelRow`
writes the select list of its models' concrete columns in field order and turns a row back into
instances as the ORM does (`Model.from_db`, with the converters the ORM would apply: SQLite's dates and
decimals, JSON, custom fields).
"""

from __future__ import annotations

import weakref
from collections.abc import Sequence

from django.db import connections
from django.db.models import Model


class ModelRow:
    """The columns of several models side by side in one row, each model under its own table alias."""

    def __init__(self, *models: tuple[type[Model], str]) -> None:
        self.models = models
        self.fields = [list(model._meta.concrete_fields) for model, _alias in models]
        self._attnames = [[field.attname for field in fields] for fields in self.fields]
        self._pk_index = [
            fields.index(model._meta.pk) for (model, _alias), fields in zip(models, self.fields, strict=True)
        ]
        self.width = sum(len(fields) for fields in self.fields)
        # Per connection object (one per thread and alias): an operations converter may read its connection.
        self._converters_by: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

    def select_list(self, using: str = "default") -> str:
        connection = connections[using]
        quote = connection.ops.quote_name
        return ", ".join(
            f"{alias}.{quote(field.column)}"
            for (_model, alias), fields in zip(self.models, self.fields, strict=True)
            for field in fields
        )

    def instances(self, row: Sequence, using: str = "default") -> list[Model | None]:
        """One instance per model from the row's leading columns; None for a model whose primary key
        is NULL (the missing side of a LEFT JOIN)."""
        connection = connections[using]
        found: list[Model | None] = []
        start = 0
        for (model, _alias), attnames, pk_index, converters in zip(
            self.models, self._attnames, self._pk_index, self._converters(connection), strict=True
        ):
            values = list(row[start : start + len(attnames)])
            start += len(attnames)
            if values[pk_index] is None:
                found.append(None)
                continue
            for index, column, convert in converters:
                values[index] = convert(values[index], column, connection)
            found.append(model.from_db(using, attnames, values))
        return found

    def _converters(self, connection) -> list[list[tuple]]:
        """Per model, (index, column, converter) for each value the ORM would convert; found once."""
        if connection not in self._converters_by:
            by_model = []
            for (model, _alias), fields in zip(self.models, self.fields, strict=True):
                converters = []
                for index, field in enumerate(fields):
                    column = field.get_col(model._meta.db_table)
                    for convert in connection.ops.get_db_converters(column) + column.get_db_converters(
                        connection
                    ):
                        converters.append((index, column, convert))
                by_model.append(converters)
            self._converters_by[connection] = by_model
        return self._converters_by[connection]


def table_name(model: type[Model], using: str = "default") -> str:
    """The model's table, quoted as the ORM writes it."""
    return connections[using].ops.quote_name(model._meta.db_table)
