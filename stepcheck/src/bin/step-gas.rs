//! `step-gas [DIR]`: replays the golden vectors (default `contracts/test/golden`) as
//! transactions in revm and prints, per opcode group, the transaction gas (intrinsic +
//! calldata + execution) and the proof size: min / median / max.

use opml_stepcheck::diff::Report;
use opml_stepcheck::evm::StepEvm;
use opml_stepcheck::repo_root;
use opml_stepcheck::vectors::read_dir;

fn main() {
    let dir = std::env::args()
        .nth(1)
        .map(Into::into)
        .unwrap_or_else(|| repo_root().join("contracts/test/golden"));
    let run = || -> opml_stepcheck::Result<Report> {
        let mut evm = StepEvm::new()?;
        let mut report = Report::default();
        for v in read_dir(&dir)? {
            let call = evm.step(&v.pre, &v.proof)?;
            if call.post() != Some(v.post) {
                eprintln!("step-gas: vector {} does not replay: {call:?}", v.name);
                std::process::exit(1);
            }
            report.record_vector(&v, &call);
        }
        Ok(report)
    };
    match run() {
        Ok(r) => {
            println!(
                "{} golden vectors from {}; gas = whole transaction, proof in bytes",
                r.steps,
                dir.display()
            );
            print!("{}", r.table());
        }
        Err(e) => {
            eprintln!("step-gas: {e}");
            std::process::exit(2);
        }
    }
}
