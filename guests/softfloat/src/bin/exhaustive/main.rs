//! Placeholder until the exhaustive checker lands.
mod oracle;
fn main() {}
