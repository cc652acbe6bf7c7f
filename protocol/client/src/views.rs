//! What `opml status` prints: programs, requests, results and games as plain serializable
//! values, read through the bindings (so they follow the contracts' ABI). Times are the
//! chain's (block timestamps, seconds); amounts are wei as decimal strings; a status is the
//! contract's enum value in snake case (`challenger_won`).

use alloy::primitives::{Address, B256, Bytes};
use serde::{Deserialize, Serialize};

/// A registered program.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProgramView {
    /// The program id.
    pub id: B256,
    /// `D`: a run is `2^D` steps.
    pub trace_depth: u8,
    /// `D2` of its fields: a segment is at most `2^D2` steps.
    pub segment_depth: u8,
    /// Who registered it.
    pub registrant: Address,
    /// The hash of its registered fields (what a role's program store is keyed by).
    pub program_hash: B256,
    /// Where its wasm and weights are published (from `ProgramRegistered`).
    pub metadata_uri: Option<String>,
    /// Block of its registration.
    pub block: Option<u64>,
}

/// A request and every commitment made on it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestView {
    /// The request id.
    pub id: u64,
    /// Its program.
    pub program_id: B256,
    /// Who asked (and paid the fee).
    pub requester: Address,
    /// `open`, `finalized` or `cancelled`.
    pub status: String,
    /// The callback ran (or there is none); meaningful once finalized.
    pub delivered: bool,
    /// When it was made.
    pub created_at: u64,
    /// From when anyone may cancel it, while it has no revealed result.
    pub cancellable_at: u64,
    /// `D` of its program.
    pub trace_depth: u8,
    /// The consumer called back on finality (zero: none).
    pub callback: Address,
    /// The callback's gas limit.
    pub callback_gas_limit: u64,
    /// The fee paid to the submitter of the final result (and the deliverer).
    pub fee_wei: String,
    /// `S_0`.
    pub start_state: B256,
    /// The input (from `InferenceRequested`).
    pub input: Bytes,
    /// The revealed result with priority now (the final one once finalized), if any.
    pub result: Option<u64>,
    /// `keccak256(output)` once finalized.
    pub output_hash: Option<B256>,
    /// Every commitment made on it, oldest first (revealed, rejected, refunded, ...).
    pub results: Vec<ResultView>,
    /// The chain's time when read.
    pub now: u64,
}

/// A committed result and the games on it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResultView {
    /// The result id.
    pub id: u64,
    /// Its request.
    pub request_id: u64,
    /// Who committed it (and bonded `bond_wei`).
    pub submitter: Address,
    /// `committed`, `revealed`, `rejected`, `finalized`, `refunded` or `forfeited`.
    pub status: String,
    /// When it was committed.
    pub committed_at: u64,
    /// The reveal deadline, while it is committed and unrevealed.
    pub reveal_deadline: Option<u64>,
    /// Start of its challenge window, once revealed.
    pub window_start: Option<u64>,
    /// End of its challenge window, once revealed.
    pub window_ends_at: Option<u64>,
    /// Games on it not yet decided.
    pub open_games: u32,
    /// Of those, games its submitter has not answered (no match escrowed).
    pub unfunded_games: u32,
    /// `commitmentHash(request, submitter, final state)`.
    pub commitment: B256,
    /// `keccak256(output)`, once revealed.
    pub output_hash: Option<B256>,
    /// The claimed final state `S_{2^D}`, once revealed.
    pub final_state: Option<B256>,
    /// The output (from `ResultRevealed`), once revealed.
    pub output: Option<Bytes>,
    /// The submitter's bond.
    pub bond_wei: String,
    /// The games on it.
    pub games: Vec<GameSummary>,
    /// The chain's time when read.
    pub now: u64,
}

/// A game in a list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GameSummary {
    /// The game id.
    pub id: u64,
    /// Its result.
    pub result_id: u64,
    /// The challenger.
    pub challenger: Address,
    /// `active`, `submitter_won`, `challenger_won` or `voided`.
    pub status: String,
    /// Whose move it is while active: `submitter` or `challenger`.
    pub turn: String,
}

/// One bisection move: the mover's hashes over `[start, start + 2^len_log]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Round {
    /// 1 for the opening (the challenge).
    pub n: usize,
    /// `submitter` or `challenger`.
    pub mover: String,
    /// 0 in a single-phase game; 1: the range counts segments (the hashes are boundaries);
    /// 2: steps of the game's disputed segment.
    pub phase: u8,
    /// The range bisected: `[start, start + 2^len_log]`.
    pub start: u64,
    /// log2 of its length.
    pub len_log: u8,
    /// The agreed hash at `start`.
    pub start_hash: B256,
    /// The mover's hashes at the sub-range ends.
    pub hashes: Vec<B256>,
    /// The sub-range the next move disputed, when there was one.
    pub disputed: Option<usize>,
    /// Block of the move.
    pub block: Option<u64>,
    /// The move's transaction.
    pub tx: Option<B256>,
}

/// The one step the verifier executed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepView {
    /// The step index `s`: the verifier ran `T_s → T_{s+1}`.
    pub step: u64,
    /// The agreed hash `T_s`.
    pub pre: B256,
    /// What the verifier computed.
    pub post: B256,
    /// Who proved it (and won): `submitter` or `challenger`.
    pub mover: String,
}

