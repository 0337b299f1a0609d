"""The one row -> model mapper every repository uses.

A model's fields are read from the columns of the same name (optionally with a prefix, for joins that
alias one table's columns). The field's annotation decides the conversion, so a new enum or flag column
needs no mapping code: a :class:`enum.Enum` type (or ``Enum | None``) is built from the stored string,
``bool`` from SQLite's 0/1, ``tuple[...]`` from a JSON array. Fields with a default may be missing from the
row. Anything else (JSON objects, sets) the caller passes in ``overrides``.
"""

from __future__ import annotations

import dataclasses
import enum
import json
import sqlite3
import types
import typing
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")

_Convert = Callable[[Any], Any]


def _identity(value: Any) -> Any:
    return value


def _optional(convert: _Convert) -> _Convert:
    return lambda value: None if value is None else convert(value)


def _json_tuple(item: _Convert) -> _Convert:
    def convert(value: Any) -> tuple[Any, ...]:
        items = json.loads(value) if isinstance(value, str | bytes) else value
        return tuple(item(x) for x in items)

    return convert


def _converter(hint: Any) -> _Convert:
    origin = typing.get_origin(hint)
    if origin in (types.UnionType, typing.Union):
        args = [a for a in typing.get_args(hint) if a is not type(None)]
        inner = _converter(args[0]) if len(args) == 1 else _identity
        return _optional(inner) if inner is not _identity else _identity
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return hint
    if hint is bool:
        return bool
    if origin is tuple:
        items = typing.get_args(hint)
        item = _converter(items[0]) if items else _identity
        return _json_tuple(int if items and items[0] is int else item)
    return _identity


# (field, converter or None when the stored value is used as is, whether the field has a default)
_Plan = tuple[tuple[str, _Convert | None, bool], ...]
_plans: dict[type, _Plan] = {}


def _plan(cls: type) -> _Plan:
    """(field name, converter, has a default) for each field of ``cls``, worked out once per class."""
    cached = _plans.get(cls)
    if cached is not None:
        return cached
    hints = typing.get_type_hints(cls)
    plan: list[tuple[str, _Convert | None, bool]] = []
    for f in dataclasses.fields(cls):
        has_default = f.default is not dataclasses.MISSING or f.default_factory is not dataclasses.MISSING
        convert = _converter(hints[f.name])
        plan.append((f.name, None if convert is _identity else convert, has_default))
    _plans[cls] = tuple(plan)
    return _plans[cls]


def row_to(cls: type[T], row: sqlite3.Row, prefix: str = "", **overrides: Any) -> T:
    """Build the dataclass ``cls`` from ``row`` (columns named ``prefix + field``)."""
    values: dict[str, Any] = {}
    for name, convert, has_default in _plan(cls):
        if name in overrides:
            values[name] = overrides[name]
            continue
        try:
            raw = row[prefix + name]
        except (IndexError, KeyError):  # sqlite3.Row and asyncpg Record answers to an unknown column
            if has_default:
                continue
            raise KeyError(f"{cls.__name__}.{name}: no column {prefix + name!r} in the row") from None
        values[name] = raw if convert is None else convert(raw)
    return cls(**values)
