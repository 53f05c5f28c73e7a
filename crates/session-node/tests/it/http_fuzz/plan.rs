//! What the fuzzer sends, as plans drawn by proptest strategies. A plan is turned into bytes
//! only when it is sent (`build.rs`), because valid requests need the node's clock and the
//! fuzzer's keys: a storage plan names a method, an account and the values of its signed
//! fields, the request is built and signed as a client would, then mutated.
use super::onion::{OnionCase, onion};
use proptest::collection::vec;
use proptest::prelude::*;

/// One HTTP request.
#[derive(Clone, Debug)]
pub enum Case {
    /// `POST /storage_rpc/v1` with a (mutated) request.
    Storage(Plan),
    /// `POST /storage_rpc/v1` with random bytes.
    StorageBytes(Vec<u8>),
    /// `POST /storage_rpc/v1` with random JSON.
    StorageJson(Junk),
    /// `POST /onion_req/v2`.
    Onion(OnionCase),
    /// `POST /json_rpc` with a (mutated) `get_n_service_nodes` call, or junk.
    JsonRpc(Vec<Mutation>),
    /// Deeply nested JSON (`shape`: arrays, objects, or an `ifelse` chain) to
    /// `/storage_rpc/v1` or `/json_rpc`.
    Deep {
        shape: u8,
        depth: u16,
        json_rpc: bool,
    },
    /// Another method or path (`GET /info`, unknown paths, wrong methods).
    Other {
        method: usize,
        path: usize,
        body: Vec<u8>,
    },
}

/// A storage RPC request, or a `batch`/`sequence`/`ifelse` around more of them.
#[derive(Clone, Debug)]
pub enum Plan {
    Rpc(Box<RpcCase>),
    Meta {
        kind: MetaKind,
        cond: usize,
        subs: Vec<Plan>,
        muts: Vec<Mutation>,
    },
}

#[derive(Clone, Copy, Debug)]
pub enum MetaKind {
    Batch,
    Sequence,
    IfElse { then: bool, otherwise: bool },
}

/// One request of one method, valid for `who` before `muts` are applied.
#[derive(Clone, Debug)]
pub struct RpcCase {
    pub method: Method,
    pub who: Who,
    /// Index into `NAMESPACES` (out of range: the namespace is left out).
    pub ns: usize,
    /// The signed timestamp (`timestamp`, `sig_timestamp`, `before`).
    pub time: Time,
    /// The requested expiry / TTL.
    pub expiry: Time,
    /// Message hashes, as indices into the hash pool (victim's and own messages, then random).
    pub hashes: Vec<usize>,
    pub data: Vec<u8>,
    /// Optional features: bit 0 ttl instead of expiry, 1 shorten, 2 extend, 3 required,
    /// 4 numbers as strings, 5 `last_hash`, 6 `max_count`/`max_size`, 7 `namespace: "all"`.
    pub flags: u8,
    pub muts: Vec<Mutation>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    Store,
    Retrieve,
    Delete,
    DeleteAll,
    DeleteBefore,
    Expire,
    ExpireAll,
    GetExpiries,
    GetSwarm,
    Info,
    Revoke,
    Unrevoke,
    Oxend,
}

/// Whose account a request names, and who signs it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Who {
    /// The fuzzer's 05 account, signed by its key.
    Own,
    /// The fuzzer's 03 group, signed by its key.
    OwnGroup,
    /// The victim's 05 account with the victim's (public) Ed25519 key, signed by the fuzzer.
    Victim,
    /// The victim's 05 account with the fuzzer's Ed25519 key.
    VictimOwnEd,
    /// The victim's 03 group, signed by the fuzzer.
    VictimGroup,
    /// The victim's group through the read-only subaccount the victim granted the fuzzer.
    VictimGroupRead,
    /// The victim's group through an all-permissions token the fuzzer signed itself.
    VictimGroupForgedSub,
    /// An all-permissions token carrying the read-only token's genuine grant signature.
    VictimGroupStolenSig,
    /// An account nobody holds.
    Stranger,
}

/// A time value: relative to the node's clock when the request is built, or absolute.
#[derive(Clone, Copy, Debug)]
pub enum Time {
    Rel(i64),
    Abs(u64),
}

