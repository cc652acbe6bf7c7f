//! The roles through disputes on a node that fails (`opml_e2e::faults`, the story
//! `cargo run -p opml-bench --bin faults` runs longer), bounded and seeded: four requests, two
//! taken first by a lying submitter; while a game is on, each honest role's node requests go
//! through a proxy that refuses, resets, stalls, rate-limits and errs, the gas price spikes,
//! anvil restarts from its state dump and a role is killed with `kill -9` and restarted. The
//! honest side must win every game, every request be served, nothing be done twice and no bond
//! be left in the oracle.

use std::time::Duration;

use opml_e2e::Net;
use opml_e2e::faults::{self, Faults};

#[tokio::test(flavor = "multi_thread")]
async fn the_honest_side_wins_every_game_on_a_failing_node() {
    if opml_e2e::anvil_bin().is_none() {
        return;
    }
    let Some(net) = Net::start_opts("faults", 30, 300, opml_e2e::role_bins(), true).await else {
        return;
    };
    let cfg = Faults {
        seed: 2,
        requests: 4,
        lie_every: 2,
        per_mille: 150,
        kill_every: 15,
        spike_every: 20,
        restart_every: 25,
        timeout: Duration::from_secs(900),
    };
    let f = faults::run(&net, &cfg, &mut |line| eprintln!("faults: {line}")).await;
    eprintln!("{f}");
    assert!(f.games >= 1, "a dispute happened: {f}");
    assert!(f.total() > 0, "faults were injected: {f}");
    assert_eq!(f.games_won, f.games, "the honest side won every game: {f}");
    assert_eq!(f.served, f.requests, "every request served: {f}");
    assert_eq!(f.doubles(), 0, "nothing done twice: {f}");
    assert!(f.unwithdrawn.is_zero(), "no bond left in the oracle: {f}");
}
