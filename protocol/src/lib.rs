//! opml protocol (work in progress).
