"""Meta's short field names in plain words, for owners who never read the API reference."""

from __future__ import annotations

import logging

logger = logging.getLogger(__name__)

# Meta's customer-information keys in plain words:
# https://developers.facebook.com/docs/marketing-api/conversions-api/parameters/customer-information-parameters
USER_DATA_NAMES = {
    "em": "Email",
    "ph": "Phone",
    "fn": "First name",
    "ln": "Last name",
    "db": "Date of birth",
    "ge": "Gender",
    "ct": "City",
    "st": "State",
    "zp": "Postcode",
    "country": "Country",
    "external_id": "Your customer ID",
    "fbp": "Browser ID (_fbp)",
    "fbc": "Click ID (_fbc)",
    "client_ip_address": "IP address",
    "client_user_agent": "Browser",
    "fb_login_id": "Facebook login ID",
    "lead_id": "Meta lead ID",
    "subscription_id": "Subscription ID",
}


def field_label(key: str) -> str:
    name = USER_DATA_NAMES.get(key)
    return f"{name} ({key})" if name else key
