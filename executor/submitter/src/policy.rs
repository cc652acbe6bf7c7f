//! The submitter's price policy: which requests are worth serving. A request pays `fee` (the
//! oracle's record of it, less the callback's gas part, which pays whoever delivers the
//! callback). For its program, the submitter asks
//!
//! ```text
//! price = fee_floor + ceil(fee_per_million · work / 10^6)
//! ```
//!
//! where `work` is the fast path's wasmtime fuel for the request (about one unit per VM step),
//! and runs the fast path with at most `max_work` of it. A fee below the floor is declined
//! without running anything; a run that hits `max_work`, or whose work prices above the fee,
//! is declined after the fast path, before the bond. The defaults (floor 0,
//! 0 per million, no bound) serve every request.

use std::collections::HashMap;

use alloy::primitives::{B256, U256};
use opml_service::settings::Settings;
use opml_service::store::{SkipReason, Skipped};
use opml_service::{Error, Result};

/// One program's price.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Price {
    /// Minimum fee, wei.
    pub fee_floor: U256,
    /// Wei per million units of fast-path work, above the floor.
    pub fee_per_million: U256,
    /// At most this much fast-path work per request (`None`: the program's own bound).
    pub max_work: Option<u64>,
}

impl Price {
    /// What a run of `work` units costs: the floor plus the work's part, rounded up (a
    /// request is never served below its cost), saturating.
    pub fn of_work(&self, work: u64) -> U256 {
        let million = U256::from(1_000_000u64);
        let work = U256::from(work);
        // Whole wei per unit, then the rest: exact unless the price itself overflows.
        let (per_unit, rest) = self.fee_per_million.div_rem(million);
        let part = per_unit
            .saturating_mul(work)
            .saturating_add((rest * work).div_ceil(million));
        self.fee_floor.saturating_add(part)
    }

    /// After the fast path took `work` (stopping at the work bound if `out_of_work`):
    /// declines a run over the bound, or one whose work prices above `fee`.
    pub fn after_run(&self, fee: U256, work: u64, out_of_work: bool) -> Option<Skipped> {
        let price = self.of_work(work);
        let over_bound = out_of_work || self.max_work.is_some_and(|m| work > m);
        let reason = if over_bound {
            SkipReason::WorkBound
        } else if fee < price {
            SkipReason::BelowPrice
        } else {
            return None;
        };
        Some(Skipped {
            reason,
            fee,
            price,
            work: Some(work),
        })
    }
}

/// Prices by program, with a default for the rest.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Policy {
    default: Price,
    programs: HashMap<B256, Price>,
}

impl Policy {
    /// Serves every request, whatever its fee or work (the defaults).
    pub fn serve_all() -> Self {
        Self::default()
    }

    /// `default` for every program but those in `programs`.
    pub fn new(default: Price, programs: HashMap<B256, Price>) -> Self {
        Self { default, programs }
    }

    /// The policy `--fee-floor`, `--fee-per-million`, `--max-work` and `--program-price` (or
    /// their TOML keys) set. A program priced twice or a zero work bound is an error.
    pub fn from_settings(s: &Settings) -> Result<Self> {
        let bad = |why: String| Error::Config(why);
        if s.max_work == Some(0) {
            return Err(bad("--max-work 0 would serve nothing".into()));
        }
        let default = Price {
            fee_floor: s.fee_floor.unwrap_or_default().0,
            fee_per_million: s.fee_per_million.unwrap_or_default().0,
            max_work: s.max_work,
        };
        let mut programs = HashMap::new();
        for p in &s.program_price {
            if p.max_work == Some(0) {
                return Err(bad(format!(
                    "program {}: max_work 0 would serve nothing",
                    p.program
                )));
            }
            let price = Price {
                fee_floor: p.fee_floor.map_or(default.fee_floor, |w| w.0),
                fee_per_million: p.fee_per_million.map_or(default.fee_per_million, |w| w.0),
                max_work: p.max_work.or(default.max_work),
            };
            if programs.insert(p.program, price).is_some() {
                return Err(bad(format!("program {} is priced twice", p.program)));
            }
        }
        Ok(Self { default, programs })
    }

    /// Whether every request is served (no floor, no price of work, no bound).
    pub fn serves_all(&self) -> bool {
        let free = |p: &Price| *p == Price::default();
        free(&self.default) && self.programs.values().all(free)
    }

