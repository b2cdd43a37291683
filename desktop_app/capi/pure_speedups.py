"""Frozen-ness and speed for the pure-Python build only; never compiled (see setup.py).

Where a C compiler was available at install time, mypyc compiles the hashing hot path
(`user_data`, `normalize`, …): `FieldTrace` and `Normalized` are then native classes whose
`Final` attributes are read-only and whose instances are built in C, and nothing here runs.
Where it was not, those modules run as plain Python, and `install_*` below give the classes
what a frozen dataclass has (assignments raise `FrozenInstanceError`, an `AttributeError`)
plus the construction tricks that keep that path fast. tests/capi/test_fast_paths.py checks
both builds give the same instances.
"""

from __future__ import annotations

import logging
import types
from collections.abc import Callable
from dataclasses import FrozenInstanceError
from typing import Any

logger = logging.getLogger(__name__)


def is_compiled(function: Callable[..., Any]) -> bool:
    """True when `function` was compiled by mypyc (a plain `def` is a Python function)."""
    return not isinstance(function, types.FunctionType)


def _freeze(cls: type) -> None:
    """Assignments and deletions raise as on a frozen dataclass."""

    def __setattr__(self: Any, name: str, value: Any) -> None:
        raise FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self: Any, name: str) -> None:
        raise FrozenInstanceError(f"cannot delete field {name!r}")

    cls.__setattr__ = __setattr__  # type: ignore[method-assign,assignment]
    cls.__delattr__ = __delattr__  # type: ignore[method-assign,assignment]


def _slot_setters(cls: type, names: tuple[str, ...]) -> tuple[Callable[[Any, Any], None], ...]:
    # A slot's descriptor stores into the instance without the class's `__setattr__`, as
    # `object.__setattr__` does, but is a direct call (no attribute lookup by name).
    return tuple(cls.__dict__[name].__set__ for name in names)


def install_normalized_init(normalized: type) -> None:
    """Freeze `Normalized`; its `__init__` then sets the slots through their descriptors
    (same arguments, defaults and instances). Building these small results through
    `object.__setattr__`, as a frozen dataclass does, was a tenth of a record's cost."""
    set_value, set_error, set_note = _slot_setters(normalized, ("value", "error", "note"))

    def __init__(
        self: Any, value: str | None, error: str | None = None, note: str | None = None
    ) -> None:
        set_value(self, value)
        set_error(self, error)
        set_note(self, note)

    normalized.__init__ = __init__  # type: ignore[misc]
    _freeze(normalized)


def install_trace_init(field_trace: type) -> Callable[..., Any]:
    """Freeze `FieldTrace` as `install_normalized_init` does `Normalized`, and return a
    builder that makes a `FieldTrace` in ~40 % of the time of `FieldTrace(...)`, for
    `hash_value`.

    The builder is a class with the same slots whose plain attribute stores CPython 3.12
    specializes; the instance then becomes a `FieldTrace`: same slots, same order, same base,
    which is what `__class__` assignment requires, so the result is an ordinary frozen
    `FieldTrace`.
    """
    names = ("key", "raw", "normalized", "sha256", "error", "note")
    set_key, set_raw, set_normalized, set_sha256, set_error, set_note = _slot_setters(
        field_trace, names
    )

    def __init__(  # noqa: PLR0917 (FieldTrace's own positional signature)
        self: Any,
        key: str,
        raw: str,
        normalized: str | None,
        sha256: str | None,
        error: str | None = None,
        note: str | None = None,
    ) -> None:
        set_key(self, key)
        set_raw(self, raw)
        set_normalized(self, normalized)
        set_sha256(self, sha256)
        set_error(self, error)
        set_note(self, note)

    field_trace.__init__ = __init__  # type: ignore[misc]
    _freeze(field_trace)

    class TraceBuilder:
        __slots__ = ("error", "key", "normalized", "note", "raw", "sha256")  # CPython sorts

        def __init__(  # noqa: PLR0917 (FieldTrace's own positional signature)
            self,
            key: str,
            raw: str,
            normalized: str | None,
            sha256: str | None,
            error: str | None = None,
            note: str | None = None,
        ) -> None:
            self.key = key
            self.raw = raw
            self.normalized = normalized
            self.sha256 = sha256
            self.error = error
            self.note = note
            self.__class__ = field_trace  # noqa: PLE0237 (see above)

    return TraceBuilder
