//! What the devnet does on chain: deploy, fund, register, contribute, exit. Transactions are
//! sent from anvil's unlocked accounts (`eth_sendTransaction`), so the devnet holds no keys.

use alloy::primitives::{Address, Bytes, FixedBytes, U256};
use alloy::providers::{DynProvider, Provider, ProviderBuilder};
use anyhow::{Context, bail};
use session_chain::{ServiceNodeRegistry, SessionToken};
use session_crypto::IdentityKeys;
use session_swarm::{NodeRecord, RegistryContext, registration_message};

/// One token unit (9 decimals).
pub const TOKEN: u64 = 1_000_000_000;
/// Session's staking requirement, 25,000 tokens.
pub const STAKING_REQUIREMENT: u64 = 25_000 * TOKEN;
/// Supply minted to the deployer (Session's: 240 M).
pub const SUPPLY: u64 = 240_000_000 * TOKEN;

/// A connection to the devnet chain.
#[derive(Clone, Debug)]
pub struct Chain {
    /// Provider over HTTP.
    pub provider: DynProvider,
    /// The chain id.
    pub chain_id: u64,
    /// anvil's unlocked accounts; the first deploys.
    pub accounts: Vec<Address>,
}

/// Deployed contract addresses.
#[derive(Clone, Copy, Debug)]
pub struct Contracts {
    /// `SessionToken`.
    pub token: Address,
    /// `ServiceNodeRegistry`.
    pub registry: Address,
    /// The block the registry was deployed in.
    pub deploy_block: u64,
}

impl Contracts {
    /// The context registration signatures are bound to.
    pub fn context(&self, chain_id: u64) -> RegistryContext {
        RegistryContext {
            chain_id,
            registry: self.registry.into_array(),
        }
    }
}

impl Chain {
    /// Connects to `url` and lists its accounts.
    pub async fn connect(url: &str) -> anyhow::Result<Self> {
        // No fillers: anvil fills nonce and gas for its unlocked accounts itself. alloy's cached
        // nonce filler would count a nonce for every call that fails gas estimation (a revert),
        // leaving the next real transaction stuck behind a nonce gap.
        let provider = ProviderBuilder::default()
            .connect_http(url.parse().context("rpc url")?)
            .erased();
        let chain_id = provider.get_chain_id().await.context("eth_chainId")?;
        let accounts = provider.get_accounts().await.context("eth_accounts")?;
        if accounts.len() < 2 {
            bail!("the chain at {url} has fewer than 2 unlocked accounts");
        }
        Ok(Self {
            provider,
            chain_id,
            accounts,
        })
    }

    /// The deployer (anvil's first account).
    pub fn deployer(&self) -> Address {
        self.accounts[0]
    }

    /// Deploys the token and the registry; the deployer holds the whole supply.
    pub async fn deploy(
        &self,
        staking_requirement: u64,
        unlock_delay_secs: u64,
    ) -> anyhow::Result<Contracts> {
        let from = self.deployer();
        let token = SessionToken::deploy_builder(&self.provider, U256::from(SUPPLY))
            .from(from)
            .deploy()
            .await
            .context("deploying SessionToken")?;
        let receipt = ServiceNodeRegistry::deploy_builder(
            &self.provider,
            token,
            U256::from(staking_requirement),
            unlock_delay_secs,
        )
        .from(from)
        .send()
        .await
        .context("deploying ServiceNodeRegistry")?
        .get_receipt()
        .await?;
        let registry = receipt
            .contract_address
            .context("registry deployment has no contract address")?;
        let deploy_block = receipt.block_number.context("deployment not mined")?;
        Ok(Contracts {
            token,
            registry,
            deploy_block,
        })
    }

    /// Gives `amount` tokens to each of `accounts` and lets the registry pull them. All
    /// transactions are sent first and then awaited, so this takes a block or two, not two per
    /// account.
    pub async fn fund(
        &self,
        c: &Contracts,
        accounts: &[Address],
        amount: u64,
    ) -> anyhow::Result<()> {
        let token = SessionToken::new(c.token, &self.provider);
        let mut pending = Vec::new();
        for &a in accounts {
            if a != self.deployer() {
                let call = token.transfer(a, U256::from(amount)).from(self.deployer());
                pending.push(call.send().await.context("token transfer")?);
            }
            let call = token.approve(c.registry, U256::MAX).from(a);
            pending.push(call.send().await.context("token approve")?);
        }
        for p in pending {
            let receipt = p.get_receipt().await?;
            if !receipt.status() {
                bail!("funding transaction {} reverted", receipt.transaction_hash);
            }
        }
        Ok(())
    }

