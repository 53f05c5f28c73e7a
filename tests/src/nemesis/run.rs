//! One run: clients under a fault schedule, healing, a sync period, the final read, the check.

use super::client::{Client, Ctx};
use super::faults::{ALL, Nemesis};
use super::history::History;
use super::summary::Summary;
use super::topology::{Shared, Topology};
use session_crypto::{IdentityKeys, Seed};
use session_devnet::Devnet;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// Which faults, and for how long.
#[derive(Clone, Copy, Debug)]
pub enum Schedule {
    /// Every fault once, the hardest form of each (the short form).
    EachOnce,
    /// Faults mixed at random until this much time has passed.
    Random(Duration),
}

/// How a run is shaped.
#[derive(Clone, Debug)]
pub struct Plan {
    /// Concurrent clients.
    pub clients: usize,
    /// Accounts (spread over the clients).
    pub accounts: usize,
    /// Mean ms a client waits between two operations.
    pub pause_ms: u64,
    /// The faults.
    pub schedule: Schedule,
    /// How long each fault is held.
    pub hold: Duration,
    /// How long the members may take to converge after healing.
    pub patience: Duration,
    /// Seed of the clients' and the nemesis's choices (printed, so a run can be repeated).
    pub seed: u64,
}

impl Plan {
    /// The short form: 24 clients on 48 accounts, every fault once.
    pub fn short(seed: u64) -> Self {
        Self {
            clients: 24,
            accounts: 48,
            pause_ms: 300,
            schedule: Schedule::EachOnce,
            hold: Duration::from_secs(10),
            patience: Duration::from_secs(120),
            seed,
        }
    }
}

/// Runs `plan` against `devnet` (converged, with its swarms formed) and checks the history.
pub async fn run(devnet: &mut Devnet, plan: &Plan) -> anyhow::Result<Summary> {
    let report = devnet.wait_converged(Duration::from_secs(180)).await?;
    let topology = Shared::new(Topology::new(devnet, &report));
    let history = Arc::new(History::default());
    let users: Arc<Vec<IdentityKeys>> = Arc::new(
        (0..plan.accounts)
            .map(|_| IdentityKeys::from_seed(Seed::generate_full(&mut rand::rng())))
            .collect(),
    );
    let ctx = Ctx {
        users: users.clone(),
        topology: topology.clone(),
        history: history.clone(),
        stop: Arc::new(AtomicBool::new(false)),
    };
    let started = Instant::now();
    let tasks: Vec<_> = (0..plan.clients)
        .map(|i| {
            tokio::spawn(Client::new(i, plan.clients, plan.seed, ctx.clone()).run(plan.pause_ms))
        })
        .collect();
    tokio::time::sleep(Duration::from_secs(5)).await;
    let faults = inject(devnet, plan, &history, &topology).await;
    // Healed (also when a fault failed): the clients go on a little, then stop.
    let mut nemesis = Nemesis::new(devnet, history.clone(), topology.clone(), plan.seed);
    nemesis.heal_all()?;
    let converged = nemesis.converge().await;
    tokio::time::sleep(Duration::from_secs(5)).await;
    ctx.stop.store(true, Ordering::Relaxed);
    let mut clients = Vec::new();
    for t in tasks {
        clients.push(t.await?);
    }
    let load = started.elapsed();
    faults?;
    converged?;
    let t = topology.get();
    let (finals, sync) = super::final_read::settle(&history.ops(), &t, &users, plan.patience).await;
    // The cursors are walked after the final read: whatever a member held then, a cursor that
    // reaches its end must have returned (a message arriving later cannot count as skipped).
    for c in &mut clients {
        c.finish_cursors().await;
    }
    let ops = history.ops();
    let anomalies = super::check::check(&ops, &finals);
    let shape = format!(
        "seed {}, {} clients, {} accounts x {} namespaces, swarms {:?}",
        plan.seed,
        plan.clients,
        plan.accounts,
        super::client::NAMESPACES.len(),
        t.sizes()
    );
    Ok(Summary {
        ops,
        finals,
        faults: history.faults(),
        anomalies,
        shape,
        load,
        sync,
    })
}

async fn inject(
    devnet: &mut Devnet,
    plan: &Plan,
    history: &Arc<History>,
    topology: &Shared,
) -> anyhow::Result<()> {
    let mut nemesis = Nemesis::new(devnet, history.clone(), topology.clone(), plan.seed);
    nemesis.hold = plan.hold;
    match plan.schedule {
        Schedule::EachOnce => {
            for fault in ALL {
                nemesis.inject(fault, true).await?;
                tokio::time::sleep(Duration::from_secs(5)).await;
            }
        }
        Schedule::Random(length) => {
            let end = Instant::now() + length;
            while Instant::now() < end {
                let fault = nemesis.random();
                nemesis.inject(fault, false).await?;
                tokio::time::sleep(Duration::from_secs(3)).await;
            }
        }
    }
    Ok(())
}
