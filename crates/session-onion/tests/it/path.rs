//! The path policy: guard tests, /24 rule, two paths, thresholds, replacements and the advice
//! for each kind of answer.
use crate::rng;
use session_crypto::{Ed25519PublicKey, X25519PublicKey};
use session_onion::{Action, Advice, Node, Outcome, Path, PathConfig, PathManager, Shortage};
use std::collections::HashSet;
use std::net::Ipv4Addr;

/// Node `i` in 10.0.<subnet>.<host>.
fn node(i: u8, subnet: u8, host: u8) -> Node {
    Node {
        ed25519: Ed25519PublicKey::from_bytes([i; 32]),
        x25519: X25519PublicKey::from_bytes([i; 32]),
        ip: Ipv4Addr::new(10, 0, subnet, host),
        port: 443,
    }
}

/// `n` nodes, each in a /24 of its own.
fn pool(n: u8) -> Vec<Node> {
    (1..=n).map(|i| node(i, i, 1)).collect()
}

fn ed(i: u8) -> Ed25519PublicKey {
    Ed25519PublicKey::from_bytes([i; 32])
}

/// Polls and passes every guard test until the paths are ready.
fn ready(m: &mut PathManager, r: &mut rand::rngs::StdRng) {
    for _ in 0..20 {
        match m.poll(r) {
            Action::Ready => return,
            Action::TestGuards(c) => c.iter().for_each(|n| m.guard_tested(&n.ed25519, true)),
            other => panic!("unexpected {other:?}"),
        }
    }
    panic!("never ready");
}

fn manager(n: u8) -> (PathManager, rand::rngs::StdRng) {
    let mut m = PathManager::new(PathConfig::default());
    m.set_pool(pool(n));
    (m, rng(1))
}

fn check_invariants(m: &PathManager) {
    let mut seen = HashSet::new();
    for p in m.paths() {
        assert_eq!(p.nodes().len(), m.config().hops);
        assert!(m.guards().contains(p.guard()));
        let subnets: HashSet<_> = p.nodes().iter().map(Node::subnet24).collect();
        if m.config().one_node_per_subnet {
            assert_eq!(subnets.len(), p.nodes().len(), "one node per /24 in {p:?}");
        }
        for n in p.nodes() {
            assert!(seen.insert(n.ed25519), "node in two paths");
            assert!(m.pool().contains(n), "path node not in pool");
        }
    }
}

#[test]
fn guards_are_tested_then_two_paths_of_three_are_built() {
    let (mut m, mut r) = manager(20);
    let Action::TestGuards(batch) = m.poll(&mut r) else {
        panic!()
    };
    assert_eq!(batch.len(), 2, "candidates come two at a time");
    assert!(m.paths().is_empty());
    assert_eq!(m.poll(&mut r), Action::AwaitGuardTests);
    assert!(
        m.choose_path(&mut r, None).is_none(),
        "no path before a guard passes"
    );
    m.guard_tested(&batch[0].ed25519, true);
    assert_eq!(m.poll(&mut r), Action::AwaitGuardTests);
    assert_eq!(
        m.paths().len(),
        1,
        "a path is built as soon as its guard passes"
    );
    m.guard_tested(&batch[1].ed25519, true);
    assert_eq!(m.poll(&mut r), Action::Ready);
    assert_eq!(m.paths().len(), 2);
    assert_eq!(m.guards(), &batch[..]);
    check_invariants(&m);
}

#[test]
fn failed_guard_tests_bring_new_candidates_and_give_up_after_six_rounds() {
    let (mut m, mut r) = manager(30);
    let mut tested = HashSet::new();
    for round in 0..6 {
        let Action::TestGuards(batch) = m.poll(&mut r) else {
            panic!("round {round}")
        };
        for n in &batch {
            assert!(tested.insert(n.ed25519), "a failed candidate came back");
            m.guard_tested(&n.ed25519, false);
        }
    }
    assert_eq!(
        m.poll(&mut r),
        Action::RefreshPool(Shortage::GuardRoundsExhausted)
    );
    // A fresh pool starts a new search, and failed candidates are eligible again.
    m.set_pool(pool(30));
    assert!(matches!(m.poll(&mut r), Action::TestGuards(_)));
    assert_eq!(m.pending_guards().len(), 2);
}

