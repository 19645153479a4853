//! Drives the Solidity one-step verifier in revm under Osaka (`SpecId::OSAKA`, what the
//! L1 and anvil run): the verifier's modules and its router `FaultVM`
//! (contracts/src/vm/) deployed from their committed artifacts
//! (crates/l1/artifacts/vm/) by a funded EOA as real transactions, then one transaction
//! `step(pre, witness)` per checked step, on the same deployed state each time. Each
//! call gives a [`Verdict`]: the post-commitment or the decoded revert, and the gas of
//! the whole transaction (21,000, the calldata under EIP-7623's floor, the execution).
//!
//! - [`L1Verifier`]: the EVM and the deployed verifier, [`L1Verifier::verify`];
//! - [`L1Check`]: the verifier beside Rust's reference step, as a
//!   [`faultline_vm_prover::trace::StepObserver`] of the checked runs, with its
//!   per-kind [`L1Stats`];
//! - [`Artifacts`]: the creation code of the contracts, embedded or from `forge build`'s
//!   output (`FAULTLINE_VM_L1_OUT`).

mod artifacts;
mod check;
mod stats;

pub use artifacts::{creation_code, find_in_forge_out, Artifacts, ENGINE, MODULES, NOT_DEPLOYED, ROUTER};
pub use check::{allow_unsupported, compare, enabled, Agreement, L1Check};
pub use stats::{KindStats, L1Stats};

use alloy::sol_types::{SolCall, SolError, SolInterface};
use alloy_primitives::{Address, Bytes, TxKind, B256, U256};
use revm::{
    context::{result::ExecutionResult, BlockEnv, Context, TxEnv},
    database::{CacheDB, EmptyDB},
    handler::{ExecuteCommitEvm, ExecuteEvm, MainBuilder, MainnetContext, MainnetEvm},
    primitives::hardfork::SpecId,
    state::AccountInfo,
};

/// The L1's spec: Osaka.
pub const SPEC: SpecId = SpecId::OSAKA;

/// The gas limit of every transaction: EIP-7825's cap (2^24), the most one L1 transaction
/// may use.
pub const TX_GAS_LIMIT: u64 = 1 << 24;

/// Set to `1`: the checked runs of the tests (node blocks, bounds, wire vectors) also
/// run every step through the L1 verifier.
pub const ENV_L1: &str = "FAULTLINE_VM_L1";
/// Set to `1`: steps the verifier refuses with `Unsupported(kind)` do not fail a run
/// (while the verifier is incomplete); they are counted and reported either way.
pub const ENV_ALLOW_UNSUPPORTED: &str = "FAULTLINE_VM_L1_ALLOW_UNSUPPORTED";
/// A `forge build` output folder (e.g. `contracts/out`) to take the contracts from
/// instead of the committed artifacts: for iterating on the Solidity.
pub const ENV_OUT: &str = "FAULTLINE_VM_L1_OUT";
/// A folder: every step the verifier disagrees on, or that costs more than the 2 M L1
/// gas target, is written there as `<kind>-<gas>-<n>.json` (`{kind, pre, witness, gas}`),
/// to replay it in forge or in a test.
pub const ENV_DUMP: &str = "FAULTLINE_VM_L1_DUMP";
/// With [`ENV_OUT`]: the contract names to deploy, comma-separated, the modules in order
/// (`-` for an empty slot) and the router last (default: [`MODULES`], then [`ROUTER`]).
pub const ENV_CONTRACTS: &str = "FAULTLINE_VM_L1_CONTRACTS";

/// The chain id of the in-memory L1.
const CHAIN_ID: u64 = 1;
/// Base fee and gas price (1 gwei): the EOA pays for its transactions as on L1.
const GAS_PRICE: u128 = 1_000_000_000;
/// The EOA that deploys the verifier and sends the steps.
const SENDER: Address = Address::new([0x5e; 20]);

