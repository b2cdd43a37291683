"""I/O services: plain asyncio objects that report through callbacks, never Qt signals."""