#[test]
fn one_passing_guard_in_a_batch() {
    let (mut m, mut r) = manager(20);
    let Action::TestGuards(batch) = m.poll(&mut r) else {
        panic!()
    };
    m.guard_tested(&batch[0].ed25519, false);
    m.guard_tested(&batch[1].ed25519, true);
    // Results for nodes that were not under test are ignored.
    m.guard_tested(&ed(99), true);
    let Action::TestGuards(next) = m.poll(&mut r) else {
        panic!()
    };
    assert_eq!(m.paths().len(), 1);
    assert!(
        !next.contains(&batch[0]),
        "the failed candidate is not retried"
    );
    assert!(
        !next.iter().any(|n| m.paths()[0].contains(&n.ed25519)),
        "path nodes are not candidates"
    );
    // Both pass: one becomes the guard, the surplus is let go.
    next.iter().for_each(|n| m.guard_tested(&n.ed25519, true));
    assert_eq!(m.poll(&mut r), Action::Ready);
    assert_eq!(m.guards().len(), 2);
    check_invariants(&m);
}

#[test]
fn pool_must_be_larger_than_eight() {
    let (mut m, mut r) = manager(8);
    assert_eq!(
        m.poll(&mut r),
        Action::RefreshPool(Shortage::TooFewNodes { have: 8, need: 9 })
    );
    m.set_pool(pool(9));
    ready(&mut m, &mut r);
    check_invariants(&m);
    // Unusable addresses and repeated keys are not pool nodes.
    let mut nodes = pool(9);
    nodes.push(node(50, 0, 0));
    nodes[8].ip = Ipv4Addr::UNSPECIFIED;
    nodes.push(nodes[0].clone());
    m.set_pool(nodes);
    assert_eq!(m.pool().len(), 9);
}

#[test]
fn one_node_per_subnet_unless_devnet() {
    // 30 nodes but only 2 /24s: a path of three needs 3.
    let crowded: Vec<Node> = (1..=30).map(|i| node(i, i % 2, i)).collect();
    let mut m = PathManager::new(PathConfig::default());
    m.set_pool(crowded);
    let mut r = rng(3);
    let mut shortage = None;
    for _ in 0..10 {
        match m.poll(&mut r) {
            Action::TestGuards(c) => {
                let subnets: HashSet<_> = c.iter().map(Node::subnet24).collect();
                assert_eq!(subnets.len(), c.len(), "guards in distinct /24s");
                c.iter().for_each(|n| m.guard_tested(&n.ed25519, true));
            }
            Action::RefreshPool(s) => {
                shortage = Some(s);
                break;
            }
            other => panic!("{other:?}"),
        }
        check_invariants(&m);
    }
    assert!(m.paths().is_empty());
    assert_eq!(shortage, Some(Shortage::NoRelays));
    // With 3 /24s, paths are built; /24s may repeat across paths, never within one.
    let three: Vec<Node> = (1..=30).map(|i| node(i, i % 3, i)).collect();
    let mut m = PathManager::new(PathConfig::default());
    m.set_pool(three);
    ready(&mut m, &mut r);
    assert_eq!(m.paths().len(), 2);
    check_invariants(&m);

    // A loopback devnet: everything on 127.0.0.1, no /24 rule.
    let loopback: Vec<Node> = (1..=7)
        .map(|i| Node {
            ip: Ipv4Addr::LOCALHOST,
            port: 22000 + u16::from(i),
            ..node(i, 0, 0)
        })
        .collect();
    let mut m = PathManager::new(PathConfig::devnet());
    m.set_pool(loopback);
    ready(&mut m, &mut r);
    assert_eq!(m.paths().len(), 2);
    check_invariants(&m);
}

#[test]
fn relays_follow_the_weight_of_their_subnet() {
    // Subnet 1 holds 10 nodes, subnets 2..=11 one each (besides the guards' own /24s): the
    // crowded /24 should supply a relay about 10/20 of the time, not 1/11.
    let mut nodes: Vec<Node> = (1..=10).map(|i| node(i, 1, i)).collect();
    nodes.extend((11..=22).map(|i| node(i, i, 1)));
    let mut crowded = 0;
    let trials = 300;
    for t in 0..trials {
        let mut m = PathManager::new(PathConfig {
            paths: 1,
            ..PathConfig::default()
        });
        m.set_pool(nodes.clone());
        m.restore_guards(&[ed(21)]);
        let mut r = rng(t);
        assert_eq!(m.poll(&mut r), Action::Ready);
        crowded += m.paths()[0].nodes()[1..]
            .iter()
            .filter(|n| n.subnet24()[2] == 1)
            .count();
    }
    // Two relays per path; P(some relay from subnet 1) is well above the uniform-/24 rate.
    assert!(
        crowded > trials as usize / 2,
        "crowded /24 chosen {crowded} times"
    );
}