alloy::sol! {
    /// contracts/src/interfaces/IFaultVM.sol.
    interface IFaultVM {
        error Malformed(uint256 at);
        error WrongPreState(bytes32 got, bytes32 claimed);
        error Missing(uint256 at);
        error Unused(uint256 accesses, uint256 items);
        error Inconsistent(uint256 what);
        function step(bytes32 pre, bytes witness) external view returns (bytes32 post);
    }

    /// The router's refusal of a step kind it does not implement yet.
    error Unsupported(uint8 module);

    /// The router's constructor arguments (ABI-encoded as this call's arguments).
    function constructorArgs(address[] modules);
}

/// Why the driver could not run the verifier (not a verdict on a step).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A contract's artifact is neither committed nor built.
    #[error("no artifact for {name} ({place}): the verifier's contracts are MODULES and ROUTER in crates/vm-verifier/src/artifacts.rs; `contracts/bin/forge build && FAULTLINE_WRITE_ARTIFACTS=1 cargo test -p faultline-l1 --test artifacts` commits them")]
    MissingArtifact {
        /// Contract name.
        name: String,
        /// Where it was looked for.
        place: String,
    },
    /// An artifact that is not a forge artifact with creation code.
    #[error("artifact of {name}: {why}")]
    BadArtifact {
        /// Contract name.
        name: String,
        /// What is wrong.
        why: String,
    },
    /// A deployment transaction failed.
    #[error("deploying {name}: {why}")]
    Deploy {
        /// Contract name.
        name: String,
        /// What happened.
        why: String,
    },
    /// revm refused a transaction (invalid, or a database error).
    #[error("revm: {0}")]
    Evm(String),
}

/// How the verifier answered a step: anything but a post-commitment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// `Malformed(at)`.
    Malformed {
        /// Witness offset.
        at: U256,
    },
    /// `WrongPreState(got, claimed)`.
    WrongPreState {
        /// The commitment the witness hashes to.
        got: B256,
        /// The claimed pre-state.
        claimed: B256,
    },
    /// `Missing(at)`.
    Missing {
        /// Witness offset.
        at: U256,
    },
    /// `Unused(accesses, items)`.
    Unused {
        /// Accesses left over.
        accesses: U256,
        /// Stack items not popped.
        items: U256,
    },
    /// `Inconsistent(what)`: a state no run reaches.
    Inconsistent {
        /// The code naming the inconsistency (docs/verifier.md, "Errors").
        what: U256,
    },
    /// `Unsupported(kind)`: the router lacks the step kind (an incomplete verifier).
    Unsupported {
        /// The kind, as the router names it.
        kind: u8,
    },
    /// Revert data that is none of the verifier's errors.
    UnknownRevert(Bytes),
    /// Returned, but not one `bytes32`.
    BadReturn(Bytes),
    /// An exceptional halt (out of gas, invalid opcode...): all gas burnt.
    Halt(String),
}

