//! For sampled steps of every group, every altered byte of the proof (and of `pre`) reverts or
//! gives another post-state: never the honest one.

use std::collections::BTreeMap;

use opml_stepcheck::diff::group_of;
use opml_stepcheck::evm::StepEvm;
use opml_stepcheck::repo_root;
use opml_stepcheck::tamper::tamper_step;
use opml_stepcheck::vectors::read_dir;

#[test]
fn altered_proofs_never_give_the_honest_post() {
    let vectors = read_dir(&repo_root().join("contracts/test/golden")).expect("golden vectors");
    let mut evm = StepEvm::new().expect("deploy the verifier");
    // Two samples per group: the shortest and the longest proof (straddles, bulk steps, slots).
    let mut by_group: BTreeMap<&str, Vec<_>> = BTreeMap::new();
    for v in &vectors {
        let group = v.op.map_or("crafted", |op| group_of(op as u16));
        by_group.entry(group).or_default().push(v);
    }
    let mut tried = 0;
    for (group, mut vs) in by_group {
        vs.sort_by_key(|v| v.proof.len());
        for v in [vs[0], vs[vs.len() - 1]] {
            let c = tamper_step(&mut evm, &v.pre, &v.proof, &v.post).expect("evm");
            assert!(
                c.accepted.is_empty(),
                "{group} {}: honest post from altered bytes {:?}",
                v.name,
                c.accepted
            );
            assert_eq!(c.tried, c.reverted + c.other_post);
            tried += c.tried;
        }
    }
    println!("tampering: {tried} altered proofs, none accepted");
}