fn first_path(m: &PathManager) -> Path {
    m.paths()[0].clone()
}

#[test]
fn path_failure_threshold_drops_the_path_and_its_guard() {
    let (mut m, mut r) = manager(20);
    ready(&mut m, &mut r);
    let path = first_path(&m);
    let guard = path.guard().ed25519;
    for n in 1..=2 {
        let rep = m.report(&path, None, Outcome::PathFailed, &mut r);
        assert_eq!(rep.advice, Advice::RetryPath);
        assert!(rep.dropped.is_empty());
        assert_eq!(m.path_failures(&guard), n);
        for relay in &path.nodes()[1..] {
            assert_eq!(
                m.node_failures(&relay.ed25519),
                n,
                "path failures count against relays"
            );
        }
    }
    let rep = m.report(&path, None, Outcome::PathFailed, &mut r);
    assert_eq!(rep.advice, Advice::RetryPath);
    // The relays reached their own threshold on the way, then the path and its guard went.
    let expected: Vec<_> = path.nodes()[1..]
        .iter()
        .map(|n| n.ed25519)
        .chain([guard])
        .collect();
    assert_eq!(rep.dropped, expected);
    assert!(!m.paths().iter().any(|p| p.guard().ed25519 == guard));
    assert!(!m.guards().iter().any(|g| g.ed25519 == guard));
    assert!(!m.pool().iter().any(|n| expected.contains(&n.ed25519)));
    assert_eq!(m.path_failures(&guard), 0);
    // A new guard is tested for the missing path.
    let Action::TestGuards(c) = m.poll(&mut r) else {
        panic!()
    };
    c.iter().for_each(|n| m.guard_tested(&n.ed25519, true));
    assert_eq!(m.poll(&mut r), Action::Ready);
    assert_eq!(m.paths().len(), 2);
    check_invariants(&m);
}

#[test]
fn a_relay_failure_gives_the_path_new_relays_and_keeps_its_guard() {
    let (mut m, mut r) = manager(20);
    ready(&mut m, &mut r);
    let path = first_path(&m);
    let guard = path.guard().ed25519;
    let old: Vec<Ed25519PublicKey> = path.nodes()[1..].iter().map(|n| n.ed25519).collect();
    let rep = m.report(&path, None, Outcome::RelayFailed, &mut r);
    assert_eq!(rep.advice, Advice::RetryPath);
    assert!(rep.dropped.is_empty());
    assert_eq!(
        m.path_failures(&guard),
        1,
        "it still counts as a path failure"
    );
    let now = m
        .paths()
        .iter()
        .find(|p| p.guard().ed25519 == guard)
        .expect("the path stays, with its guard")
        .clone();
    assert_eq!(now.nodes().len(), path.nodes().len());
    assert!(
        now.nodes()[1..].iter().all(|n| !old.contains(&n.ed25519)),
        "no old relay is reused"
    );
    check_invariants(&m);
    // A plain path failure leaves the relays where they are (desktop's thresholds decide).
    let before = first_path(&m);
    m.report(&before, None, Outcome::PathFailed, &mut r);
    assert_eq!(first_path(&m).nodes(), before.nodes());
}

#[test]
fn node_failure_threshold_replaces_a_relay_in_place() {
    let (mut m, mut r) = manager(20);
    ready(&mut m, &mut r);
    let path = first_path(&m);
    let relay = path.nodes()[1].ed25519;
    for n in 1..=2 {
        let rep = m.report(
            &path,
            Some(&ed(200)),
            Outcome::NextNodeNotFound(relay),
            &mut r,
        );
        assert_eq!((rep.advice, rep.dropped.len()), (Advice::RetryPath, 0));
        assert_eq!(m.node_failures(&relay), n);
    }
    let rep = m.report(
        &path,
        Some(&ed(200)),
        Outcome::NextNodeNotFound(relay),
        &mut r,
    );
    assert_eq!(rep.dropped, vec![relay]);
    let patched = m
        .paths()
        .iter()
        .find(|p| p.guard() == path.guard())
        .unwrap();
    assert_eq!(patched.nodes().len(), 3);
    assert_eq!(patched.nodes()[0], path.nodes()[0]);
    assert_eq!(patched.nodes()[2], path.nodes()[2]);
    assert_ne!(
        patched.nodes()[1].ed25519,
        relay,
        "replaced at the same position"
    );
    assert!(!m.pool().iter().any(|n| n.ed25519 == relay));
    assert_eq!(
        m.path_failures(&path.guard().ed25519),
        0,
        "a node failure is not a path failure"
    );
    assert_eq!(
        m.poll(&mut r),
        Action::Ready,
        "a patched path needs no new guard test"
    );
    check_invariants(&m);
}

