//! Every generated file equals what the Rust definitions generate now (`opml_vm::generated`):
//! the Solidity constants and the spec's tables. `OPML_BLESS=1` rewrites them.

use std::path::Path;

#[test]
fn generated_files_are_fresh() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let bless = std::env::var_os("OPML_BLESS").is_some();
    let mut stale = Vec::new();
    for (path, generate) in opml_vm::generated::files() {
        let file = root.join(path);
        let have = std::fs::read_to_string(&file).unwrap_or_default();
        let want = generate(&have);
        if have != want {
            if bless {
                std::fs::write(&file, &want).unwrap_or_else(|e| panic!("write {path}: {e}"));
            } else {
                stale.push(path);
            }
        }
    }
    assert!(
        stale.is_empty(),
        "{stale:?} differ from the Rust definitions; regenerate with \
         `OPML_BLESS=1 cargo test -p opml-vm --test generated`"
    );
}
