//! A commitment of the role's own that its database does not record: the process was killed
//! after the commitment was sent and before it was recorded, or the node's answer was lost.
//! Before committing, the role looks for one with the same commitment hash among the current
//! round's commitments on the request, and takes it up (the same claim: same sender, same final
//! state) instead of putting up a second bond.

use alloy::primitives::{B256, U256};
use opml_bindings::status::RESULT_COMMITTED;

use super::Service;
use crate::Result;
use crate::chain::failed;

impl Service {
    /// The result id and block of a commitment of this role to `commitment` on `request_id`,
    /// still unrevealed in the request's current round, if the chain has one.
    pub(super) async fn own_commitment(
        &self,
        request_id: u64,
        commitment: B256,
    ) -> Result<Option<(u64, u64)>> {
        let o = &self.chain.oracle;
        let q = o
            .request(U256::from(request_id))
            .call()
            .await
            .map_err(failed("reading the request"))?;
        // Newest first, back to the last rejected result (earlier rounds are over).
        let mut id = q.lastCommit;
        while id != 0 && id > q.prevBest {
            let r = o
                .result(U256::from(id))
                .call()
                .await
                .map_err(failed("reading a commitment"))?;
            if r.submitter == self.chain.me
                && r.commitment == commitment
                && r.status == RESULT_COMMITTED
            {
                let evs = o
                    .ResultCommitted_filter()
                    .topic1(B256::from(U256::from(id)))
                    .from_block(self.start_block)
                    .query()
                    .await
                    .map_err(failed("reading the ResultCommitted event"))?;
                let block = evs
                    .first()
                    .and_then(|(_, log)| log.block_number)
                    .unwrap_or_default();
                return Ok(Some((id, block)));
            }
            id = r.prevCommit;
        }
        Ok(None)
    }
}
