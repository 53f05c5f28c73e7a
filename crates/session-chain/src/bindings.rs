//! Contract bindings, generated from the committed compiler artifacts (ABI and creation code) in
//! this crate's `artifacts/` (written by `cargo xtask contracts build` from `devnet/contracts/src`).

#![allow(missing_docs, clippy::too_many_arguments)]

alloy::sol!(
    #[sol(rpc)]
    #[derive(Debug, PartialEq, Eq)]
    SessionToken,
    "artifacts/SessionToken.json"
);

alloy::sol!(
    #[sol(rpc)]
    #[derive(Debug, PartialEq, Eq)]
    ServiceNodeRegistry,
    "artifacts/ServiceNodeRegistry.json"
);