#[test]
fn next_node_not_found_for_the_destination() {
    let (mut m, mut r) = manager(20);
    ready(&mut m, &mut r);
    let path = first_path(&m);
    // The destination is a pool node outside the paths.
    let in_use: HashSet<_> = m
        .paths()
        .iter()
        .flat_map(|p| p.nodes())
        .map(|n| n.ed25519)
        .collect();
    let dest = m
        .pool()
        .iter()
        .find(|n| !in_use.contains(&n.ed25519))
        .unwrap()
        .ed25519;
    for _ in 0..2 {
        let rep = m.report(&path, Some(&dest), Outcome::NextNodeNotFound(dest), &mut r);
        assert_eq!((rep.advice, rep.dropped.len()), (Advice::RetryOtherNode, 0));
    }
    let rep = m.report(&path, Some(&dest), Outcome::NextNodeNotFound(dest), &mut r);
    assert_eq!(
        (rep.advice, rep.dropped),
        (Advice::RetryOtherNode, vec![dest])
    );
    assert!(!m.pool().iter().any(|n| n.ed25519 == dest));
    // A key no one asked about (named by a remote) is not tracked.
    let stranger = ed(250);
    m.report(
        &path,
        Some(&dest),
        Outcome::NextNodeNotFound(stranger),
        &mut r,
    );
    assert_eq!(m.node_failures(&stranger), 0);
}

#[test]
fn next_node_not_found_can_drop_at_once() {
    let mut m = PathManager::new(PathConfig {
        drop_on_next_node_not_found: true,
        ..PathConfig::default()
    });
    m.set_pool(pool(20));
    let mut r = rng(5);
    ready(&mut m, &mut r);
    let path = first_path(&m);
    let relay = path.nodes()[2].ed25519;
    let rep = m.report(&path, None, Outcome::NextNodeNotFound(relay), &mut r);
    assert_eq!((rep.advice, rep.dropped), (Advice::RetryPath, vec![relay]));
    check_invariants(&m);
}

#[test]
fn destination_statuses() {
    let (mut m, mut r) = manager(20);
    ready(&mut m, &mut r);
    let path = first_path(&m);
    let dest = m
        .pool()
        .iter()
        .find(|n| !m.paths().iter().any(|p| p.contains(&n.ed25519)))
        .unwrap()
        .ed25519;
    let answered = |status| Outcome::Answered { status };
    let cases = [
        (200, Advice::Accept),
        (421, Advice::UpdateSwarm),
        (406, Advice::ResyncClock),
        (425, Advice::ResyncClock),
        (401, Advice::Accept),
        (400, Advice::Accept),
        (404, Advice::Accept),
    ];
    for (status, advice) in cases {
        let rep = m.report(&path, Some(&dest), answered(status), &mut r);
        assert_eq!((status, rep.advice), (status, advice));
    }
    assert_eq!(
        m.node_failures(&dest),
        0,
        "the destination answered: no failure"
    );
    assert_eq!(m.path_failures(&path.guard().ed25519), 0);
    // 5xx from a destination node: try another node; three strikes and it leaves the pool.
    for status in [503, 500] {
        let rep = m.report(&path, Some(&dest), answered(status), &mut r);
        assert_eq!((rep.advice, rep.dropped.len()), (Advice::RetryOtherNode, 0));
    }
    let rep = m.report(&path, Some(&dest), answered(502), &mut r);
    assert_eq!(rep.dropped, vec![dest]);
    // A server's statuses are its own business, except the clock.
    assert_eq!(
        m.report(&path, None, answered(500), &mut r).advice,
        Advice::Accept
    );
    assert_eq!(
        m.report(&path, None, answered(421), &mut r).advice,
        Advice::Accept
    );
    assert_eq!(
        m.report(&path, None, answered(425), &mut r).advice,
        Advice::ResyncClock
    );
}

