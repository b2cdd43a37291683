"""Pairing invariants over random mixes of both channels (hypothesis)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from desktop_app.capi.dedup import pair_events, summarize
from desktop_app.capi.dedup_rules import VERDICTS, WARNINGS
from desktop_app.capi.observations import PixelObservation, ServerObservation

NAMES = st.sampled_from(["Purchase", "purchase", "Lead", "AddToCart", "PageView"])
IDS = st.one_of(st.none(), st.sampled_from(["a", "b", "c", "d"]))
PIXEL_IDS = st.sampled_from(["111", "222"])
TIMES = st.floats(min_value=0, max_value=3 * 86400, allow_nan=False)
URLS = st.sampled_from(["", "https://s.example/thanks", "https://s.example/p?fbclid=x"])
VALUES = st.sampled_from([None, "10", "10.00", "12"])

pixels = st.builds(
    lambda pid, name, eid, at, url, value, load: PixelObservation(
        pid,
        name,
        eid,
        url,
        1.7e9 + at,
        custom_data={} if value is None else {"value": value},
        fbp="fb.1.1.1",
        page_load=load,
    ),
    PIXEL_IDS,
    NAMES,
    IDS,
    TIMES,
    URLS,
    VALUES,
    st.sampled_from([None, "l1", "l2"]),
)
servers = st.builds(
    lambda pid, name, eid, at, url, value, status: ServerObservation(
        pid,
        name,
        eid,
        int(1.7e9 + at),
        {
            "event_source_url": url,
            "user_data": {"fbp": "fb.1.1.1"},
            "custom_data": {} if value is None else {"value": float(value)},
        },
        status=status,
    ),
    st.one_of(st.none(), PIXEL_IDS),
    NAMES,
    IDS,
    TIMES,
    URLS,
    VALUES,
    st.sampled_from(["delivered", "rejected", "queued"]),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(pixels, max_size=12), st.lists(servers, max_size=12))
def test_pairing_invariants(ps: list[PixelObservation], ss: list[ServerObservation]) -> None:
    pairs = pair_events(ps, ss)
    used_pixels = [id(p.pixel) for p in pairs if p.pixel is not None]
    assert len(used_pixels) == len(set(used_pixels))  # no observation in two pairs
    for pair in pairs:
        assert pair.verdict in VERDICTS
        assert pair.pixel is not None or pair.server is not None
        assert all(w in WARNINGS for w in pair.warnings)
        assert pair.describe()
        if pair.pixel is not None and pair.event_id is not None:
            assert pair.pixel.event_id == pair.event_id
    # every pixel key and every server key is represented by some pair
    pixel_keys = {(p.pixel_id, p.event_name, p.event_id) for p in ps if p.event_id}
    paired_keys = {
        (p.pixel.pixel_id, p.pixel.event_name, p.pixel.event_id) for p in pairs if p.pixel
    }
    assert pixel_keys <= paired_keys
    server_ids = {(s.event_name, s.event_id) for s in ss}
    assert server_ids <= {(p.server.event_name, p.server.event_id) for p in pairs if p.server}
    summary = summarize(pairs)
    assert summary["conversions"] == sum(p.event_name != "PageView" for p in pairs)
    assert sum(summary["verdicts"].values()) == len(pairs)
