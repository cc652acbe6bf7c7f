//! Unit tests of loading.