/// A change to a valid request's `params` (or, for `Method`/`Params`, to its envelope). Indices
/// are taken modulo the number of keys when applied.
#[derive(Clone, Debug)]
pub enum Mutation {
    Drop(usize),
    Duplicate(usize, Option<Junk>),
    Rename(usize, usize),
    Replace(usize, Junk),
    Add(usize, Junk),
    Method(Junk),
    Params(Junk),
    DropEnvelopeKey(bool),
}

/// A JSON value to put somewhere it may not belong.
#[derive(Clone, Debug)]
pub enum Junk {
    Null,
    Bool(bool),
    Int(i64),
    Edge(usize),
    Time(Time),
    NumStr(i64),
    Str(Str),
    Arr(Vec<Junk>),
    Obj(Vec<(usize, Junk)>),
}

/// A string value.
#[derive(Clone, Debug)]
pub enum Str {
    Any(String),
    Long(usize),
    Hex(usize),
    Base64(usize),
    /// A string that is valid somewhere (keys, hashes, tokens, "all"), from the run's pool.
    Known(usize),
}

/// Namespaces the valid requests use (public inboxes, signed, outbox, unrevocable, edges).
pub const NAMESPACES: [i16; 11] = [0, 2, 5, 11, 12, -10, -11, -21, 10, 32767, -32768];

fn time() -> impl Strategy<Value = Time> {
    let edges = [
        -3_600_000i64,
        -70_001,
        -60_001,
        -60_000,
        -59_999,
        -10_001,
        -10_000,
        9_999,
        10_000,
        10_001,
        59_999,
        60_000,
        60_001,
        70_000,
        14 * 86_400_000 + 1,
        30 * 86_400_000 + 1,
    ];
    let abs = [
        0u64,
        1,
        999_999_999,
        1_000_000_000,
        i64::MAX as u64,
        1 << 63,
        u64::MAX,
    ];
    prop_oneof![
        6 => Just(Time::Rel(0)),
        3 => (0i64..3_600_000).prop_map(Time::Rel),
        3 => proptest::sample::select(edges.to_vec()).prop_map(Time::Rel),
        1 => proptest::sample::select(abs.to_vec()).prop_map(Time::Abs),
    ]
}

fn string() -> impl Strategy<Value = Str> {
    prop_oneof![
        1 => "[ -~]{0,12}".prop_map(Str::Any),
        1 => "\\PC{0,8}".prop_map(Str::Any),
        1 => prop_oneof![Just(110_000usize), 0usize..300].prop_map(Str::Long),
        1 => proptest::sample::select(vec![63usize, 64, 65, 66, 67, 70, 71, 72, 73]).prop_map(Str::Hex),
        1 => proptest::sample::select(vec![42usize, 43, 44, 47, 48, 85, 86, 87, 88, 89]).prop_map(Str::Base64),
        3 => any::<usize>().prop_map(Str::Known),
    ]
}

pub fn junk() -> impl Strategy<Value = Junk> {
    let leaf = prop_oneof![
        1 => Just(Junk::Null),
        1 => any::<bool>().prop_map(Junk::Bool),
        1 => any::<i64>().prop_map(Junk::Int),
        1 => any::<usize>().prop_map(Junk::Edge),
        1 => time().prop_map(Junk::Time),
        1 => any::<i64>().prop_map(Junk::NumStr),
        3 => string().prop_map(Junk::Str),
    ];
    leaf.prop_recursive(2, 24, 6, |inner| {
        prop_oneof![
            vec(inner.clone(), 0..6).prop_map(Junk::Arr),
            vec((any::<usize>(), inner), 0..4).prop_map(Junk::Obj),
        ]
    })
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        3 => any::<usize>().prop_map(Mutation::Drop),
        2 => (any::<usize>(), proptest::option::of(junk())).prop_map(|(i, j)| Mutation::Duplicate(i, j)),
        2 => (any::<usize>(), any::<usize>()).prop_map(|(i, n)| Mutation::Rename(i, n)),
        6 => (any::<usize>(), junk()).prop_map(|(i, j)| Mutation::Replace(i, j)),
        2 => (any::<usize>(), junk()).prop_map(|(n, j)| Mutation::Add(n, j)),
        1 => junk().prop_map(Mutation::Method),
        1 => junk().prop_map(Mutation::Params),
        1 => any::<bool>().prop_map(Mutation::DropEnvelopeKey),
    ]
}

