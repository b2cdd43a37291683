"""Tag rules, locators, platform presets and snippet generation (no Qt)."""