impl Refusal {
    /// The category of Rust's `StepError::code()` this is (`malformed`,
    /// `wrong-pre-state`, `missing`, `unused`, `inconsistent`), if it is one of the
    /// verifier's errors.
    pub fn code(&self) -> Option<&'static str> {
        match self {
            Refusal::Malformed { .. } => Some("malformed"),
            Refusal::WrongPreState { .. } => Some("wrong-pre-state"),
            Refusal::Missing { .. } => Some("missing"),
            Refusal::Unused { .. } => Some("unused"),
            Refusal::Inconsistent { .. } => Some("inconsistent"),
            _ => None,
        }
    }

    /// Decodes revert data.
    pub fn from_revert(data: &[u8]) -> Self {
        if let Ok(e) = IFaultVM::IFaultVMErrors::abi_decode(data) {
            return match e {
                IFaultVM::IFaultVMErrors::Malformed(e) => Refusal::Malformed { at: e.at },
                IFaultVM::IFaultVMErrors::WrongPreState(e) => Refusal::WrongPreState { got: e.got, claimed: e.claimed },
                IFaultVM::IFaultVMErrors::Missing(e) => Refusal::Missing { at: e.at },
                IFaultVM::IFaultVMErrors::Unused(e) => Refusal::Unused { accesses: e.accesses, items: e.items },
                IFaultVM::IFaultVMErrors::Inconsistent(e) => Refusal::Inconsistent { what: e.what },
            };
        }
        match Unsupported::abi_decode(data) {
            Ok(u) => Refusal::Unsupported { kind: u.module },
            Err(_) => Refusal::UnknownRevert(Bytes::copy_from_slice(data)),
        }
    }
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refusal::Malformed { at } => write!(f, "Malformed({at})"),
            Refusal::WrongPreState { got, claimed } => write!(f, "WrongPreState({got}, {claimed})"),
            Refusal::Missing { at } => write!(f, "Missing({at})"),
            Refusal::Unused { accesses, items } => write!(f, "Unused({accesses}, {items})"),
            Refusal::Inconsistent { what } => write!(f, "Inconsistent({what})"),
            Refusal::Unsupported { kind } => write!(f, "Unsupported({kind})"),
            Refusal::UnknownRevert(d) => write!(f, "unknown revert data {d}"),
            Refusal::BadReturn(d) => write!(f, "returned {d}, not one bytes32"),
            Refusal::Halt(why) => write!(f, "halted: {why}"),
        }
    }
}

/// The verifier's answer to one step, and what the transaction cost.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    /// The post-commitment, or how the verifier refused.
    pub result: Result<B256, Refusal>,
    /// Gas of the whole transaction as its receipt would show it: 21,000, the calldata
    /// (at least EIP-7623's floor), the execution, less refunds.
    pub gas_used: u64,
    /// Witness bytes.
    pub witness_len: usize,
    /// Calldata bytes (the ABI-encoded `step` call).
    pub calldata_len: usize,
}

/// The verifier deployed in an in-memory revm under Osaka.
pub struct L1Verifier {
    evm: MainnetEvm<MainnetContext<CacheDB<EmptyDB>>>,
    router: Address,
    modules: Vec<Address>,
    nonce: u64,
}

impl std::fmt::Debug for L1Verifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("L1Verifier").field("router", &self.router).field("modules", &self.modules).finish_non_exhaustive()
    }
}

/// A module's deployment code: its creation code and the engine's address, its one
/// constructor argument (a module that does not hash in pieces ignores it).
pub fn module_init_code(code: &[u8], engine: Address) -> Bytes {
    [code, engine.into_word().as_slice()].concat().into()
}

/// The router's deployment code: its creation code and `address[] modules` in `Route`
/// order (the zero address for a module not deployed).
pub fn router_init_code(code: &[u8], modules: &[Address]) -> Bytes {
    let args = constructorArgsCall { modules: modules.to_vec() }.abi_encode();
    [code, &args[4..]].concat().into()
}

impl L1Verifier {
    /// The verifier from [`Artifacts::from_env`]: the committed artifacts of [`MODULES`]
    /// and [`ROUTER`], or those of a forge output folder when [`ENV_OUT`] is set.
    pub fn new() -> Result<Self, Error> {
        Self::with_artifacts(&Artifacts::from_env()?)
    }

