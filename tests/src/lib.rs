//! End-to-end tests of opml across real processes (see `tests/it/`).
