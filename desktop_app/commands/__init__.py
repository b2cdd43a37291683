"""One module per `pixelbridge` subcommand; see `desktop_app.cli`."""
