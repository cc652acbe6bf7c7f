//! opml challenger (work in progress).
