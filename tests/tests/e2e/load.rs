//! The roles under a burst (`opml_e2e::load`, the story `cargo run -p opml-bench --bin load`
//! measures), bounded and seeded: 30 requests at once, about one in five taken first by a
//! lying submitter. Every request must end finalized with the output `opml run` gives, every
//! wrong result challenged and every game won by the honest side. No timing is asserted.

use std::time::Duration;

use opml_e2e::Net;
use opml_e2e::load::{self, Load};

#[tokio::test(flavor = "multi_thread")]
async fn a_burst_is_served_in_full_and_every_lie_in_it_is_beaten() {
    let Some(net) = Net::start("load", 30, 300).await else {
        return;
    };
    let cfg = Load {
        requests: 30,
        lie_every: 5,
        seed: 16,
        // Fewer than the requests, so that items wait for a slot.
        concurrency: Some(8),
        timeout: Duration::from_secs(600),
    };
    let f = load::run(&net, &cfg, &mut |line| eprintln!("load: {line}")).await;
    eprintln!("{f}");
    assert_eq!(f.requests, 30, "{f}");
    assert!(f.lie_priced >= 2, "the seed prices some for the liar: {f}");
    assert!(f.wrong >= 1, "the liar posted wrong results: {f}");
    assert_eq!(f.served, f.requests, "every request served: {f}");
    assert_eq!(f.challenged, f.wrong, "every wrong result challenged: {f}");
    assert_eq!(
        f.games_won, f.games,
        "every game won by the honest side: {f}"
    );
    assert!(f.games >= f.wrong, "{f}");
    let submitter = net.log("submitter");
    assert!(
        !submitter.contains("nonce too low") && !submitter.contains("already known"),
        "no nonce clash among the transactions in flight"
    );
}
