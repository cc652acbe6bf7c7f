//! An integrator with only Foundry's `cast`: deploys a consumer, requests an inference from
//! the oracle, waits for a real `opml submitter` to post the result, finalizes it after the
//! window and reads the consumer's output. Every chain call on its side is a `cast` process;
//! the commands are the ones `docs/integrate.md` shows, step for step.

use opml_e2e::cast::Cast;
use opml_e2e::{Guard, Net, root, wait};

const INFERENCE_REQUESTED: &str = "InferenceRequested(uint256 indexed,bytes32 indexed,address indexed,address,uint64,uint256,bytes32,bytes)";
const RESULT_REVEALED: &str =
    "ResultRevealed(uint256 indexed,uint256 indexed,address indexed,bytes32,uint64,bytes)";
/// The integrator: an anvil account no role uses.
const ME: usize = 5;

#[tokio::test(flavor = "multi_thread")]
async fn an_integrator_with_only_cast_gets_its_callback() {
    let Some(net) = Net::start("cast", 60, 600).await else {
        return;
    };
    let Some(cast) = Cast::new(&net.anvil.endpoint()) else {
        return;
    };
    let key = net.key(ME);
    let oracle = net.oracle.address().to_string();
    let program = net.program.to_string();

    // 1. A consumer of its own, from the forge artifact.
    let artifact = root().join("contracts/out/ExampleConsumer.sol/ExampleConsumer.json");
    let artifact: serde_json::Value =
        serde_json::from_slice(&std::fs::read(artifact).expect("artifact")).expect("json");
    let code = artifact["bytecode"]["object"].as_str().expect("bytecode");
    let deployed = cast.json(&[
        "send",
        "--private-key",
        &key,
        "--json",
        "--create",
        code,
        "constructor(address,bytes32)",
        &oracle,
        &program,
    ]);
    let consumer = deployed["contractAddress"].as_str().expect("address");

    // 2. The fee for a 500k-gas callback (`cast call` prints "1500000000000000 [1.5e15]").
    let fee = cast.run(&["call", &oracle, "requestFee(uint64)(uint256)", "500000"]);
    let fee = fee.split_whitespace().next().expect("fee");

    // 3. The request, made through the consumer (it accepts answers only to its own
    // requests); its id is topic 1 of the `InferenceRequested` log.
    let input = format!("0x{}", hex::encode(&net.input));
    let receipt = cast.json(&[
        "send",
        "--private-key",
        &key,
        "--json",
        "--value",
        fee,
        consumer,
        "ask(bytes)",
        &input,
    ]);
    assert_eq!(receipt["status"], "0x1", "request reverted: {receipt}");
    let topic0 = cast.run(&["sig-event", INFERENCE_REQUESTED]);
    let request = receipt["logs"]
        .as_array()
        .expect("logs")
        .iter()
        .find(|l| l["topics"][0] == topic0.as_str())
        .and_then(|l| l["topics"][1].as_str())
        .expect("InferenceRequested log")
        .to_owned();

    // 4. A real submitter serves it; the integrator reads the output from its log. The
    // submitter is then stopped: left running, it would finalize its own result after the
    // window, and this finalize is the integrator's.
    let submitter = Guard(net.spawn("submitter", 2, "submitter", &[]));
    let data = wait(120, "the ResultRevealed log", || async {
        let logs = cast.json(&[
            "logs",
            "--from-block",
            "0",
            "--address",
            &oracle,
            RESULT_REVEALED,
            "",
            &request,
            "--json",
        ]);
        logs[0]["data"].as_str().map(str::to_owned)
    })
    .await;
    drop(submitter);
    let decoded = cast.run(&["abi-decode", "f()(bytes32,uint64,bytes)", &data]);
    let output = decoded.lines().nth(2).expect("output line").to_owned();

    // 5. The window passes (a devnet's clock moved by hand), 6. anyone may finalize.
    let window = (net.window + 1).to_string();
    cast.run(&["rpc", "evm_increaseTime", &window]);
    cast.run(&["rpc", "evm_mine"]);
    let fin = cast.json(&[
        "send",
        "--private-key",
        &key,
        "--json",
        &oracle,
        "finalize(uint256,bytes)",
        &request,
        &output,
    ]);
    assert_eq!(fin["status"], "0x1", "finalize reverted: {fin}");

    // 7. The callback arrived, with what `opml run` computes on the same program and input.
    let answered = cast.run(&["call", consumer, "answered(uint256)(bool)", &request]);
    assert_eq!(answered, "true");
    let got = cast.run(&["call", consumer, "outputs(uint256)(bytes)", &request]);
    let got = hex::decode(got.trim_start_matches("0x")).expect("hex output");
    assert_eq!(got, net.reference_output(&net.input));
}