    /// Deploys `artifacts`: the keccak-f engine, each module with the engine's address as
    /// its constructor argument, in order, then the router with `address[] modules`, each
    /// a transaction of the funded EOA.
    pub fn with_artifacts(artifacts: &Artifacts) -> Result<Self, Error> {
        let mut db = CacheDB::new(EmptyDB::default());
        db.insert_account_info(SENDER, AccountInfo { balance: U256::from(10u64).pow(U256::from(24)), ..Default::default() });
        // `Context::new` derives the gas table from the spec (setting `cfg.spec` later
        // would keep the default fork's).
        let ctx: MainnetContext<_> = Context::new(db, SPEC);
        let block =
            BlockEnv { number: U256::from(1), timestamp: U256::from(1_700_000_000u64), gas_limit: 60_000_000, basefee: GAS_PRICE as u64, ..Default::default() };
        let evm = ctx.modify_cfg_chained(|c| c.chain_id = CHAIN_ID).with_block(block).build_mainnet();
        let mut v = Self { evm, router: Address::ZERO, modules: Vec::new(), nonce: 0 };
        let engine = v.deploy(&artifacts.engine.0, artifacts.engine.1.clone())?;
        for (name, code) in &artifacts.modules {
            if code.is_empty() {
                v.modules.push(Address::ZERO);
                continue;
            }
            let at = v.deploy(name, module_init_code(code, engine))?;
            v.modules.push(at);
        }
        let (name, code) = &artifacts.router;
        v.router = v.deploy(name, router_init_code(code, &v.modules))?;
        Ok(v)
    }

    fn tx(&self, kind: TxKind, data: Bytes) -> TxEnv {
        TxEnv {
            tx_type: 0,
            caller: SENDER,
            gas_limit: TX_GAS_LIMIT,
            gas_price: GAS_PRICE,
            kind,
            data,
            nonce: self.nonce,
            chain_id: Some(CHAIN_ID),
            ..Default::default()
        }
    }

    fn deploy(&mut self, name: &str, init: Bytes) -> Result<Address, Error> {
        let at = SENDER.create(self.nonce);
        let tx = self.tx(TxKind::Create, init);
        let result = self.evm.transact_commit(tx).map_err(|e| Error::Deploy { name: name.into(), why: e.to_string() })?;
        self.nonce += 1;
        match result {
            ExecutionResult::Success { .. } => {}
            ExecutionResult::Revert { output, .. } => return Err(Error::Deploy { name: name.into(), why: format!("reverted with {output}") }),
            ExecutionResult::Halt { reason, .. } => return Err(Error::Deploy { name: name.into(), why: format!("halted: {reason:?}") }),
        }
        let code = self.evm.ctx.journaled_state.database.cache.accounts.get(&at).and_then(|a| a.info.code.as_ref()).map_or(0, |c| c.len());
        if code == 0 {
            return Err(Error::Deploy { name: name.into(), why: format!("no code at {at}") });
        }
        Ok(at)
    }

    /// The router's address.
    pub fn router(&self) -> Address {
        self.router
    }

    /// The modules' addresses, in deployment order.
    pub fn modules(&self) -> &[Address] {
        &self.modules
    }

    /// The calldata of `step(pre, witness)`.
    pub fn calldata(pre: B256, witness: &[u8]) -> Vec<u8> {
        IFaultVM::stepCall { pre, witness: Bytes::copy_from_slice(witness) }.abi_encode()
    }

    /// Sends `step(pre, witness)` to the router as a transaction of the EOA (gas limit
    /// [`TX_GAS_LIMIT`]) on the deployed state, and commits nothing: every call sees the
    /// same state.
    pub fn verify(&mut self, pre: B256, witness: &[u8]) -> Result<Verdict, Error> {
        let data: Bytes = Self::calldata(pre, witness).into();
        let calldata_len = data.len();
        let tx = self.tx(TxKind::Call(self.router), data);
        let out = self.evm.transact(tx).map_err(|e| Error::Evm(e.to_string()))?;
        let gas_used = out.result.tx_gas_used();
        let result = match out.result {
            ExecutionResult::Success { output, .. } => {
                let data = output.into_data();
                match IFaultVM::stepCall::abi_decode_returns_validate(&data) {
                    Ok(post) if data.len() == 32 => Ok(post),
                    _ => Err(Refusal::BadReturn(data)),
                }
            }
            ExecutionResult::Revert { output, .. } => Err(Refusal::from_revert(&output)),
            ExecutionResult::Halt { reason, .. } => Err(Refusal::Halt(format!("{reason:?}"))),
        };
        Ok(Verdict { result, gas_used, witness_len: witness.len(), calldata_len })
    }
}