/// None most of the time (the valid request goes out as it is), else one to three changes.
pub fn mutations() -> impl Strategy<Value = Vec<Mutation>> {
    prop_oneof![1 => Just(Vec::new()), 2 => vec(mutation(), 1..4)]
}

fn method() -> impl Strategy<Value = Method> {
    use Method::*;
    let all = vec![
        Store,
        Store,
        Store,
        Retrieve,
        Retrieve,
        Delete,
        Delete,
        DeleteAll,
        DeleteBefore,
        Expire,
        Expire,
        ExpireAll,
        GetExpiries,
        GetSwarm,
        Info,
        Revoke,
        Unrevoke,
        Oxend,
    ];
    proptest::sample::select(all)
}

fn who() -> impl Strategy<Value = Who> {
    use Who::*;
    prop_oneof![
        4 => Just(Own),
        2 => Just(OwnGroup),
        2 => Just(Victim),
        1 => Just(VictimOwnEd),
        2 => Just(VictimGroup),
        2 => Just(VictimGroupRead),
        1 => Just(VictimGroupForgedSub),
        1 => Just(VictimGroupStolenSig),
        1 => Just(Stranger),
    ]
}

fn rpc_case() -> impl Strategy<Value = Plan> {
    let data = prop_oneof![
        40 => vec(any::<u8>(), 0..48),
        1 => Just(vec![7u8; 76_800]),
        1 => Just(vec![7u8; 76_801]),
    ];
    (
        (method(), who(), 0usize..13, time(), time()),
        (vec(0usize..24, 1..4), data, any::<u8>(), mutations()),
    )
        .prop_map(
            |((method, who, ns, time, expiry), (hashes, data, flags, muts))| {
                Plan::Rpc(Box::new(RpcCase {
                    method,
                    who,
                    ns,
                    time,
                    expiry,
                    hashes,
                    data,
                    flags,
                    muts,
                }))
            },
        )
}

fn meta_kind() -> impl Strategy<Value = MetaKind> {
    prop_oneof![
        Just(MetaKind::Batch),
        Just(MetaKind::Sequence),
        (any::<bool>(), any::<bool>())
            .prop_map(|(then, otherwise)| MetaKind::IfElse { then, otherwise }),
    ]
}

/// A request, or a meta request holding up to 22, mostly up to 3 so that some pass parsing
/// as a whole (nested once more at most).
pub fn plan() -> impl Strategy<Value = Plan> {
    rpc_case().prop_recursive(2, 48, 22, |inner| {
        (
            meta_kind(),
            0usize..8,
            prop_oneof![3 => vec(inner.clone(), 1..4), 1 => vec(inner, 0..23)],
            prop_oneof![2 => Just(Vec::new()), 1 => mutations()],
        )
            .prop_map(|(kind, cond, subs, muts)| Plan::Meta {
                kind,
                cond,
                subs,
                muts,
            })
    })
}

/// Everything the fuzzer sends.
pub fn case() -> impl Strategy<Value = Case> {
    prop_oneof![
        8 => rpc_case().prop_map(Case::Storage),
        5 => plan().prop_map(Case::Storage),
        1 => vec(any::<u8>(), 0..200).prop_map(Case::StorageBytes),
        1 => junk().prop_map(Case::StorageJson),
        4 => onion().prop_map(Case::Onion),
        1 => mutations().prop_map(Case::JsonRpc),
        1 => (any::<usize>(), any::<usize>(), vec(any::<u8>(), 0..32))
            .prop_map(|(method, path, body)| Case::Other { method, path, body }),
        1 => (0u8..3, prop_oneof![1u16..200, 200u16..20_000], any::<bool>())
            .prop_map(|(shape, depth, json_rpc)| Case::Deep { shape, depth, json_rpc }),
    ]
}
