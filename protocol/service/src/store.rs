//! The embedded database (redb) of what a role owes: the requests it serves, the results it
//! posted (claims), the games it plays with every move it sent, and the chain cursor. Each
//! update is one ACID transaction, so a restart — even after `kill -9` — resumes from the
//! last committed record; the chain itself stays the source of truth for whose turn it is.

use std::path::Path;

use alloy::primitives::{B256, Bytes, U256};
use redb::{Database, ReadableDatabase, ReadableTable, TableDefinition};
use serde::{Deserialize, Serialize, de::DeserializeOwned};

use crate::{Error, Result};

const META: TableDefinition<'_, &str, u64> = TableDefinition::new("meta");
const REQUESTS: TableDefinition<'_, u64, &[u8]> = TableDefinition::new("requests");
const CLAIMS: TableDefinition<'_, u64, &[u8]> = TableDefinition::new("claims");
const GAMES: TableDefinition<'_, u64, &[u8]> = TableDefinition::new("games");

/// Where a record stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Phase {
    /// Still owed work.
    Open,
    /// Done in our favour (result finalized, game won).
    Won,
    /// Done against us (result rejected, game lost).
    Lost,
    /// Done with no winner (request served by another, game voided, nothing to do).
    Closed,
}

/// A request the role saw and may serve.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestRecord {
    /// The request id.
    pub request_id: u64,
    /// Its program.
    pub program_id: B256,
    /// Its input.
    pub input: Bytes,
    /// Block it was seen in.
    pub block: u64,
    /// Open until a result is posted for it (by us or anyone).
    pub phase: Phase,
    /// Set when the submitter's price policy declined it: the request stays open (a later
    /// policy may serve it) but is not run again while the same decision stands.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skipped: Option<Skipped>,
}

/// Why a submitter declined a request, with the figures it decided on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Skipped {
    /// The reason.
    pub reason: SkipReason,
    /// The fee the submitter would earn (the request's, less its callback's gas part).
    pub fee: U256,
    /// The price asked: the floor, or the floor plus the work's part.
    pub price: U256,
    /// Fast-path work the run took (at least the bound, for [`SkipReason::WorkBound`]);
    /// `None` when the fee was below the floor and nothing was run.
    pub work: Option<u64>,
}

/// Why a submitter declined a request (the `reason` label of `opml_requests_skipped_total`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SkipReason {
    /// The fee is below the program's floor: not run at all.
    BelowFloor,
    /// The fee is below the floor plus the price of the work the run took.
    BelowPrice,
    /// The run needed more work than the bound.
    WorkBound,
}

impl SkipReason {
    /// Every reason.
    pub const ALL: [SkipReason; 3] = [Self::BelowFloor, Self::BelowPrice, Self::WorkBound];

    /// The label: `below_floor`, `below_price`, `work_bound`.
    pub fn label(self) -> &'static str {
        match self {
            Self::BelowFloor => "below_floor",
            Self::BelowPrice => "below_price",
            Self::WorkBound => "work_bound",
        }
    }
}

/// A result the role posted (with its bond), until paid out or rejected.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClaimRecord {
    /// The request.
    pub request_id: u64,
    /// The result id the oracle gave it.
    pub result_id: u64,
    /// The program.
    pub program_id: B256,
    /// The input.
    pub input: Bytes,
    /// The output posted.
    pub output: Bytes,
    /// The claimed final state hash.
    pub final_state: B256,
    /// The packed final state, kept until it is revealed (a restart between the commitment
    /// and the reveal still reveals it).
    #[serde(default)]
    pub final_fields: Bytes,
    /// Whether the commitment has been revealed.
    #[serde(default)]
    pub revealed: bool,
    /// Block the commitment was mined in.
    #[serde(default)]
    pub commit_block: u64,
    /// Transaction that committed it (then the one that revealed it).
    pub tx: B256,
    /// Where it stands.
    pub phase: Phase,
}

/// Which side of a game the role plays.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Side {
    /// The result's submitter (defends).
    Submitter,
    /// The challenger (attacks).
    Challenger,
}

/// One transaction the role sent in a game.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MoveRecord {
    /// `challenge`, `bisect`, `open` (`openSegment`), `prove` or `timeout`.
    pub kind: String,
    /// Range start and log2 length the move answered.
    pub start: u64,
    /// log2 of the range length.
    pub len_log: u8,
    /// The transaction.
    pub tx: B256,
    /// Gas it used.
    pub gas_used: u64,
    /// Seconds spent computing the move (trace queries and proof).
    pub compute_secs: f64,
}

/// A game the role plays.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GameRecord {
    /// The game id.
    pub game_id: u64,
    /// The disputed result.
    pub result_id: u64,
    /// Its request.
    pub request_id: u64,
    /// Its program.
    pub program_id: B256,
    /// The request input (to rebuild the trace after a restart).
    pub input: Bytes,
    /// Our side.
    pub side: Side,
    /// Moves we sent.
    pub moves: Vec<MoveRecord>,
    /// Where it stands.
    pub phase: Phase,
    /// A two-phase game's disputed segment `j`, once opened (by either side). The chain holds
    /// it too (`Game.segment`); a restart replays this segment alone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub segment: Option<u64>,
    /// The agreed boundary `B_j` (its hash) the role revealed when it opened the segment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub boundary: Option<B256>,
}

/// The role's database.
#[derive(Debug)]
pub struct Store {
    db: Database,
}

