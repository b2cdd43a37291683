"""Meta's rules as pure code: no Qt, no HTTP, no files, no SQLite."""
