//! The values of a submitter's price settings: amounts of wei ([`Wei`]) and per-program
//! overrides ([`ProgramPrice`]), each readable from a flag (`FromStr`) and from the TOML file
//! (`Deserialize`) with the same meaning. The decision itself is the submitter's
//! (`opml_submitter::Policy`).

use std::fmt;
use std::str::FromStr;

use alloy::primitives::utils::{ParseUnits, Unit};
use alloy::primitives::{B256, U256};
use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// An amount of wei: `1000`, `0x3e8`, or a decimal with a unit (`1.5 gwei`, `0.01ether`);
/// `_` separates digits. In TOML, an integer or any of those strings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Wei(pub U256);

impl FromStr for Wei {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let bad = |why: &dyn fmt::Display| format!("bad amount of wei `{s}`: {why}");
        let t = s.trim().replace('_', "");
        if let Some(hex) = t.strip_prefix("0x") {
            return U256::from_str_radix(hex, 16).map(Wei).map_err(|e| bad(&e));
        }
        let split = t
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(t.len());
        let (number, unit) = (&t[..split], t[split..].trim());
        if number.is_empty() {
            return Err(bad(
                &"expected a number, e.g. `1000`, `2 gwei` or `0.01 ether`",
            ));
        }
        if !unit.chars().all(|c| c.is_ascii_alphabetic()) {
            return Err(bad(
                &"expected a unit such as `wei`, `gwei` or `ether` after the number",
            ));
        }
        let unit: Unit = if unit.is_empty() { "wei" } else { unit }
            .parse()
            .map_err(|e| bad(&e))?;
        let decimals = number.split_once('.').map_or(0, |(_, d)| d.len());
        if number.matches('.').count() > 1 || decimals > usize::from(unit.get()) {
            // `parse_units` would truncate: a price is never rounded silently.
            return Err(bad(&"not a whole number of wei"));
        }
        let v = ParseUnits::parse_units(number, unit).map_err(|e| bad(&e))?;
        Ok(Wei(v.into()))
    }
}

impl fmt::Display for Wei {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl Serialize for Wei {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0.to_string())
    }
}

impl<'de> Deserialize<'de> for Wei {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Wei;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an amount of wei (an integer, or a string such as \"2 gwei\")")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Wei, E> {
                Ok(Wei(U256::from(v)))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Wei, E> {
                u64::try_from(v)
                    .map(|v| Wei(U256::from(v)))
                    .map_err(|_| E::custom(format!("a negative amount of wei: {v}")))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Wei, E> {
                v.parse().map_err(E::custom)
            }
        }
        d.deserialize_any(V)
    }
}

/// One program's price, over the defaults (`--fee-floor`, `--fee-per-million`,
/// `--max-work`): each field left out keeps the default's. As a flag,
/// `--program-price 0xID:fee_floor=2gwei,fee_per_million=100,max_work=5000000000`; in TOML, a
/// `[[program_price]]` table with the same keys and `program = "0xID"`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProgramPrice {
    /// The program id (as registered: `opml program-id` prints it).
    pub program: B256,
    /// Minimum fee in wei.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fee_floor: Option<Wei>,
    /// Wei per million units of fast-path work.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fee_per_million: Option<Wei>,
    /// At most this much fast-path work per request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_work: Option<u64>,
}

