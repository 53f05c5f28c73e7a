//! Contract bindings, generated from the committed compiler artifacts (ABI and creation code).

#![allow(missing_docs, clippy::too_many_arguments)]

alloy::sol!(
    #[sol(rpc)]
    #[derive(Debug, PartialEq, Eq)]
    SessionToken,
    "../../devnet/contracts/artifacts/SessionToken.json"
);

alloy::sol!(
    #[sol(rpc)]
    #[derive(Debug, PartialEq, Eq)]
    ServiceNodeRegistry,
    "../../devnet/contracts/artifacts/ServiceNodeRegistry.json"
);
