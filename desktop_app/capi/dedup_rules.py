"""The dedup doctor's rule book: each verdict and warning, what Meta counts, and the fix.

Data only (the pairing in `dedup.py` decides which rule applies). Meta's rules:
https://developers.facebook.com/documentation/ads-commerce/conversions-api/deduplicate-pixel-and-server-events
— same pixel, `event_name` and `event_id` within 48 hours are counted once; within ~5 minutes
Meta keeps the browser copy, otherwise the first one received. The real failures behind each
rule are listed in `shared/reference/user-problems.md` §3–4 and cited per rule.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

logger = logging.getLogger(__name__)

DEDUP_WINDOW_S = 48 * 3600  # Meta: later copies within 48 h of the first are discarded
BROWSER_PREFERENCE_S = 5 * 60  # Meta: within ~5 min the browser copy is the one kept
DOUBLE_FIRE_WINDOW_S = 2.0  # two sends of one gesture land within a couple of seconds

# Conversions that happen once per order/sign-up: a second copy with a new id after a reload
# is a duplicate, not a second conversion (FB4Woo #4047, pinterest-for-woocommerce PR #1176).
ONCE_PER_TRANSACTION = frozenset(
    {"Purchase", "CompleteRegistration", "Subscribe", "StartTrial", "SubmitApplication", "Lead"}
)
# The base pixel's events: no server copy expected, never a "conversion".
NON_CONVERSION_EVENTS = frozenset({"PageView"})


@dataclass(frozen=True, slots=True)
class Rule:
    code: str
    # what Meta ends up counting: once | twice | lost | browser_only | server_only | unknown
    counted: str
    title: str
    fix: str
    rank: int = 0  # when two rules fit one pair, the higher rank wins
    source: str = ""


VERDICTS: dict[str, Rule] = {
    rule.code: rule
    for rule in (
        Rule(
            "deduplicated",
            "once",
            "Counted once: the browser and server copies share pixel, name and event ID.",
            "Nothing to fix.",
        ),
        Rule(
            "pixel_only",
            "browser_only",
            "Only the browser sent this conversion; no server copy arrived.",
            "Check that the site's server/relay sends this event (relay running, reachable, "
            "token valid); ad blockers and iOS will hide part of these browser events.",
            rank=1,
        ),
        Rule(
            "server_only",
            "server_only",
            "Only the server sent this conversion; the browser Pixel did not fire it.",
            "Check that the Pixel loads on this page and fires this event (blocked script, "
            "consent revoked, tag removed, wrong page).",
            rank=1,
        ),
        Rule(
            "missing_event_id",
            "unknown",
            "A copy has no event ID, so Meta cannot deduplicate by ID (only by fbp/external_id, "
            "and only when the browser copy arrives first).",
            "Pass the same eventID to fbq('track', name, data, {eventID}) and as event_id on "
            "the server. Use the order ID for Purchase.",
            rank=2,
            source="Magento 2 #63, OpenCart #562, GTM template #25",
        ),
        Rule(
            "event_name_mismatch",
            "twice",
            "The two copies share an event ID but not the event name (names are "
            "case-sensitive), so Meta counts both.",
            "Send the exact same event name on both sides, e.g. 'Purchase' (capital P).",
            rank=3,
            source="dev.to 'generate the eventID once' guide: purchase vs Purchase",
        ),
        Rule(
            "outside_window",
            "twice",
            "The copies share name and event ID but arrived more than 48 hours apart, so Meta "
            "counts both.",
            "Send the server event right away (queue retries, but not for days); events older "
            "than 48 h after the browser one are never deduplicated.",
            rank=3,
        ),
        Rule(
            "double_fire",
            "twice",
            "The same action was sent twice within seconds with different event IDs (duplicated "
            "tag, second pixel/base code, or a plugin and a manual tag both firing).",
            "Remove the duplicate tag or base code so the event fires once per action.",
            rank=4,
            source="FB4Woo #3194, #2474, #1077, #706",
        ),
        Rule(
            "new_id_on_reload",
            "twice",
            "A reload of the same page re-sent this conversion with a new event ID, so Meta "
            "counts it again.",
            "Fire the conversion once per order (remember it was sent) and derive the event ID "
            "from the order ID so a re-fire deduplicates.",
            rank=4,
            source="FB4Woo #4047; pinterest-for-woocommerce PR #1176",
        ),
        Rule(
            "event_id_reused",
            "lost",
            "One event ID was used for different conversions; Meta keeps the first and silently "
            "drops the others.",
            "Make every event ID unique per conversion (order ID, or a fresh UUID shared by the "
            "browser and server copy of one action).",
            rank=5,
            source="FB4Woo #1722 'Same Event ID Received for Many Event Instances'",
        ),
    )
}

WARNINGS: dict[str, Rule] = {
    rule.code: rule
    for rule in (
        Rule(
            "fbp_mismatch",
            "once",
            "The browser and server copies carry different fbp values.",
            "Send the _fbp cookie value the browser has, not one made up on the server.",
            source="stape-io/facebook-tag #17; managed-components/facebook-pixel #2",
        ),
        Rule(
            "fbc_missing_with_fbclid",
            "once",
            "The page URL has an fbclid, but the server copy carries no fbc.",
            "Read the _fbc cookie (or build fb.1.<ms>.<fbclid>) and send it as user_data.fbc.",
            source="FB4Woo #1878, #1889",
        ),
        Rule(
            "value_mismatch",
            "once",
            "The browser and server copies disagree on value or currency.",
            "Take value and currency from the same order data on both sides.",
        ),
        Rule(
            "server_late",
            "once",
            "The server copy arrived more than 5 minutes after the browser copy, so Meta keeps "
            "the browser copy and the server's extra match keys are lost.",
            "Send server events as the action happens, not in a delayed batch.",
        ),
        Rule(
            "test_event_code_set",
            "once",
            "The server copy carries a test_event_code: it shows in Test Events and is not "
            "counted as production.",
            "Remove test_event_code outside debugging sessions.",
            source="Java SDK #367; stape-io/facebook-tag #21",
        ),
        Rule(
            "server_pending",
            "once",
            "The server copy is still queued or retrying: Meta has not received it yet.",
            "Wait for the relay to deliver it; if it stays queued, check the relay's token and "
            "network.",
        ),
        Rule(
            "server_failed",
            "once",
            "The server copy was not accepted by Meta (rejected, expired or blocked).",
            "Read Meta's error on the server side and fix it; until then only the browser "
            "copy counts.",
        ),
    )
}


def rank(verdict: str) -> int:
    rule = VERDICTS.get(verdict)
    return rule.rank if rule else 0