impl Store {
    /// Opens (or creates) the database file at `path`.
    pub fn open(path: &Path) -> Result<Self> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .map_err(|e| Error::Config(format!("database directory {}: {e}", dir.display())))?;
        }
        let db = Database::create(path)?;
        let tx = db.begin_write()?;
        for t in [REQUESTS, CLAIMS, GAMES] {
            tx.open_table(t)?;
        }
        tx.open_table(META)?;
        tx.commit()?;
        Ok(Self { db })
    }

    /// A counter or cursor (0 if unset).
    pub fn meta(&self, key: &str) -> Result<u64> {
        let tx = self.db.begin_read()?;
        let t = tx.open_table(META)?;
        Ok(t.get(key)?.map(|v| v.value()).unwrap_or(0))
    }

    /// Sets a counter or cursor.
    pub fn set_meta(&self, key: &str, value: u64) -> Result<()> {
        let tx = self.db.begin_write()?;
        tx.open_table(META)?.insert(key, value)?;
        Ok(tx.commit()?)
    }

    fn put<T: Serialize>(
        &self,
        table: TableDefinition<'_, u64, &[u8]>,
        id: u64,
        v: &T,
    ) -> Result<()> {
        let bytes = serde_json::to_vec(v)?;
        let tx = self.db.begin_write()?;
        tx.open_table(table)?.insert(id, bytes.as_slice())?;
        Ok(tx.commit()?)
    }

    fn get<T: DeserializeOwned>(
        &self,
        table: TableDefinition<'_, u64, &[u8]>,
        id: u64,
    ) -> Result<Option<T>> {
        let tx = self.db.begin_read()?;
        let t = tx.open_table(table)?;
        let Some(v) = t.get(id)? else {
            return Ok(None);
        };
        Ok(Some(serde_json::from_slice(v.value())?))
    }

    fn all<T: DeserializeOwned>(&self, table: TableDefinition<'_, u64, &[u8]>) -> Result<Vec<T>> {
        let tx = self.db.begin_read()?;
        let t = tx.open_table(table)?;
        let mut out = Vec::new();
        for row in t.iter()? {
            let (_, v) = row?;
            out.push(serde_json::from_slice(v.value())?);
        }
        Ok(out)
    }

    /// Records a request.
    pub fn put_request(&self, r: &RequestRecord) -> Result<()> {
        self.put(REQUESTS, r.request_id, r)
    }
    /// A request by id.
    pub fn request(&self, id: u64) -> Result<Option<RequestRecord>> {
        self.get(REQUESTS, id)
    }
    /// Every request recorded.
    pub fn requests(&self) -> Result<Vec<RequestRecord>> {
        self.all(REQUESTS)
    }
    /// Records a claim (keyed by result id).
    pub fn put_claim(&self, c: &ClaimRecord) -> Result<()> {
        self.put(CLAIMS, c.result_id, c)
    }
    /// A claim by result id.
    pub fn claim(&self, result_id: u64) -> Result<Option<ClaimRecord>> {
        self.get(CLAIMS, result_id)
    }
    /// Every claim recorded.
    pub fn claims(&self) -> Result<Vec<ClaimRecord>> {
        self.all(CLAIMS)
    }
    /// Records a game.
    pub fn put_game(&self, g: &GameRecord) -> Result<()> {
        self.put(GAMES, g.game_id, g)
    }
    /// A game by id.
    pub fn game(&self, id: u64) -> Result<Option<GameRecord>> {
        self.get(GAMES, id)
    }
    /// Every game recorded.
    pub fn games(&self) -> Result<Vec<GameRecord>> {
        self.all(GAMES)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_survive_reopening() {
        let dir = std::env::temp_dir().join(format!("opml-store-{}", std::process::id()));
        let path = dir.join("db.redb");
        let _ = std::fs::remove_file(&path);
        {
            let s = Store::open(&path).unwrap();
            s.set_meta("cursor", 42).unwrap();
            s.put_game(&GameRecord {
                game_id: 7,
                result_id: 3,
                request_id: 1,
                program_id: B256::repeat_byte(1),
                input: Bytes::from_static(b"in"),
                side: Side::Challenger,
                moves: vec![],
                phase: Phase::Open,
                segment: Some(299),
                boundary: Some(B256::repeat_byte(2)),
            })
            .unwrap();
        }
        let s = Store::open(&path).unwrap();
        assert_eq!(s.meta("cursor").unwrap(), 42);
        assert_eq!(s.meta("unset").unwrap(), 0);
        let g = s.game(7).unwrap().unwrap();
        assert_eq!(
            (g.result_id, g.side, g.phase, g.segment),
            (3, Side::Challenger, Phase::Open, Some(299))
        );
        assert_eq!(g.boundary, Some(B256::repeat_byte(2)));
        assert_eq!(s.games().unwrap().len(), 1);
        assert!(s.claim(1).unwrap().is_none());
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_skipped_request_keeps_its_decision_and_old_records_still_read() {
        let old = r#"{"request_id":4,"program_id":"0x0101010101010101010101010101010101010101010101010101010101010101","input":"0x00","block":9,"phase":"Open"}"#;
        let r: RequestRecord = serde_json::from_str(old).unwrap();
        assert_eq!((r.request_id, r.skipped), (4, None));
        let skipped = RequestRecord {
            skipped: Some(Skipped {
                reason: SkipReason::WorkBound,
                fee: U256::from(10),
                price: U256::from(3),
                work: Some(1_000),
            }),
            ..r
        };
        let text = serde_json::to_string(&skipped).unwrap();
        assert!(text.contains("\"work_bound\""), "{text}");
        assert_eq!(
            serde_json::from_str::<RequestRecord>(&text).unwrap(),
            skipped
        );
    }
}
