//! Catch-up: a swarm of 5 keeps taking stores while 4 members are SIGKILLed one by one; every
//! acknowledged store is on the survivor, and once the 4 restart every member holds all of it.

use base64::Engine as _;
use serde_json::{Value, json};
use session_crypto::{IdentityKeys, Seed};
use session_devnet::Devnet;
use session_e2e::{config, hashes_at, now_ms, rpc};
use std::collections::BTreeSet;
use std::time::{Duration, Instant};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_members_catch_up_and_nothing_acknowledged_is_lost() {
    let (mut cfg, _dir) = config(5);
    cfg.min_swarm_size = 5;
    cfg.ideal_swarm_size = 7;
    cfg.multi_contributor_every = 0;
    let mut devnet = Devnet::start(cfg).await.expect("devnet starts");
    let report = devnet.agreed_report().await.expect("agreement");
    assert_eq!(report.swarms().len(), 1, "five nodes, one swarm of five");
    let http = reqwest::Client::new();
    let user = IdentityKeys::from_seed(Seed::generate_full(&mut rand::rng()));
    let survivor = devnet.nodes[0].http();

    // 1,000 stores at the survivor from 4 writers while members 1..=4 die one by one.
    let acked = std::sync::Arc::new(std::sync::Mutex::new(BTreeSet::new()));
    let mut writers = Vec::new();
    for w in 0..4u32 {
        let (http, acked, account) = (http.clone(), acked.clone(), user.session_id().to_string());
        writers.push(tokio::spawn(async move {
            for i in 0..250u32 {
                let data = base64::engine::general_purpose::STANDARD.encode(format!("w{w} m{i}"));
                let store = json!({"method": "store", "params": {
                    "pubkey": account, "ttl": 3_600_000, "timestamp": now_ms(), "data": data}});
                let (code, body) = rpc(&http, survivor, store).await;
                if code == 200 {
                    let v: Value = serde_json::from_str(&body).expect("json");
                    acked
                        .lock()
                        .expect("lock")
                        .insert(v["hash"].as_str().expect("hash").to_owned());
                }
            }
        }));
    }
    for victim in 1..=4 {
        tokio::time::sleep(Duration::from_millis(400)).await;
        devnet.kill_node(victim);
    }
    for w in writers {
        w.await.expect("writer");
    }
    let acked = acked.lock().expect("lock").clone();
    assert_eq!(acked.len(), 1_000, "the survivor acknowledges every store");
    assert_eq!(
        hashes_at(&http, survivor, &user)
            .await
            .expect("survivor answers"),
        acked
    );

    // Peer testing notices the dead members.
    let failing = |v: &Value| v["peers"]["failing"].as_array().map_or(0, Vec::len);
    let info = |http: reqwest::Client| async move {
        http.get(format!("http://{survivor}/info"))
            .send()
            .await
            .expect("info")
            .json::<Value>()
            .await
            .expect("json")
    };
    let deadline = Instant::now() + Duration::from_secs(30);
    while failing(&info(http.clone()).await) < 4 {
        assert!(
            Instant::now() < deadline,
            "peer tests did not notice the 4 dead members"
        );
        tokio::time::sleep(Duration::from_millis(300)).await;
    }

    // While they are down: 200 messages of 50,000 bytes (10 MB, more than one 9 MB fetch batch)
    // for a second user.
    let big_user = IdentityKeys::from_seed(Seed::generate_full(&mut rand::rng()));
    let mut big = BTreeSet::new();
    for i in 0..200u32 {
        let mut data = vec![0u8; 50_000];
        data[..4].copy_from_slice(&i.to_be_bytes());
        let store = json!({"method": "store", "params": {"pubkey": big_user.session_id().to_string(),
            "ttl": 3_600_000, "timestamp": now_ms(),
            "data": base64::engine::general_purpose::STANDARD.encode(&data)}});
        let (code, body) = rpc(&http, survivor, store).await;
        assert_eq!(code, 200, "{body}");
        let v: Value = serde_json::from_str(&body).expect("json");
        big.insert(v["hash"].as_str().expect("hash").to_owned());
    }

    // Restart the four: within a minute each holds exactly the acknowledged set.
    for victim in 1..=4 {
        devnet.restart_node(victim).expect("restart");
    }
    let deadline = Instant::now() + Duration::from_secs(90);
    for victim in 1..=4 {
        let addr = devnet.nodes[victim].http();
        loop {
            if hashes_at(&http, addr, &user).await.as_ref() == Some(&acked)
                && hashes_at(&http, addr, &big_user).await.as_ref() == Some(&big)
            {
                break;
            }
            assert!(Instant::now() < deadline, "node {victim} did not catch up");
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    }
    // ...and that they are back.
    while failing(&info(http.clone()).await) > 0 {
        assert!(
            Instant::now() < deadline,
            "peer tests did not see the members come back"
        );
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}