    /// Token balance of `who`.
    pub async fn balance(&self, c: &Contracts, who: Address) -> anyhow::Result<U256> {
        Ok(SessionToken::new(c.token, &self.provider)
            .balanceOf(who)
            .call()
            .await?)
    }

    /// Registers a node from `operator` with `stake`; returns the node id.
    pub async fn register(
        &self,
        c: &Contracts,
        operator: Address,
        record: &NodeRecord,
        signature: &[u8],
        stake: u64,
    ) -> Result<u64, CallError> {
        let registry = ServiceNodeRegistry::new(c.registry, &self.provider);
        let call = registry
            .register(
                FixedBytes(record.ed25519),
                FixedBytes(record.x25519),
                u32::from_be_bytes(record.ipv4),
                record.http_port,
                record.grpc_port,
                Bytes::copy_from_slice(signature),
                U256::from(stake),
            )
            .from(operator);
        let receipt = wait(call).await?;
        receipt
            .inner
            .logs()
            .iter()
            .find_map(|l| {
                l.log_decode::<ServiceNodeRegistry::NodeRegistered>()
                    .ok()
                    .map(|e| e.inner.data.id)
            })
            .ok_or_else(|| CallError::Other(anyhow::anyhow!("no NodeRegistered event")))
    }

    /// Adds `amount` to node `id` from `from`.
    pub async fn contribute(
        &self,
        c: &Contracts,
        from: Address,
        id: u64,
        amount: u64,
    ) -> Result<(), CallError> {
        let registry = ServiceNodeRegistry::new(c.registry, &self.provider);
        wait(registry.contribute(id, U256::from(amount)).from(from)).await?;
        Ok(())
    }

    /// Asks for node `id` to leave.
    pub async fn request_exit(
        &self,
        c: &Contracts,
        from: Address,
        id: u64,
    ) -> Result<(), CallError> {
        let registry = ServiceNodeRegistry::new(c.registry, &self.provider);
        wait(registry.requestExit(id).from(from)).await?;
        Ok(())
    }

    /// Completes node `id`'s exit (after the unlock delay).
    pub async fn exit(&self, c: &Contracts, from: Address, id: u64) -> Result<(), CallError> {
        let registry = ServiceNodeRegistry::new(c.registry, &self.provider);
        wait(registry.exit(id).from(from)).await?;
        Ok(())
    }
}

/// A transaction that failed: reverted by the registry with a named error, or anything else.
#[derive(Debug, thiserror::Error)]
pub enum CallError {
    /// The registry reverted with this custom error (its Solidity name).
    #[error("reverted with {0}")]
    Reverted(String),
    /// Any other failure.
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

impl From<alloy::contract::Error> for CallError {
    fn from(e: alloy::contract::Error) -> Self {
        match e.as_decoded_interface_error::<ServiceNodeRegistry::ServiceNodeRegistryErrors>() {
            Some(err) => {
                let debug = format!("{err:?}");
                let name = debug
                    .split(['(', ' ', '{'])
                    .next()
                    .unwrap_or_default()
                    .to_owned();
                CallError::Reverted(name)
            }
            None => CallError::Other(e.into()),
        }
    }
}

/// Sends a call, waits for its receipt and checks that it succeeded.
async fn wait<P, D>(
    call: alloy::contract::CallBuilder<P, D>,
) -> Result<alloy::rpc::types::TransactionReceipt, CallError>
where
    P: Provider,
    D: alloy::contract::CallDecoder,
{
    // Simulate first: a revert comes back with the registry's custom error, and nothing is
    // mined. (anvil would otherwise mine the reverting transaction.)
    call.call_raw().await?;
    let receipt = call
        .send()
        .await?
        .get_receipt()
        .await
        .map_err(|e| CallError::Other(e.into()))?;
    if !receipt.status() {
        return Err(CallError::Other(anyhow::anyhow!(
            "transaction {} reverted",
            receipt.transaction_hash
        )));
    }
    Ok(receipt)
}

/// The registration signature: the node's Ed25519 key over [`registration_message`].
pub fn sign_registration(
    keys: &IdentityKeys,
    ctx: &RegistryContext,
    record: &NodeRecord,
) -> Vec<u8> {
    keys.sign(&registration_message(ctx, record)).to_vec()
}
