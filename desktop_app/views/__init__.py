"""Qt widgets and item models. The only package (with `desktop_app/app.py`) that imports Qt."""
