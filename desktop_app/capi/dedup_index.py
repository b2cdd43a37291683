"""The server-copy index behind `dedup_pairing.pair_all`, keyed on the event ID string alone.

Meta's dedup key is (pixel, `event_name`, `event_id`):
https://developers.facebook.com/documentation/ads-commerce/conversions-api/deduplicate-pixel-and-server-events
Nearly every event ID belongs to one key only, so the hot index maps the ID string to its
copy (a str key hashes from its cache and compares once; a (pixel, name, id) tuple per
observation costs an allocation, a hash and three compares). The pixel and name are then checked
on the hit. An ID seen under several keys (a name mismatch, a second pixel, a server copy
without pixel id) is marked MIXED and its copies move to the full-key index `by_key`, which
the pairing then uses exactly as before for that ID.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from desktop_app.capi.dedup_pair import Pair
from desktop_app.capi.observations import ServerObservation

logger = logging.getLogger(__name__)

Key = tuple[str | None, str, str]
MIXED: Any = object()  # by_id marker: this ID has copies under several keys, see by_key
_GENERAL_LAYOUT = object()


class ServerIndex:
    """by_id: event ID → a server copy, a list of copies sharing one key, a Pair (taken) or
    MIXED; by_key: full key → the same, for MIXED IDs only. `later` keeps, for the rare ID with
    several server keys, where each further key first appeared (count of IDs seen before it),
    so the one-sided server copies come out in the order of their first copy."""

    __slots__ = ("by_id", "by_key", "first_key", "later")

    def __init__(self) -> None:
        # One non-str key keeps the dict in CPython's general layout, which stores each key's
        # hash in the table: an all-str dict reads the hash from the string object instead, a
        # cache miss per probe at 1 M IDs (measured: +0.3 s at 1 M, though faster at 300 k).
        # Its value (None) is no index entry, so every pass over by_id skips it.
        self.by_id: dict[Any, Any] = {_GENERAL_LAYOUT: None}
        self.by_key: dict[Key, Any] = {}
        self.first_key: dict[str, Key] = {}  # MIXED ID → the key of its first server copy
        self.later: list[tuple[int, Key]] = []

    def add_all(self, items: Iterable[ServerObservation]) -> list[ServerObservation]:
        """Index the server copies; return those without an ID."""
        no_id: list[ServerObservation] = []
        by_id = self.by_id
        first_of = by_id.setdefault  # one dict operation per observation on the hot path
        for item in items:
            event_id = item.event_id
            if not event_id:
                no_id.append(item)
                continue
            first = first_of(event_id, item)
            if first is not item:
                self._add_again(event_id, first, item)
        return no_id

    def _add_again(self, event_id: str, first: Any, item: ServerObservation) -> None:
        key: Key = (item.pixel_id, item.event_name, event_id)
        if first is not MIXED:
            if key_of(first, event_id) == key:
                if type(first) is list:
                    first.append(item)
                else:
                    self.by_id[event_id] = [first, item]
                return
            self.mix(event_id, first)
        known = self.by_key.get(key)
        if known is None:
            self.by_key[key] = item
            self.later.append((len(self.by_id), key))
        elif type(known) is list:
            known.append(item)
        else:
            self.by_key[key] = [known, item]

    def mix(self, event_id: str, entry: Any) -> None:
        """Move the ID's single-key entry to `by_key` and mark the ID MIXED."""
        if entry is MIXED:
            return
        key = key_of(entry, event_id)
        self.by_key[key] = entry
        if type(entry) is list or type(entry) is ServerObservation:  # not a browser copy's Pair
            self.first_key[event_id] = key
        self.by_id[event_id] = MIXED

    def leftovers(self) -> list[tuple[Key, Any]]:
        """(key, copy or copies) of every server key no browser copy took, in the order of
        each key's first server copy."""
        out: list[tuple[Key, Any]] = []
        later, pending = self.later, 0
        by_key, first_key = self.by_key, self.first_key
        server_type, taken = ServerObservation, Pair
        if not later:  # the common case: no ID with several server keys, no order to restore
            for event_id, entry in self.by_id.items():
                kind = type(entry)
                if kind is taken:
                    continue
                if kind is server_type or kind is list:
                    out.append((key_of(entry, event_id), entry))
                elif entry is MIXED and event_id in first_key:
                    key = first_key[event_id]
                    out.append((key, by_key[key]))
            return out
        for index, (event_id, entry) in enumerate(self.by_id.items()):
            while pending < len(later) and later[pending][0] <= index:
                out.append((later[pending][1], by_key[later[pending][1]]))
                pending += 1
            kind = type(entry)
            if kind is server_type or kind is list:
                out.append((key_of(entry, event_id), entry))
            elif entry is MIXED and event_id in first_key:
                key = first_key[event_id]
                out.append((key, by_key[key]))
        out.extend((key, by_key[key]) for _, key in later[pending:])
        return out


def key_of(entry: Any, event_id: str) -> Key:
    """The full key of an index entry: a server copy, a list of them, or a Pair (its browser
    copy's key)."""
    if type(entry) is list:
        entry = entry[0]
    if type(entry) is ServerObservation:
        return (entry.pixel_id, entry.event_name, event_id)
    return (entry.pixel.pixel_id, entry.event_name, event_id)
