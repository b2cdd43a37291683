"""PixelCapture on a real headless Chromium: Meta answered locally, every Pixel hit recorded."""

from __future__ import annotations

import pytest

from desktop_app.capi.observations import PixelObservation
from desktop_app.services.browser import HeadlessBrowser
from desktop_app.services.demo_site import DemoSiteServer
from desktop_app.services.pixel_capture import PixelCapture

# Meta's base code shape, then raw requests in each transport the real Pixel uses.
PAGE_SCRIPT = """<script>
!function(f,b,e,v,n,t,s){if(f.fbq)return;n=f.fbq=function(){n.callMethod?
n.callMethod.apply(n,arguments):n.queue.push(arguments)};if(!f._fbq)f._fbq=n;
n.push=n;n.loaded=!0;n.version='2.0';n.queue=[];t=b.createElement(e);t.async=!0;
t.src=v;s=b.getElementsByTagName(e)[0];s.parentNode.insertBefore(t,s)}(window,
document,'script','https://connect.facebook.net/en_US/fbevents.js');
fbq('init', '1122334455');
fbq('track', 'PageView');
fbq('track', 'Lead', {value: 5, currency: 'EUR'}, {eventID: 'lead-1'});
window.sendRaw = function () {
  new Image().src = 'https://www.facebook.com/tr?id=1122334455&ev=Contact&eid=img-1&dl=x';
  navigator.sendBeacon('https://www.facebook.com/tr/',
    new URLSearchParams('id=1122334455&ev=Search&eid=beacon-1&cd[search_string]=mugs'));
  new Image().src = 'https://www.facebook.com/translations/x.png';
  return fetch('https://connect.facebook.net/signals/config/1122334455').then(r => r.status);
};
</script>"""


@pytest.mark.browser
@pytest.mark.asyncio
async def test_capture_serves_the_stub_and_records_every_transport() -> None:
    site = DemoSiteServer(PAGE_SCRIPT)
    url = await site.start()
    seen: list[PixelObservation] = []
    capture = PixelCapture()
    capture.add_listener(seen.append)
    try:
        async with HeadlessBrowser() as browser:
            page = await browser.new_page()
            await capture.attach(page)
            await capture.attach(page)  # idempotent: one route, no double records
            await page.goto(url)
            lead = await capture.wait_for(lambda o: o.event_name == "Lead", 10)
            assert await page.evaluate("() => window.fbq.__pixelbridgeStub === true")
            status = await page.evaluate("() => window.sendRaw()")
            assert status == 204  # other Meta endpoints: answered locally, empty
            await capture.wait_for(lambda o: o.event_name == "Search", 10)
            await capture.wait_for(lambda o: o.event_name == "Contact", 10)
    finally:
        await site.stop()

    assert lead.pixel_id == "1122334455"
    assert lead.event_id == "lead-1"
    assert lead.custom_data.get("currency") == "EUR"
    assert lead.url == url + "/"
    names = [o.event_name for o in capture.observations]
    assert sorted(names) == ["Contact", "Lead", "PageView", "Search"]
    by_name = {o.event_name: o for o in capture.observations}
    assert by_name["Search"].transport == "beacon"
    assert by_name["Search"].custom_data == {"search_string": "mugs"}
    assert by_name["Contact"].transport == "image"
    assert by_name["Contact"].event_id == "img-1"
    assert seen == capture.observations  # the listener saw each one, in order
    assert capture.unparsed == []


@pytest.mark.asyncio
async def test_missing_stub_file_is_a_clear_error(tmp_path: object) -> None:
    from pathlib import Path

    capture = PixelCapture(fbevents_js=Path(str(tmp_path)) / "nope.js")

    class FakePage:  # attach must fail before touching the page
        async def route(self, *args: object) -> None:
            raise AssertionError("routed without a stub")

    with pytest.raises(FileNotFoundError, match=r"fbevents\.js stand-in"):
        await capture.attach(FakePage())  # type: ignore[arg-type]
