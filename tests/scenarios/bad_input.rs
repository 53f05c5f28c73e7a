//! Bad registrations and exits: rejected by the contract, or ignored by every node.

use session_crypto::{IdentityKeys, Seed};
use session_devnet::Devnet;
use session_devnet::ops::{CallError, sign_registration};
use session_e2e::{config, report_after};
use session_swarm::NodeRecord;

fn new_keys() -> IdentityKeys {
    IdentityKeys::from_seed(Seed::generate_full(&mut rand::rng()))
}

fn record_for(keys: &IdentityKeys, operator: [u8; 20]) -> NodeRecord {
    NodeRecord {
        id: 0,
        operator,
        ed25519: *keys.ed25519_public().as_bytes(),
        x25519: *keys.x25519_public().as_bytes(),
        ipv4: [127, 0, 0, 1],
        http_port: 9,
        grpc_port: 9,
    }
}

fn reverted(e: CallError) -> String {
    match e {
        CallError::Reverted(name) => name,
        CallError::Other(e) => panic!("expected a registry revert, got {e:#}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_registrations_and_early_exits_are_refused() {
    let (mut cfg, _dir) = config(3);
    cfg.min_swarm_size = 1;
    cfg.ideal_swarm_size = 2;
    cfg.multi_contributor_every = 0;
    cfg.unlock_delay_secs = 3_600;
    let devnet = Devnet::start(cfg).await.expect("devnet starts");
    let (chain, c) = (&devnet.chain, &devnet.contracts);
    let ctx = c.context(chain.chain_id);
    let operator = chain.accounts[5];
    let full = devnet.cfg.staking_requirement;

    // A registration whose Ed25519 signature does not verify: the contract cannot tell, the
    // nodes ignore it.
    let forged = new_keys();
    let record = record_for(&forged, operator.into_array());
    let mut sig = sign_registration(&forged, &ctx, &record);
    sig[10] ^= 1;
    chain
        .register(c, operator, &record, &sig, full)
        .await
        .expect("the contract accepts it");
    // A signature by the right key over another operator's registration: ignored too.
    let replayed = new_keys();
    let other = record_for(&replayed, chain.accounts[6].into_array());
    let sig = sign_registration(&replayed, &ctx, &other);
    let record2 = record_for(&replayed, operator.into_array());
    chain
        .register(c, operator, &record2, &sig, full)
        .await
        .expect("the contract accepts it");

    // A duplicate key: refused by the contract.
    let existing = &devnet.nodes[0];
    let dup = NodeRecord {
        operator: operator.into_array(),
        ..existing.record.clone()
    };
    let err = chain
        .register(c, operator, &dup, &[0u8; 64], full)
        .await
        .expect_err("duplicate key");
    assert_eq!(reverted(err), "DuplicateKey");

    // Under-staked: below the operator's 25 % minimum is refused; exactly 25 % registers but
    // never becomes active, so no node puts it in a swarm.
    let short = new_keys();
    let short_record = record_for(&short, operator.into_array());
    let short_sig = sign_registration(&short, &ctx, &short_record);
    let err = chain
        .register(c, operator, &short_record, &short_sig, full / 4 - 1)
        .await
        .expect_err("under-staked");
    assert_eq!(reverted(err), "OperatorStakeTooLow");
    let partial_id = chain
        .register(c, operator, &short_record, &short_sig, full / 4)
        .await
        .expect("a partial stake registers");

    // An early exit: refused until the unlock delay has passed.
    let node = &devnet.nodes[1];
    chain
        .request_exit(c, node.operator(), node.id)
        .await
        .expect("exit request");
    let err = chain
        .exit(c, node.operator(), node.id)
        .await
        .expect_err("still locked");
    assert_eq!(reverted(err), "StillLocked");
    let err = chain
        .exit(c, node.operator(), partial_id)
        .await
        .expect_err("no exit requested");
    assert_eq!(reverted(err), "ExitNotRequested");

    // Two epochs later every node still lists exactly the three real nodes.
    let head = {
        use alloy::providers::Provider as _;
        chain.provider.get_block_number().await.expect("head")
    };
    let report = report_after(&devnet, head + 2 * devnet.cfg.epoch_blocks).await;
    let listed: Vec<[u8; 32]> = report.assignment.keys().copied().collect();
    let mut want: Vec<[u8; 32]> = devnet.nodes.iter().map(|n| n.record.ed25519).collect();
    want.sort_unstable();
    assert_eq!(
        listed, want,
        "forged, replayed and partial registrations are ignored"
    );
}
