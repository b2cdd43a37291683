"""PixelBridge: install and verify Meta Pixel + Conversions API tracking without a developer."""

__version__ = "0.1.0"
