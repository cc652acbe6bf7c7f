//! The verifier deploys from the forge artifacts and handles the trivial cases.

use opml_stepcheck::evm::{StepCall, StepEvm};

#[test]
fn stopped_states_step_to_themselves_and_garbage_reverts() {
    let mut evm = StepEvm::new().expect("deploy the verifier (see the error for how to build it)");
    for status in [1u8, 2] {
        let mut pre = [0x5a; 32];
        pre[0] = status;
        assert_eq!(
            evm.step(&pre, &[]).expect("evm").post(),
            Some(pre),
            "status {status}"
        );
    }
    let pre = [0u8; 32];
    assert!(matches!(
        evm.step(&pre, &[]).expect("evm"),
        StepCall::Reverted(_)
    ));
    assert!(matches!(
        evm.step(&pre, &[0u8; 600]).expect("evm"),
        StepCall::Reverted(_)
    ));
}
