//! Swarm formation: fixed cases and properties over random active sets, prior swarms and seeds.

use std::collections::{BTreeMap, BTreeSet};

use proptest::prelude::*;
use session_swarm::{
    Error, SwarmId, SwarmNode, SwarmParams, UNASSIGNED_SWARM_ID, calc_swarm_changes,
};

type Swarms = BTreeMap<SwarmId, Vec<[u8; 32]>>;

/// Key `i`: distinct, and not in index order once sorted (the first byte is scrambled).
fn key(i: u32) -> [u8; 32] {
    let mut k = [0u8; 32];
    k[0] = (i.wrapping_mul(167) % 251) as u8;
    k[1..5].copy_from_slice(&i.to_be_bytes());
    k
}

fn new_nodes(n: u32) -> Vec<SwarmNode> {
    (0..n)
        .map(|i| SwarmNode {
            key: key(i),
            swarm: UNASSIGNED_SWARM_ID,
        })
        .collect()
}

/// The formation output as the next round's input.
fn as_input(swarms: &Swarms) -> Vec<SwarmNode> {
    swarms
        .iter()
        .flat_map(|(&swarm, keys)| keys.iter().map(move |&key| SwarmNode { key, swarm }))
        .collect()
}

/// Every input node exactly once; no swarm empty, none unassigned; none starving if several.
fn check_invariants(input: &[SwarmNode], out: &Swarms, params: SwarmParams) {
    let mut seen: Vec<[u8; 32]> = out.values().flatten().copied().collect();
    seen.sort_unstable();
    let mut expected: Vec<[u8; 32]> = input.iter().map(|n| n.key).collect();
    expected.sort_unstable();
    assert_eq!(seen, expected, "every node in exactly one swarm");
    assert!(!out.contains_key(&UNASSIGNED_SWARM_ID));
    assert_eq!(out.is_empty(), input.is_empty());
    for (id, members) in out {
        assert!(!members.is_empty(), "swarm {id} is empty");
        assert!(members.is_sorted(), "swarm {id} members are sorted");
        if out.len() > 1 {
            assert!(
                members.len() >= params.min_swarm_size(),
                "swarm {id} has {} < {} members",
                members.len(),
                params.min_swarm_size()
            );
        }
    }
}

#[test]
fn no_nodes_no_swarms() {
    assert!(
        calc_swarm_changes(&[], 1, SwarmParams::SESSION)
            .unwrap()
            .is_empty()
    );
}

#[test]
fn duplicate_keys_are_rejected() {
    let mut nodes = new_nodes(3);
    nodes.push(SwarmNode {
        key: key(1),
        swarm: 0,
    });
    assert!(matches!(
        calc_swarm_changes(&nodes, 1, SwarmParams::SESSION),
        Err(Error::DuplicateNode { .. })
    ));
}

#[test]
fn first_swarm_is_zero() {
    let out = calc_swarm_changes(&new_nodes(3), 99, SwarmParams::SESSION).unwrap();
    assert_eq!(out.keys().copied().collect::<Vec<_>>(), vec![0]);
}

#[test]
fn session_params_fourteen_nodes_split_in_two_sevens() {
    // With (5, 7) a second swarm needs an excess of 7 + 2·1 = 9, i.e. 14 nodes in one swarm.
    // Its id is the point opposite 0 on the ring: (2^64 − 2) / 2.
    for seed in 0..20 {
        let out = calc_swarm_changes(&new_nodes(14), seed, SwarmParams::SESSION).unwrap();
        check_invariants(&new_nodes(14), &out, SwarmParams::SESSION);
        assert_eq!(
            out.keys().copied().collect::<Vec<_>>(),
            vec![0, (u64::MAX - 1) / 2]
        );
        assert!(out.values().all(|m| m.len() == 7), "seed {seed}");
        let one = calc_swarm_changes(&new_nodes(13), seed, SwarmParams::SESSION).unwrap();
        assert_eq!(one.len(), 1);
    }
}

#[test]
fn twelve_nodes_with_three_four_form_several_swarms() {
    let params = SwarmParams::new(3, 4).unwrap();
    for seed in [0, 1, 2, 3, 5, 8, 13, 21, 34, 55, 0xDEAD_BEEF, u64::MAX] {
        let out = calc_swarm_changes(&new_nodes(12), seed, params).unwrap();
        check_invariants(&new_nodes(12), &out, params);
        assert!(out.len() >= 2, "seed {seed}: {} swarm(s)", out.len());
    }
}

#[test]
fn seed_changes_membership_not_shape() {
    let params = SwarmParams::SESSION;
    let a = calc_swarm_changes(&new_nodes(14), 1, params).unwrap();
    let b = calc_swarm_changes(&new_nodes(14), 2, params).unwrap();
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
    assert_ne!(
        a, b,
        "different seeds should (for these two) split the nodes differently"
    );
}

#[test]
fn starving_swarm_is_saved_by_robin_hood() {
    // Swarm 10 is down to 2 members, swarm 20 has 9. The 75th percentile of the sizes [2, 9]
    // is at index 75·1/100 = 0, i.e. 2, so donors are swarms above max(5, 2 − 1) = 5, with an
    // excess of 9 − 5 = 4 ≥ 3: swarm 20 gives 3 nodes.
    let mut nodes = Vec::new();
    for i in 0..2 {
        nodes.push(SwarmNode {
            key: key(i),
            swarm: 10,
        });
    }
    for i in 2..11 {
        nodes.push(SwarmNode {
            key: key(i),
            swarm: 20,
        });
    }
    let out = calc_swarm_changes(&nodes, 3, SwarmParams::SESSION).unwrap();
    check_invariants(&nodes, &out, SwarmParams::SESSION);
    assert_eq!(out[&10].len(), 5);
    assert_eq!(out[&20].len(), 6);
}

