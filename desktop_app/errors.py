"""Errors shared by the CLI and the app."""


class UsageError(Exception):
    """Bad input the user must fix (bad config file, bad value): one line, exit status 2."""