/// Both chess clocks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Clocks {
    /// Seconds per side for the whole game.
    pub total: u64,
    /// The submitter's seconds left now (running down while it is its move).
    pub submitter_left: u64,
    /// The challenger's seconds left now.
    pub challenger_left: u64,
}

/// What is at stake in a game.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bonds {
    /// The result's bond (the submitter's).
    pub result_bond_wei: String,
    /// The challenger's bond, and the match the submitter escrows with its first move.
    pub challenge_bond_wei: String,
    /// The submitter has escrowed its match in this game.
    pub match_escrowed: bool,
    /// The part of a losing bond burned, in basis points.
    pub burn_bps: u16,
}

/// A game, move by move.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GameView {
    /// The game id.
    pub id: u64,
    /// The disputed result.
    pub result_id: u64,
    /// Its request.
    pub request_id: u64,
    /// The result's submitter.
    pub submitter: Address,
    /// The challenger.
    pub challenger: Address,
    /// `active`, `submitter_won`, `challenger_won` or `voided`.
    pub status: String,
    /// Whose move it is while active.
    pub turn: String,
    /// Decided by a clock running out.
    pub by_timeout: bool,
    /// `D`: the trace is `[0, 2^D]`.
    pub trace_depth: u8,
    /// log2 of the arity k.
    pub k_log: u8,
    /// `D2`, the depth of one segment: `D2 = D` in a single-phase game, else the trace is
    /// `2^(D - D2)` segments (`docs/protocol.md` §5.3).
    pub segment_depth: u8,
    /// 0: a single-phase game; 1: bisecting segments; 2: bisecting the steps of `segment`.
    pub phase: u8,
    /// In phase 2, the disputed segment.
    pub segment: u64,
    /// The range the last move bisected: `[start, start + 2^len_log]`.
    pub start: u64,
    /// log2 of its length.
    pub len_log: u8,
    /// Both clocks.
    pub clocks: Clocks,
    /// When the last move was made.
    pub last_move_at: u64,
    /// The bonds.
    pub bonds: Bonds,
    /// Every bisection, oldest first.
    pub rounds: Vec<Round>,
    /// The step proof that decided it, if any.
    pub step: Option<StepView>,
    /// The chain's time when read.
    pub now: u64,
}

/// The oracle's deployment parameters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfigView {
    /// The step verifier.
    pub verifier: Address,
    /// Seconds a revealed result can be challenged.
    pub challenge_window: u64,
    /// Seconds a commitment has to be revealed.
    pub reveal_window: u64,
    /// Seconds per side for a whole game (chess clocks).
    pub clock: u64,
    /// log2 of the bisection arity k.
    pub k_log: u8,
    /// The deepest segment (`D2`) a program may register with.
    pub max_segment_depth: u8,
    /// The deepest trace (`D`) a program may register with.
    pub max_trace_depth: u8,
    /// A result's bond.
    pub result_bond_wei: String,
    /// A challenger's bond (and the submitter's match).
    pub challenge_bond_wei: String,
    /// The part of a losing bond burned, in basis points.
    pub burn_bps: u16,
    /// The fee's base part.
    pub base_fee_wei: String,
    /// The gas price a callback's gas limit is paid at.
    pub callback_gas_price_wei: String,
    /// The largest callback gas limit.
    pub max_callback_gas: u64,
    /// The largest input.
    pub max_input_bytes: u32,
    /// The largest output.
    pub max_output_bytes: u32,
    /// Seconds after which a request without a revealed result can be cancelled.
    pub request_timeout: u64,
}

/// A request in a list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestSummary {
    /// The request id.
    pub id: u64,
    /// Its program.
    pub program_id: B256,
    /// Who asked.
    pub requester: Address,
    /// `open`, `finalized` or `cancelled`.
    pub status: String,
    /// The revealed result with priority (the final one once finalized), if any.
    pub result: Option<u64>,
    /// When it was made.
    pub created_at: u64,
}

/// A result in a list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResultSummary {
    /// The result id.
    pub id: u64,
    /// Its request.
    pub request_id: u64,
    /// Who committed it.
    pub submitter: Address,
    /// `committed`, `revealed`, `rejected`, `finalized`, `refunded` or `forfeited`.
    pub status: String,
    /// Games on it not yet decided.
    pub open_games: u32,
}

/// The oracle at a glance: its parameters, counts, and the latest programs, requests, results
/// and games (newest first).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Overview {
    /// The oracle.
    pub oracle: Address,
    /// The chain id.
    pub chain_id: u64,
    /// The head block when read.
    pub head: u64,
    /// The chain's time when read.
    pub now: u64,
    /// Its parameters.
    pub config: ConfigView,
    /// Programs registered.
    pub program_count: u64,
    /// The latest of them.
    pub programs: Vec<ProgramView>,
    /// Requests made.
    pub request_count: u64,
    /// The latest of them.
    pub requests: Vec<RequestSummary>,
    /// Results committed.
    pub result_count: u64,
    /// The latest of them.
    pub results: Vec<ResultSummary>,
    /// Games started.
    pub game_count: u64,
    /// The latest of them.
    pub games: Vec<GameSummary>,
}
