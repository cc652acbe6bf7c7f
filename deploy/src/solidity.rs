//! The deploy defaults for the forge script, generated from [`crate::default_config`] (the
//! only definition).
//!
//! `contracts/script/DeployDefaults.sol` is [`defaults_solidity`]'s output, committed; the test
//! `deploy_defaults_sol_is_generated` fails when it drifts, and `OPML_BLESS=1` rewrites it.
//! Field names and values come from the struct's ABI (its EIP-712 type and encoding), so no
//! field is listed here.

use std::fmt::Write as _;

use alloy::primitives::U256;
use alloy::sol_types::{SolStruct, SolValue};

use opml_bindings::oracle::IOpMLOracle;

use crate::{Result, default_config};

/// Path of the generated file, relative to the repository root.
pub const DEFAULTS_SOL: &str = "contracts/script/DeployDefaults.sol";

/// The text of `DeployDefaults.sol`: `config(mainnet)`, the profile's defaults (fields left
/// zero are not written).
pub fn defaults_solidity() -> Result<String> {
    let mut s = String::from(
        "// SPDX-License-Identifier: MIT OR Apache-2.0\n\
         // GENERATED from deploy/src/contracts.rs (`default_config`) by\n\
         // `OPML_BLESS=1 cargo test -p opml-deploy defaults_sol`. Do not edit: the deploy defaults\n\
         // are defined once, in Rust, and `opml deploy` and this script use the same.\n\
         pragma solidity ^0.8.20;\n\n\
         import {IOpMLOracle} from \"../src/interfaces/IOpMLOracle.sol\";\n\n\
         /// @title DeployDefaults\n\
         /// @notice The oracle's parameters of each profile (`devnet`, `mainnet`); see `deploy/README.md`.\n\
         library DeployDefaults {\n    \
         function config(bool mainnet) internal pure returns (IOpMLOracle.Config memory c) {\n",
    );
    for (i, profile) in ["mainnet", "devnet"].into_iter().enumerate() {
        s.push_str(if i == 0 {
            "        if (mainnet) {\n"
        } else {
            "        } else {\n"
        });
        for (name, value) in fields(profile)? {
            if !value.is_zero() {
                let _ = writeln!(s, "            c.{name} = {};", thousands(value));
            }
        }
    }
    s.push_str("        }\n    }\n}\n");
    Ok(s)
}

/// `(field, value)` of a profile's defaults, in declaration order.
fn fields(profile: &str) -> Result<Vec<(String, U256)>> {
    let cfg = default_config(profile)?;
    // "Config(address verifier,uint64 challengeWindow,…)"; every field is a static word.
    let ty = IOpMLOracle::Config::eip712_root_type();
    let inner = ty
        .split_once('(')
        .and_then(|(_, rest)| rest.strip_suffix(')'))
        .unwrap_or_default();
    let names = inner
        .split(',')
        .map(|f| f.rsplit(' ').next().unwrap_or(f).to_string());
    let words = cfg.abi_encode();
    Ok(names
        .zip(words.chunks(32).map(U256::from_be_slice))
        .collect())
}

/// `n` as `forge fmt` writes number literals: `_` between thousands from five digits on.
fn thousands(n: U256) -> String {
    let digits = n.to_string();
    if digits.len() < 5 {
        return digits;
    }
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('_');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn repo_root() -> std::path::PathBuf {
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .expect("deploy/ is in the repository")
            .to_path_buf()
    }

    #[test]
    fn deploy_defaults_sol_is_generated() {
        let path = repo_root().join(DEFAULTS_SOL);
        let want = defaults_solidity().unwrap();
        if std::env::var_os("OPML_BLESS").is_some() {
            std::fs::write(&path, &want).expect("write DeployDefaults.sol");
        }
        let have = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            have == want,
            "{DEFAULTS_SOL} differs from default_config; regenerate with \
             `OPML_BLESS=1 cargo test -p opml-deploy defaults_sol`"
        );
    }

    #[test]
    fn every_field_is_named_in_order() {
        let f = fields("mainnet").unwrap();
        assert_eq!(f.first().map(|(n, _)| n.as_str()), Some("verifier"));
        assert!(
            f.iter()
                .any(|(n, v)| n == "challengeWindow" && *v == U256::from(259_200))
        );
        assert_eq!(f.last().map(|(n, _)| n.as_str()), Some("requestTimeout"));
    }

    #[test]
    fn thousands_are_separated() {
        assert_eq!(thousands(U256::from(0)), "0");
        assert_eq!(thousands(U256::from(300)), "300");
        assert_eq!(thousands(U256::from(3_600)), "3600");
        assert_eq!(thousands(U256::from(16_384)), "16_384");
        assert_eq!(thousands(U256::from(1_209_600)), "1_209_600");
    }
}
