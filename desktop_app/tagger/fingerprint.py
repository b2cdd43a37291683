"""Rule repair: find the element most like the one a rule was made for, after the site changed.

A fingerprint (made in the page by `locator.js`) records the tag, role, text, a few stable
attributes, ancestor descriptions, nearby ids and the box on the page. When a saved rule
matches nothing any more, every plausible target on the page is fingerprinted and compared;
the best one above `REPAIR_THRESHOLD` is offered to the owner ("is this it?"). Pure.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Any

logger = logging.getLogger(__name__)

Fingerprint = dict[str, Any]

REPAIR_THRESHOLD = 0.55
# How far (px) an element may move before its position stops counting as evidence.
POSITION_SCALE_PX = 600.0


def _ratio(a: str, b: str) -> float:
    a, b = a.strip().lower(), b.strip().lower()
    if not a and not b:
        return 0.5  # no evidence either way
    return SequenceMatcher(None, a, b).ratio()


def _jaccard(a: Sequence[str], b: Sequence[str]) -> float:
    sa, sb = set(a), set(b)
    if not sa and not sb:
        return 0.5
    return len(sa & sb) / len(sa | sb)


def _attr_pairs(fp: Fingerprint) -> list[str]:
    attrs = fp.get("attrs") or {}
    pairs = [f"{k}={v}" for k, v in attrs.items()]
    if fp.get("id"):
        pairs.append(f"id={fp['id']}")
    pairs.extend(f"class={c}" for c in fp.get("classes") or [])
    return pairs


def _position(a: Fingerprint, b: Fingerprint) -> float:
    ba, bb = a.get("box") or {}, b.get("box") or {}
    if not ba or not bb:
        return 0.5
    ca = (ba.get("x", 0) + ba.get("w", 0) / 2, ba.get("y", 0) + ba.get("h", 0) / 2)
    cb = (bb.get("x", 0) + bb.get("w", 0) / 2, bb.get("y", 0) + bb.get("h", 0) / 2)
    return max(0.0, 1.0 - math.dist(ca, cb) / POSITION_SCALE_PX)


# (weight, comparison) pairs; weights sum to 1. Text carries most: owners name buttons by it.
SIMILARITY_TERMS: tuple[tuple[float, Callable[[Fingerprint, Fingerprint], float]], ...] = (
    (0.15, lambda a, b: float(a.get("tag") == b.get("tag"))),
    (0.10, lambda a, b: float(a.get("role") == b.get("role"))),
    (0.35, lambda a, b: _ratio(str(a.get("text") or ""), str(b.get("text") or ""))),
    (0.15, lambda a, b: _jaccard(_attr_pairs(a), _attr_pairs(b))),
    (
        0.10,
        lambda a, b: _jaccard(
            list(a.get("ancestors") or []) + list(a.get("nearby_ids") or []),
            list(b.get("ancestors") or []) + list(b.get("nearby_ids") or []),
        ),
    ),
    (0.15, _position),
)


def similarity(saved: Fingerprint, candidate: Fingerprint) -> float:
    """0 (nothing alike) … 1 (same tag, text, attributes, place)."""
    return sum(weight * term(saved, candidate) for weight, term in SIMILARITY_TERMS)


@dataclass(frozen=True, slots=True)
class RepairMatch:
    index: int
    score: float
    fingerprint: Fingerprint


def best_match(
    saved: Fingerprint, candidates: Sequence[Fingerprint], threshold: float = REPAIR_THRESHOLD
) -> RepairMatch | None:
    """The most similar candidate, or None when nothing is similar enough to offer."""
    best: RepairMatch | None = None
    for index, fp in enumerate(candidates):
        score = similarity(saved, fp)
        if best is None or score > best.score:
            best = RepairMatch(index, score, fp)
    if best is None or best.score < threshold:
        return None
    return best
