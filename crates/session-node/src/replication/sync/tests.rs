//! When a sync round asks every node instead of its swarm peers.
use super::*;
use std::collections::BTreeMap;

fn node(n: u8) -> NodeRecord {
    let addr = format!("127.0.0.1:{}", 1000 + u16::from(n))
        .parse()
        .expect("addr");
    NodeRecord {
        addr,
        ed25519: [n; 32],
        x25519: [n; 32],
        grpc: addr,
    }
}

fn view(epoch: u64, swarms: &[(u64, &[u8])]) -> SwarmView {
    let swarms: BTreeMap<_, _> = swarms
        .iter()
        .map(|(id, members)| (*id, members.iter().map(|n| node(*n)).collect()))
        .collect();
    SwarmView::new(epoch, swarms, Some([1; 32]))
}

#[test]
fn a_new_epoch_with_the_same_swarms_needs_only_the_swarm() {
    let first = view(4, &[(10, &[1, 2, 3]), (20, &[4, 5, 6])]);
    assert!(needs_everyone(&first, None), "at start: everyone");
    let next = view(8, &[(10, &[1, 2, 3]), (20, &[4, 5, 6])]);
    assert!(
        !needs_everyone(&next, Some(&first)),
        "same swarms, later epoch"
    );
}

#[test]
fn any_change_of_swarms_or_members_asks_everyone() {
    let before = view(4, &[(10, &[1, 2, 3]), (20, &[4, 5, 6])]);
    let changes = [
        (
            "a member left another swarm",
            view(8, &[(10, &[1, 2, 3]), (20, &[4, 5])]),
        ),
        (
            "a node joined ours",
            view(8, &[(10, &[1, 2, 3, 7]), (20, &[4, 5, 6])]),
        ),
        (
            "a new swarm",
            view(8, &[(10, &[1, 2, 3]), (20, &[4, 5]), (30, &[6, 7])]),
        ),
        ("we moved", view(8, &[(10, &[2, 3]), (20, &[1, 4, 5, 6])])),
    ];
    for (what, after) in changes {
        assert!(needs_everyone(&after, Some(&before)), "{what}");
    }
}