    /// The price of every program not priced apart.
    pub fn default_price(&self) -> &Price {
        &self.default
    }

    /// The price of `program`.
    pub fn price(&self, program: B256) -> &Price {
        self.programs.get(&program).unwrap_or(&self.default)
    }

    /// The programs priced apart from the default.
    pub fn overrides(&self) -> impl Iterator<Item = (&B256, &Price)> {
        self.programs.iter()
    }

    /// Before running anything: declines a fee below `program`'s floor.
    pub fn before_run(&self, program: B256, fee: U256) -> Option<Skipped> {
        let p = self.price(program);
        (fee < p.fee_floor).then_some(Skipped {
            reason: SkipReason::BelowFloor,
            fee,
            price: p.fee_floor,
            work: None,
        })
    }

    /// After the fast path took `work` (stopping at `program`'s work bound if
    /// `out_of_work`): declines a run over the bound, or one whose work prices above `fee`.
    pub fn after_run(
        &self,
        program: B256,
        fee: U256,
        work: u64,
        out_of_work: bool,
    ) -> Option<Skipped> {
        self.price(program).after_run(fee, work, out_of_work)
    }

    /// Whether the decision `s` on a request for `program` still stands under this policy
    /// (after a restart with other settings), from its recorded figures alone: a request
    /// is run again only when this policy could decide otherwise.
    pub fn still_skips(&self, program: B256, s: &Skipped) -> bool {
        let p = self.price(program);
        if s.fee < p.fee_floor {
            return true;
        }
        match (s.reason, s.work) {
            // Declined at the floor, never run: now it passes the floor.
            (_, None) => false,
            // Stopped at the bound: only a higher bound (or none) may let it finish.
            (SkipReason::WorkBound, Some(w)) => p.max_work.is_some_and(|m| m <= w),
            (_, Some(w)) => p.max_work.is_some_and(|m| w > m) || s.fee < p.of_work(w),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use opml_service::price::{ProgramPrice, Wei};

    const A: B256 = B256::repeat_byte(0xaa);
    const B: B256 = B256::repeat_byte(0xbb);

    fn wei(n: u64) -> U256 {
        U256::from(n)
    }

    fn price(floor: u64, per_million: u64, max_work: Option<u64>) -> Price {
        Price {
            fee_floor: wei(floor),
            fee_per_million: wei(per_million),
            max_work,
        }
    }

    /// Serves (fee, work) under `p` for program `A`, or says why not.
    fn decide(p: &Policy, fee: u64, work: u64, out_of_work: bool) -> Option<SkipReason> {
        let s = p
            .before_run(A, wei(fee))
            .or_else(|| p.after_run(A, wei(fee), work, out_of_work));
        s.map(|s| s.reason)
    }

    #[test]
    fn the_defaults_serve_everything() {
        let p = Policy::serve_all();
        assert!(p.serves_all());
        assert_eq!(decide(&p, 0, u64::MAX, false), None);
        assert_eq!(decide(&p, 0, 0, false), None);
        let from_flags = Policy::from_settings(&Settings::default()).unwrap();
        assert_eq!(from_flags, p);
    }

    #[test]
    fn a_fee_below_the_floor_is_declined_before_running() {
        let p = Policy::new(price(100, 0, None), HashMap::new());
        let s = p.before_run(A, wei(99)).unwrap();
        assert_eq!(
            (s.reason, s.price, s.work),
            (SkipReason::BelowFloor, wei(100), None)
        );
        assert!(p.before_run(A, wei(100)).is_none());
        assert_eq!(decide(&p, 100, 5_000_000, false), None);
    }

    #[test]
    fn work_is_priced_per_million_rounded_up() {
        let p = Policy::new(price(10, 3, None), HashMap::new());
        assert_eq!(p.price(A).of_work(0), wei(10));
        assert_eq!(p.price(A).of_work(1), wei(11), "a part of a wei rounds up");
        assert_eq!(p.price(A).of_work(2_000_000), wei(16));
        assert_eq!(decide(&p, 16, 2_000_000, false), None);
        let s = p.after_run(A, wei(15), 2_000_000, false).unwrap();
        assert_eq!(
            (s.reason, s.fee, s.price, s.work),
            (SkipReason::BelowPrice, wei(15), wei(16), Some(2_000_000))
        );
        let huge = Price {
            fee_per_million: U256::MAX,
            ..Price::default()
        };
        let million = U256::from(1_000_000u64);
        assert_eq!(huge.of_work(1), U256::MAX.div_ceil(million), "exact");
        assert_eq!(huge.of_work(2_000_000), U256::MAX, "saturates");
    }

    #[test]
    fn a_run_over_the_work_bound_is_declined_whatever_the_fee() {
        let p = Policy::new(price(0, 0, Some(1_000)), HashMap::new());
        assert_eq!(
            decide(&p, 1_000_000, 1_000, true),
            Some(SkipReason::WorkBound)
        );
        assert_eq!(
            decide(&p, 1_000_000, 1_001, false),
            Some(SkipReason::WorkBound)
        );
        assert_eq!(decide(&p, 0, 1_000, false), None, "at the bound, halted");
    }

    #[test]
    fn a_program_override_replaces_the_default_key_by_key() {
        let mut s = Settings {
            fee_floor: Some(Wei(wei(100))),
            fee_per_million: Some(Wei(wei(7))),
            max_work: Some(50),
            ..Settings::default()
        };
        s.program_price.push(ProgramPrice {
            program: B256::repeat_byte(0xbb),
            fee_floor: Some(Wei(wei(5))),
            fee_per_million: None,
            max_work: None,
        });
        let p = Policy::from_settings(&s).unwrap();
        assert!(!p.serves_all());
        assert_eq!(*p.price(A), price(100, 7, Some(50)));
        assert_eq!(*p.price(B), price(5, 7, Some(50)));
        assert!(p.before_run(A, wei(50)).is_some());
        assert!(p.before_run(B, wei(50)).is_none());
        assert_eq!(p.overrides().count(), 1);
    }

    #[test]
    fn bad_policies_are_errors() {
        let twice = ProgramPrice {
            program: A,
            fee_floor: Some(Wei(wei(1))),
            fee_per_million: None,
            max_work: None,
        };
        let s = Settings {
            program_price: vec![twice.clone(), twice],
            ..Settings::default()
        };
        let e = Policy::from_settings(&s).unwrap_err().to_string();
        assert!(e.contains("priced twice"), "{e}");
        let s = Settings {
            max_work: Some(0),
            ..Settings::default()
        };
        let e = Policy::from_settings(&s).unwrap_err().to_string();
        assert!(e.contains("--max-work 0"), "{e}");
    }

    #[test]
    fn a_decision_stands_until_the_policy_could_decide_otherwise() {
        let strict = Policy::new(price(100, 10_000, Some(1_000)), HashMap::new());
        let floor = strict.before_run(A, wei(50)).unwrap();
        let bound = strict.after_run(A, wei(500), 1_000, true).unwrap();
        // 900 units at 10_000 per million: 9 wei over the floor, 109 > 105.
        let priced = strict.after_run(A, wei(105), 900, false).unwrap();
        assert_eq!(
            (priced.reason, priced.price),
            (SkipReason::BelowPrice, wei(109))
        );
        for s in [&floor, &bound, &priced] {
            assert!(strict.still_skips(A, s), "{s:?} under the same policy");
        }
        // A lower floor lets the first run; a higher bound the second; a lower price the third.
        let lower_floor = Policy::new(price(50, 10_000, Some(1_000)), HashMap::new());
        assert!(!lower_floor.still_skips(A, &floor));
        assert!(lower_floor.still_skips(A, &bound));
        let no_bound = Policy::new(price(100, 10_000, None), HashMap::new());
        assert!(!no_bound.still_skips(A, &bound));
        assert!(no_bound.still_skips(A, &priced));
        let cheaper = Policy::new(price(100, 1_000, Some(1_000)), HashMap::new());
        assert!(!cheaper.still_skips(A, &priced));
        // A tighter bound keeps a priced decision too.
        let tight = Policy::new(price(0, 0, Some(800)), HashMap::new());
        assert!(tight.still_skips(A, &priced));
        // Serving everything reconsiders every decision.
        for s in [&floor, &bound, &priced] {
            assert!(!Policy::serve_all().still_skips(A, s));
        }
    }
}