#[test]
fn hopeless_swarm_is_dissolved_into_the_smallest() {
    // Swarm 10 has 2, swarms 20 and 30 have 5 each: no excess to steal, so 10 is dissolved and
    // its 2 nodes go to the smallest swarms, one each (after the first, 20 and 30 differ).
    let mut nodes = Vec::new();
    for (range, swarm) in [(0..2, 10), (2..7, 20), (7..12, 30)] {
        for i in range {
            nodes.push(SwarmNode { key: key(i), swarm });
        }
    }
    let out = calc_swarm_changes(&nodes, 5, SwarmParams::SESSION).unwrap();
    check_invariants(&nodes, &out, SwarmParams::SESSION);
    assert_eq!(out.keys().copied().collect::<Vec<_>>(), vec![20, 30]);
    assert_eq!((out[&20].len(), out[&30].len()), (6, 6));
}

#[test]
fn lone_starving_swarm_is_kept() {
    let nodes: Vec<SwarmNode> = (0..3)
        .map(|i| SwarmNode {
            key: key(i),
            swarm: 77,
        })
        .collect();
    let out = calc_swarm_changes(&nodes, 5, SwarmParams::SESSION).unwrap();
    assert_eq!(out.keys().copied().collect::<Vec<_>>(), vec![77]);
}

#[test]
fn two_starving_swarms_never_dissolve_the_last() {
    // Both swarms starve and neither can be saved: the first (lowest id) is dissolved into the
    // other, which is then the only one and is kept.
    let mut nodes = Vec::new();
    for (range, swarm) in [(0..2, 10), (2..4, 20)] {
        for i in range {
            nodes.push(SwarmNode { key: key(i), swarm });
        }
    }
    let out = calc_swarm_changes(&nodes, 5, SwarmParams::SESSION).unwrap();
    assert_eq!(out.keys().copied().collect::<Vec<_>>(), vec![20]);
    assert_eq!(out[&20].len(), 4);
}

fn params_strategy() -> impl Strategy<Value = SwarmParams> {
    (1usize..7, 0usize..5).prop_map(|(min, margin)| SwarmParams::new(min, min + margin).unwrap())
}

/// Random active sets with arbitrary prior swarms (not necessarily a formation output).
fn nodes_strategy() -> impl Strategy<Value = Vec<SwarmNode>> {
    let ids = prop_oneof![
        3 => Just(UNASSIGNED_SWARM_ID),
        1 => Just(0u64),
        1 => Just(1u64 << 62),
        1 => Just(1u64 << 63),
        1 => Just(u64::MAX - 1),
        1 => any::<u64>(),
    ];
    (
        prop::collection::btree_set(any::<[u8; 32]>(), 0..70),
        prop::collection::vec(ids, 70),
    )
        .prop_map(|(keys, ids)| {
            keys.into_iter()
                .zip(ids)
                .map(|(key, swarm)| SwarmNode { key, swarm })
                .collect()
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn formation_invariants(nodes in nodes_strategy(), seed: u64, params in params_strategy()) {
        let out = calc_swarm_changes(&nodes, seed, params).unwrap();
        check_invariants(&nodes, &out, params);
    }

    #[test]
    fn formation_is_deterministic_and_order_free(
        nodes in nodes_strategy(),
        seed: u64,
        params in params_strategy(),
    ) {
        let a = calc_swarm_changes(&nodes, seed, params).unwrap();
        let b = calc_swarm_changes(&nodes, seed, params).unwrap();
        let mut reversed = nodes.clone();
        reversed.reverse();
        let c = calc_swarm_changes(&reversed, seed, params).unwrap();
        prop_assert_eq!(&a, &b);
        prop_assert_eq!(&a, &c);
    }

    #[test]
    fn formation_output_is_a_fixed_point(
        nodes in nodes_strategy(),
        seed: u64,
        seed2: u64,
        params in params_strategy(),
    ) {
        // Formed swarms with nothing new stay as they are, whatever the next seed.
        let once = calc_swarm_changes(&nodes, seed, params).unwrap();
        let twice = calc_swarm_changes(&as_input(&once), seed2, params).unwrap();
        prop_assert_eq!(once, twice);
    }

    #[test]
    fn joining_and_leaving_keep_invariants(
        n in 0u32..60,
        rounds in prop::collection::vec((0u32..10, 0u32..10, any::<u64>()), 1..8),
        params in params_strategy(),
    ) {
        let mut next = n;
        let mut swarms = calc_swarm_changes(&new_nodes(n), 0, params).unwrap();
        for (join, leave, seed) in rounds {
            let mut input = as_input(&swarms);
            // Leaving: drop every 7th node, offset by the round's `leave`.
            let drop: BTreeSet<usize> =
                (0..input.len()).filter(|i| (*i as u32 + leave).is_multiple_of(7)).collect();
            input = input.into_iter().enumerate()
                .filter(|(i, _)| !drop.contains(i)).map(|(_, n)| n).collect();
            for _ in 0..join {
                input.push(SwarmNode { key: key(next), swarm: UNASSIGNED_SWARM_ID });
                next += 1;
            }
            swarms = calc_swarm_changes(&input, seed, params).unwrap();
            check_invariants(&input, &swarms, params);
        }
    }
}