#[test]
fn a_failing_guard_as_destination_takes_its_path_along() {
    let (mut m, mut r) = manager(20);
    ready(&mut m, &mut r);
    let (p0, p1) = (m.paths()[0].clone(), m.paths()[1].clone());
    let guard1 = p1.guard().ed25519;
    for _ in 0..3 {
        m.report(
            &p0,
            Some(&guard1),
            Outcome::Answered { status: 503 },
            &mut r,
        );
    }
    assert_eq!(m.paths().len(), 1);
    assert!(!m.guards().iter().any(|g| g.ed25519 == guard1));
    assert!(matches!(m.poll(&mut r), Action::TestGuards(_)));
}

#[test]
fn choose_path_avoids_the_destination() {
    let (mut m, mut r) = manager(20);
    ready(&mut m, &mut r);
    let p0 = m.paths()[0].clone();
    let hop = p0.nodes()[2].ed25519;
    for _ in 0..20 {
        let chosen = m.choose_path(&mut r, Some(&hop)).unwrap();
        assert!(!chosen.contains(&hop));
    }
    // Over many draws both paths are used.
    let guards: HashSet<_> = (0..50)
        .map(|_| m.choose_path(&mut r, None).unwrap().guard().ed25519)
        .collect();
    assert_eq!(guards.len(), 2);
}

#[test]
fn stale_reports_do_not_count() {
    let (mut m, mut r) = manager(20);
    ready(&mut m, &mut r);
    let path = first_path(&m);
    for _ in 0..3 {
        m.report(&path, None, Outcome::PathFailed, &mut r);
    }
    // The path is gone; a late report about it changes nothing.
    let before = m.clone();
    let rep = m.report(&path, None, Outcome::PathFailed, &mut r);
    assert_eq!((rep.advice, rep.dropped.len()), (Advice::RetryPath, 0));
    assert_eq!(m.pool(), before.pool());
}

#[test]
fn a_relay_without_replacement_drops_the_path_but_keeps_the_guard() {
    // Exactly enough nodes for two paths (devnet rules): a dropped relay has no replacement.
    let mut m = PathManager::new(PathConfig::devnet());
    m.set_pool(pool(6));
    let mut r = rng(9);
    ready(&mut m, &mut r);
    let path = first_path(&m);
    let guard = path.guard().clone();
    let relay = path.nodes()[1].ed25519;
    let mut dropped = Vec::new();
    for _ in 0..3 {
        dropped.extend(
            m.report(&path, None, Outcome::NextNodeNotFound(relay), &mut r)
                .dropped,
        );
    }
    assert_eq!(dropped, vec![relay]);
    assert_eq!(m.paths().len(), 1);
    assert!(m.guards().contains(&guard));
    assert_eq!(m.poll(&mut r), Action::RefreshPool(Shortage::NoRelays));
    // More nodes: the kept guard gets a new path without a new test.
    let mut more = pool(8);
    more.retain(|n| n.ed25519 != relay);
    m.set_pool(more);
    assert_eq!(m.poll(&mut r), Action::Ready);
    assert!(m.paths().iter().any(|p| p.guard() == &guard));
    check_invariants(&m);
}

#[test]
fn a_fresh_pool_resets_counters_and_forgets_vanished_nodes() {
    let (mut m, mut r) = manager(20);
    ready(&mut m, &mut r);
    let path = first_path(&m);
    m.report(&path, None, Outcome::PathFailed, &mut r);
    assert_eq!(m.path_failures(&path.guard().ed25519), 1);
    // The first path's guard is gone from the new pool; its path goes with it.
    let pool: Vec<Node> = pool(20)
        .into_iter()
        .filter(|n| n.ed25519 != path.guard().ed25519)
        .collect();
    m.set_pool(pool);
    assert_eq!(m.path_failures(&path.guard().ed25519), 0);
    assert_eq!(m.node_failures(&path.nodes()[1].ed25519), 0);
    assert_eq!((m.guards().len(), m.paths().len()), (1, 1));
    assert!(matches!(m.poll(&mut r), Action::TestGuards(_)));
}

#[test]
fn restored_guards_need_no_test() {
    let mut m = PathManager::new(PathConfig::default());
    m.set_pool(pool(20));
    m.restore_guards(&[ed(3), ed(99), ed(7), ed(9)]);
    assert_eq!(
        m.guards().iter().map(|g| g.ed25519).collect::<Vec<_>>(),
        vec![ed(3), ed(7)]
    );
    let mut r = rng(2);
    assert_eq!(m.poll(&mut r), Action::Ready);
    check_invariants(&m);
}