impl FromStr for ProgramPrice {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        const FORM: &str = "expected `0xPROGRAM_ID:key=value,…` with keys fee_floor, \
                            fee_per_million, max_work";
        let (id, settings) = s
            .split_once(':')
            .ok_or_else(|| format!("bad program price `{s}`: {FORM}"))?;
        let program = id
            .trim()
            .parse::<B256>()
            .map_err(|e| format!("bad program id `{id}`: {e} (0x and 64 hex digits)"))?;
        let mut p = ProgramPrice {
            program,
            fee_floor: None,
            fee_per_million: None,
            max_work: None,
        };
        for kv in settings.split(',').filter(|kv| !kv.trim().is_empty()) {
            let (k, v) = kv
                .split_once('=')
                .ok_or_else(|| format!("bad program price `{s}`: `{kv}`: {FORM}"))?;
            let v = v.trim();
            match k.trim() {
                "fee_floor" => p.fee_floor = Some(v.parse()?),
                "fee_per_million" => p.fee_per_million = Some(v.parse()?),
                "max_work" => p.max_work = Some(parse_work(v)?),
                other => return Err(format!("unknown key `{other}` in `{s}`: {FORM}")),
            }
        }
        if p.fee_floor.is_none() && p.fee_per_million.is_none() && p.max_work.is_none() {
            return Err(format!("program price `{s}` sets nothing: {FORM}"));
        }
        Ok(p)
    }
}

/// A count of work units (`_` separates digits).
pub fn parse_work(s: &str) -> Result<u64, String> {
    s.trim()
        .replace('_', "")
        .parse()
        .map_err(|e| format!("bad amount of work `{s}`: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wei(s: &str) -> Result<U256, String> {
        s.parse::<Wei>().map(|w| w.0)
    }

    #[test]
    fn amounts_of_wei_read_as_integers_hex_or_with_a_unit() {
        assert_eq!(wei("1000"), Ok(U256::from(1000)));
        assert_eq!(wei("1_000"), Ok(U256::from(1000)));
        assert_eq!(wei("0x3e8"), Ok(U256::from(1000)));
        assert_eq!(wei("2 gwei"), Ok(U256::from(2_000_000_000u64)));
        assert_eq!(wei("0.01ether"), Ok(U256::from(10_000_000_000_000_000u64)));
        assert_eq!(wei("1.5gwei"), Ok(U256::from(1_500_000_000u64)));
        for bad in [
            "",
            "-1",
            "ten",
            "1.5",
            "1.2.3 ether",
            "3 bananas",
            "0xzz",
            "1 2",
        ] {
            let e = wei(bad).expect_err(bad);
            assert!(e.starts_with("bad amount of wei"), "{bad}: {e}");
        }
    }

    #[test]
    fn a_program_price_reads_from_a_flag() {
        let id = format!("0x{}", "ab".repeat(32));
        let p: ProgramPrice = format!("{id}:fee_floor=2gwei,max_work=1_000")
            .parse()
            .unwrap();
        assert_eq!(p.program, B256::repeat_byte(0xab));
        assert_eq!(p.fee_floor, Some(Wei(U256::from(2_000_000_000u64))));
        assert_eq!((p.fee_per_million, p.max_work), (None, Some(1000)));
        for (bad, says) in [
            (id.clone(), "expected `0xPROGRAM_ID"),
            ("0x12:fee_floor=1".to_string(), "bad program id"),
            (format!("{id}:fee=1"), "unknown key `fee`"),
            (format!("{id}:fee_floor"), "bad program price"),
            (format!("{id}:fee_floor=lots"), "bad amount of wei"),
            (format!("{id}:max_work=-3"), "bad amount of work"),
            (format!("{id}:"), "sets nothing"),
        ] {
            let e = bad.parse::<ProgramPrice>().expect_err(&bad);
            assert!(e.contains(says), "{bad}: {e}");
        }
    }

    #[test]
    fn wei_reads_from_toml_integers_and_strings() {
        #[derive(Deserialize)]
        struct T {
            a: Wei,
            b: Wei,
        }
        let t: T = toml::from_str("a = 7\nb = \"1 gwei\"\n").unwrap();
        assert_eq!(
            (t.a.0, t.b.0),
            (U256::from(7), U256::from(1_000_000_000u64))
        );
        let e = toml::from_str::<T>("a = -7\nb = 1\n").err().unwrap();
        assert!(e.to_string().contains("negative"), "{e}");
        // Written and read back (as the settings merge does) it is the same amount.
        let big = Wei(U256::MAX);
        let back: Wei = serde_json::from_value(serde_json::to_value(big).unwrap()).unwrap();
        assert_eq!(back, big);
    }
}
