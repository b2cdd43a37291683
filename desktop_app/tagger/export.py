"""The export bundle (pure): what an owner hands to whoever runs the site and the relay.

Files, by name: `tags.json` (the tag config, no secret), `install-snippet.html` (the one
`<script>` element for every page), `shopify-custom-pixel.js` (Shopify only: checkout runs on
Shopify's pages), and `SERVER.md` (how to run the relay with the token in an environment
variable). A test event code left in the config would send all live traffic to Test Events,
so the bundle says so and the UI asks before writing it.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field

from desktop_app.tagger.config import TagConfig
from desktop_app.tagger.shopify import render_custom_pixel
from desktop_app.tagger.snippet import render_snippet

logger = logging.getLogger(__name__)

ENV_TOKEN = "PIXELBRIDGE_ACCESS_TOKEN"  # same name as services/token_store.ENV_TOKEN
CONFIG_NAME = "tags.json"
SNIPPET_NAME = "install-snippet.html"
SHOPIFY_NAME = "shopify-custom-pixel.js"
SERVER_NAME = "SERVER.md"
INSTALL_NAME = "INSTALL.md"
PLACEHOLDER_RELAY = "https://relay.example.com/v1/events"
# Never exported, wherever they appear in the config's free-form parts.
_SECRET_KEYS = frozenset({"access_token", "token", "app_secret", "appsecret_proof"})


# Where the snippet goes, per platform, in the owner's words (platform ids: tagger/platforms.py).
INSTALL_STEPS: dict[str | None, tuple[str, ...]] = {
    "wordpress": (
        "In WordPress, install a header/footer plugin such as “WPCode” (or use your theme's "
        "“Custom code” setting).",
        "Paste the snippet into “Header” so it is on every page, and save.",
    ),
    "woocommerce": (
        "In WordPress, install a header/footer plugin such as “WPCode”.",
        "Paste the snippet into “Header” so it is on every page, including checkout, and save.",
        "If the “Facebook for WooCommerce” plugin also sends server events, turn its "
        "Conversions API off, or events are counted twice.",
    ),
    "shopify": (
        "Online Store → Themes → Edit code → theme.liquid: paste the snippet just before </head>.",
        "Settings → Customer events → Add custom pixel: paste shopify-custom-pixel.js (checkout "
        "pages run on Shopify and only see this part).",
    ),
    "webflow": (
        "Site settings → Custom code → Head code: paste the snippet.",
        "Save, then Publish the site (custom code runs only on the published site).",
    ),
    "framer": (
        "Site Settings → General → Custom Code → “End of <head> tag”: paste the snippet.",
        "Publish the site.",
    ),
    "squarespace": (
        "Settings → Advanced → Code Injection → Header: paste the snippet and save.",
        "Code injection needs a Business plan or higher.",
    ),
    "kajabi": (
        "Settings → Site Details → Page Scripts → Header Page Scripts: paste the snippet.",
        "Save.",
    ),
    "clickfunnels": (
        "Funnel → Settings → Tracking Code → Head Tracking Code: paste the snippet.",
        "Repeat for every funnel that should send events.",
    ),
    None: (
        "Paste the snippet into the <head> of every page (your site's template or header file).",
        "Publish, then open your site and check the events in PixelBridge.",
    ),
}


def install_steps(platform: str | None) -> tuple[str, ...]:
    return INSTALL_STEPS.get(platform, INSTALL_STEPS[None])


@dataclass(frozen=True, slots=True)
class ExportBundle:
    files: dict[str, str]
    test_event_code: str = ""  # non-empty: exported on purpose, ask the user first
    warnings: list[str] = field(default_factory=list)

    @property
    def needs_confirmation(self) -> bool:
        return bool(self.test_event_code)


def install_text(platform: str | None) -> str:
    steps = install_steps(platform)
    lines = [f"{n}. {step}" for n, step in enumerate(steps, 1)]
    return "# Installing the snippet\n\n" + "\n".join(lines) + "\n"


def export_config(config: TagConfig, *, test_event_code: str = "") -> dict[str, object]:
    """The config as exported: secrets dropped; the test code only when asked for."""
    data = {k: v for k, v in config.to_json().items() if k.lower() not in _SECRET_KEYS}
    data.pop("test_event_code", None)
    if test_event_code:
        data["test_event_code"] = test_event_code
    return data


def server_instructions(relay_url: str, *, test_event_code: str = "") -> str:
    """SERVER.md: run the relay on a server (the deployment in docs/deploy.md)."""
    test_line = (
        f"\n**This config contains the test event code `{test_event_code}`**: every event goes "
        "to Events Manager → Test events instead of counting normally. Remove "
        "`test_event_code` from tags.json before going live.\n"
        if test_event_code
        else ""
    )
    return f"""# Running the PixelBridge relay on a server

The install snippet on your site sends a copy of every event to the relay at
`{relay_url}`. The relay hashes customer data and forwards the events to Meta's
Conversions API. It needs the access token, which is **not** in these files.
{test_line}
1. Install PixelBridge on the server: `pip install pixelbridge`.
2. Copy `tags.json` next to it.
3. Start the relay, giving it the token through the environment (never a command-line flag):

```sh
{ENV_TOKEN}=… pixelbridge relay --config tags.json --port 8787
```

   In a systemd unit use `Environment={ENV_TOKEN}=…` in a drop-in readable by root only;
   in a container use the platform's secret store.
4. Put HTTPS in front of it (a reverse proxy or your host's load balancer) so that
   `{relay_url}` reaches port 8787, and pass `--trusted-proxy <proxy ip>`.
5. Check it: `curl {relay_url.removesuffix("/v1/events")}/healthz` answers
   `{{"status": "ok", …, "token_ok": true}}` once the first events were sent.

All options (data folder, allowed hosts, logs, shutdown): PixelBridge's `docs/deploy.md`.
"""


def build_bundle(
    config: TagConfig,
    relay_url: str = "",
    *,
    test_event_code: str = "",
    include_test_code: bool = True,
) -> ExportBundle:
    """Every file to hand over. `include_test_code=False` drops a configured test code."""
    relay_url = relay_url or config.relay_url or PLACEHOLDER_RELAY
    code = test_event_code if include_test_code else ""
    exported = export_config(config, test_event_code=code)
    exported["relay_url"] = relay_url
    warnings: list[str] = []
    if code:
        warnings.append(
            f"The config contains the test event code {code}: live events will go to "
            "Test events. Remove it before going live."
        )
    if relay_url == PLACEHOLDER_RELAY:
        warnings.append(
            "No relay address yet: the snippet posts to relay.example.com. "
            "Export again once you know where the relay runs."
        )
    files = {
        CONFIG_NAME: json.dumps(exported, indent=2) + "\n",
        SNIPPET_NAME: render_snippet(config, relay_url) + "\n",
        SERVER_NAME: server_instructions(relay_url, test_event_code=code),
        INSTALL_NAME: install_text(config.platform),
    }
    if config.platform == "shopify":
        files[SHOPIFY_NAME] = render_custom_pixel(config, relay_url)
    return ExportBundle(files=files, test_event_code=code, warnings=warnings)
