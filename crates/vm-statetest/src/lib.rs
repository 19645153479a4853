//! Ethereum state tests (the public `GeneralStateTests` format): parsing, running one
//! case (one `post.Cancun` entry) with revm, and checking revm's post-state root (MPT)
//! and logs hash against the fixture.

use alloy_primitives::{keccak256, Address, Bytes, B256, U256};
use alloy_rlp::Encodable;
use alloy_trie::{HashBuilder, Nibbles, EMPTY_ROOT_HASH};
use revm::{
    bytecode::Bytecode,
    context::{result::EVMError, BlockEnv, Context, TxEnv},
    context_interface::block::BlobExcessGasAndPrice,
    database::{CacheDB, EmptyDB},
    handler::{ExecuteEvm, MainBuilder},
    primitives::hardfork::SpecId,
    state::AccountInfo,
    DatabaseCommit,
};
use serde::Deserialize;
use std::collections::BTreeMap;

/// A fixture file: test name → test.
pub type Suite = BTreeMap<String, StateTest>;

/// One named state test.
#[derive(Debug, Deserialize)]
pub struct StateTest {
    /// Block environment.
    pub env: Env,
    /// Pre-state.
    pub pre: BTreeMap<Address, PreAccount>,
    /// The transaction template (indexed by `post[fork][i].indexes`).
    pub transaction: TxTemplate,
    /// Expected results by fork.
    pub post: BTreeMap<String, Vec<PostEntry>>,
}

/// Block environment of a state test.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Env {
    /// Coinbase.
    pub current_coinbase: Address,
    /// Gas limit.
    pub current_gas_limit: U256,
    /// Number.
    pub current_number: U256,
    /// Timestamp.
    pub current_timestamp: U256,
    /// Base fee.
    pub current_base_fee: Option<U256>,
    /// prevrandao.
    pub current_random: Option<B256>,
    /// Excess blob gas.
    pub current_excess_blob_gas: Option<U256>,
}

/// A pre-state account.
#[derive(Debug, Deserialize)]
pub struct PreAccount {
    /// Balance.
    pub balance: U256,
    /// Code.
    pub code: Bytes,
    /// Nonce.
    pub nonce: U256,
    /// Storage.
    pub storage: BTreeMap<U256, U256>,
}

/// The transaction template.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TxTemplate {
    /// Call data variants.
    pub data: Vec<Bytes>,
    /// Gas limit variants.
    pub gas_limit: Vec<U256>,
    /// Value variants.
    pub value: Vec<U256>,
    /// Legacy gas price.
    pub gas_price: Option<U256>,
    /// EIP-1559 fee cap.
    pub max_fee_per_gas: Option<U256>,
    /// EIP-1559 tip cap.
    pub max_priority_fee_per_gas: Option<U256>,
    /// Nonce.
    pub nonce: U256,
    /// Sender.
    pub sender: Address,
    /// Recipient; empty for a creation.
    #[serde(deserialize_with = "to_or_create")]
    pub to: Option<Address>,
    /// Access-list variants (EIP-2930 and later).
    pub access_lists: Option<Vec<Option<Vec<AccessListItem>>>>,
    /// Blob hashes (EIP-4844).
    pub blob_versioned_hashes: Option<Vec<B256>>,
    /// Blob fee cap.
    pub max_fee_per_blob_gas: Option<U256>,
}

/// One access-list entry.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccessListItem {
    /// Address.
    pub address: Address,
    /// Slots.
    pub storage_keys: Vec<B256>,
}

fn to_or_create<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Address>, D::Error> {
    let s = String::deserialize(d)?;
    if s.is_empty() {
        return Ok(None);
    }
    s.parse().map(Some).map_err(serde::de::Error::custom)
}

/// One expected result.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PostEntry {
    /// Post-state MPT root.
    pub hash: B256,
    /// keccak256 of the RLP list of logs.
    pub logs: B256,
    /// Which template variants.
    pub indexes: Indexes,
    /// Set when the transaction is invalid.
    pub expect_exception: Option<String>,
}

/// Template indexes of a case.
#[derive(Debug, Deserialize)]
pub struct Indexes {
    /// Into `data`.
    pub data: usize,
    /// Into `gasLimit`.
    pub gas: usize,
    /// Into `value`.
    pub value: usize,
}

/// The outcome of one case under revm.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RevmOutcome {
    /// Root and logs match the fixture.
    Match,
    /// They do not.
    Mismatch {
        /// What differs.
        what: String,
    },
    /// They do not, on a pre-state with storage but neither code nor nonce: the fixture
    /// applies EIP-7610 there, which revm 43 does not ([`EIP7610_REVM_DIVERGES`]).
    Eip7610 {
        /// What differs.
        what: String,
    },
    /// The case cannot be set up (e.g. an index out of range).
    Malformed(String),
}

/// Runs case `entry` of `test` with revm under Cancun and compares with the fixture.
pub fn run_case(test: &StateTest, entry: &PostEntry) -> RevmOutcome {
    let (db, logs) = match run_revm(test, entry) {
        Ok(r) => r,
        Err(o) => return o,
    };
    let what = post_mismatches("", state_root(&db), &logs, entry);
    if what.is_empty() {
        RevmOutcome::Match
    } else if has_storage_only_account(test) {
        RevmOutcome::Eip7610 { what: what.join("; ") }
    } else {
        RevmOutcome::Mismatch { what: what.join("; ") }
    }
}

/// An account as compared in debugging output: nonce, balance, code hash, non-zero storage.
pub type AccountSummary = (u64, U256, B256, BTreeMap<U256, U256>);

/// revm's post-state of case `entry`: every account that exists after it, for comparisons.
pub fn revm_post_accounts(test: &StateTest, entry: &PostEntry) -> Option<BTreeMap<Address, AccountSummary>> {
    let (db, _) = run_revm(test, entry).ok()?;
    let mut out = BTreeMap::new();
    for (a, acc) in &db.cache.accounts {
        if matches!(acc.account_state, revm::database::AccountState::NotExisting) {
            continue;
        }
        let storage: BTreeMap<U256, U256> = acc.storage.iter().filter(|(_, v)| !v.is_zero()).map(|(k, v)| (*k, *v)).collect();
        out.insert(*a, (acc.info.nonce, acc.info.balance, acc.info.code_hash, storage));
    }
    Some(out)
}

fn run_revm(test: &StateTest, entry: &PostEntry) -> Result<(CacheDB<EmptyDB>, Vec<alloy_primitives::Log>), RevmOutcome> {
    let t = &test.transaction;
    let (Some(data), Some(gas), Some(value)) = (t.data.get(entry.indexes.data), t.gas_limit.get(entry.indexes.gas), t.value.get(entry.indexes.value)) else {
        return Err(RevmOutcome::Malformed("index out of range".into()));
    };
    let mut db = CacheDB::new(EmptyDB::default());
    for (address, acc) in &test.pre {
        let code = Bytecode::new_raw(acc.code.clone());
        let info = AccountInfo { balance: acc.balance, nonce: acc.nonce.saturating_to(), code_hash: code.hash_slow(), code: Some(code), ..Default::default() };
        db.insert_account_info(*address, info);
        for (k, v) in &acc.storage {
            let _ = db.insert_account_storage(*address, *k, *v);
        }
    }
    let env = &test.env;
    let block = BlockEnv {
        number: env.current_number,
        beneficiary: env.current_coinbase,
        timestamp: env.current_timestamp,
        gas_limit: env.current_gas_limit.saturating_to(),
        basefee: env.current_base_fee.map(|b| b.saturating_to()).unwrap_or(0),
        difficulty: U256::ZERO,
        prevrandao: Some(env.current_random.unwrap_or_default()),
        blob_excess_gas_and_price: Some(BlobExcessGasAndPrice::new_with_spec(
            env.current_excess_blob_gas.map(|e| e.saturating_to()).unwrap_or(0),
            SpecId::CANCUN,
        )),
        ..Default::default()
    };
    // Kept as a list: the same address may appear twice and is charged twice.
    let access_list: Option<Vec<AccessListItem>> = t.access_lists.as_ref().and_then(|l| l.get(entry.indexes.data).cloned().flatten());
    let blob_hashes = t.blob_versioned_hashes.clone().unwrap_or_default();
    // A blob transaction is one that carries the field, even with an empty list (which
    // makes it invalid, as the fixtures expect).
    let tx_type = if t.blob_versioned_hashes.is_some() {
        3
    } else if t.max_fee_per_gas.is_some() {
        2
    } else if t.access_lists.is_some() {
        1
    } else {
        0
    };
    let tx = TxEnv {
        tx_type,
        caller: t.sender,
        gas_limit: gas.saturating_to(),
        gas_price: t.gas_price.or(t.max_fee_per_gas).map(|g| g.saturating_to()).unwrap_or(0),
        gas_priority_fee: t.max_priority_fee_per_gas.map(|g| g.saturating_to()),
        kind: match t.to {
            Some(a) => alloy_primitives::TxKind::Call(a),
            None => alloy_primitives::TxKind::Create,
        },
        value: *value,
        data: data.clone(),
        nonce: t.nonce.saturating_to(),
        chain_id: Some(1),
        access_list: access_list
            .map(|items| {
                revm::context::transaction::AccessList(
                    items.into_iter().map(|i| revm::context::transaction::AccessListItem { address: i.address, storage_keys: i.storage_keys }).collect(),
                )
            })
            .unwrap_or_default(),
        blob_hashes,
        max_fee_per_blob_gas: t.max_fee_per_blob_gas.map(|g| g.saturating_to()).unwrap_or(0),
        ..Default::default()
    };
    // A blob transaction cannot create (EIP-4844: `to` is an address). revm takes the
    // kind from `TxEnv` and leaves this to the transaction's type, so the harness checks
    // it: the transaction is invalid and the state unchanged.
    if tx_type == 3 && t.to.is_none() {
        return Ok((db, Vec::new()));
    }
    // `Context::new` derives the gas parameters from the spec; setting `cfg.spec` on a
    // default context afterwards would keep the default fork's gas table.
    let ctx: revm::handler::MainnetContext<_> = Context::new(db, SpecId::CANCUN);
    let mut evm = ctx
        .modify_cfg_chained(|c| {
            c.chain_id = 1;
            // Cancun's MAX_BLOB_GAS_PER_BLOCK / GAS_PER_BLOB: a transaction with more
            // blobs cannot fit a block. revm's default is no limit.
            c.max_blobs_per_tx = Some(alloy_eips::eip4844::MAX_BLOBS_PER_BLOCK_DENCUN as u64);
        })
        .with_block(block)
        .build_mainnet();
    let logs = match evm.transact(tx) {
        Ok(r) => {
            evm.ctx.journaled_state.database.commit(r.state);
            r.result.into_logs()
        }
        Err(EVMError::Transaction(e)) => {
            if std::env::var_os("FAULTLINE_STATETEST_DEBUG").is_some() {
                eprintln!("invalid transaction: {e:?}");
            }
            Vec::new() // invalid: state unchanged
        }
        Err(EVMError::Header(e)) => {
            if std::env::var_os("FAULTLINE_STATETEST_DEBUG").is_some() {
                eprintln!("invalid header: {e:?}");
            }
            Vec::new()
        }
        Err(e) => return Err(RevmOutcome::Malformed(format!("evm error: {e}"))),
    };
    Ok((evm.ctx.journaled_state.database, logs))
}

fn trie_root(mut leaves: Vec<(B256, Vec<u8>)>) -> B256 {
    if leaves.is_empty() {
        return EMPTY_ROOT_HASH;
    }
    leaves.sort_by_key(|a| a.0);
    let mut hb = HashBuilder::default();
    for (k, v) in leaves {
        hb.add_leaf(Nibbles::unpack(k), &v);
    }
    hb.root()
}

/// The Ethereum MPT state root of a CacheDB (deleted accounts, and EIP-161 empty
/// accounts without storage, left out).
pub fn state_root(db: &CacheDB<EmptyDB>) -> B256 {
    let mut leaves = Vec::new();
    for (address, acc) in &db.cache.accounts {
        let info = &acc.info;
        let has_storage = acc.storage.values().any(|v| !v.is_zero());
        if matches!(acc.account_state, revm::database::AccountState::NotExisting) || (info.is_empty() && !has_storage) {
            continue;
        }
        leaves.push(account_entry(address, info.nonce, info.balance, info.code_hash, &acc.storage));
    }
    trie_root(leaves)
}

/// What differs between a post-state (its root and logs) and the fixture's entry, each
/// message prefixed with `who`.
fn post_mismatches(who: &str, root: B256, logs: &[alloy_primitives::Log], entry: &PostEntry) -> Vec<String> {
    let lh = logs_hash(logs);
    let mut what = Vec::new();
    if root != entry.hash {
        what.push(format!("{who}state root {root} != {}", entry.hash));
    }
    if lh != entry.logs {
        what.push(format!("{who}logs hash {lh} != {}", entry.logs));
    }
    what
}

/// One account's MPT leaf `(keccak(address), rlp([nonce, balance, storageRoot, codeHash]))`,
/// zero slots left out of its storage trie.
fn account_entry<'a>(
    address: &Address,
    nonce: u64,
    balance: U256,
    code_hash: B256,
    storage: impl IntoIterator<Item = (&'a U256, &'a U256)>,
) -> (B256, Vec<u8>) {
    let slots = storage.into_iter().filter(|(_, v)| !v.is_zero()).map(|(k, v)| (keccak256(k.to_be_bytes::<32>()), alloy_rlp::encode(v))).collect();
    (keccak256(address), account_leaf(nonce, balance, trie_root(slots), code_hash))
}

/// keccak256 of the RLP list of logs (the state tests' `logs` field).
pub fn logs_hash(logs: &[alloy_primitives::Log]) -> B256 {
    let mut buf = Vec::new();
    alloy_rlp::encode_list(logs, &mut buf);
    keccak256(buf)
}

/// The outcome of one case under the step machine.
#[derive(Debug, Clone)]
pub enum MachineOutcome {
    /// Every step checked; the final world's root and the logs hash match the fixture.
    Pass {
        /// Step statistics.
        stats: faultline_vm_prover::trace::TraceStats,
        /// Gas the transaction used (0 when invalid).
        gas_used: u64,
        /// Why the case's pre-state could not exist on faultline's L2, if it could not
        /// (then its steps may exceed the bounds the L2 keeps).
        outside_l2: Option<&'static str>,
    },
    /// A step failed its check, or the final state differs.
    Fail(String),
    /// The case needs something the machine does not cover (the reason).
    Skip(String),
}

/// The step machine's initial state for case `entry` of `test` (a block of one
/// transaction), or why it is skipped.
pub fn initial_machine(test: &StateTest, entry: &PostEntry) -> Result<faultline_vm_core::machine::Machine, String> {
    use faultline_vm_core::{
        machine::{BlockCtx, BlockHashes, Machine, Tree},
        world::{Account, FullWorld, MemWorld, World},
    };
    let t = &test.transaction;
    if t.blob_versioned_hashes.is_some() {
        return Err("blob transaction (EIP-4844; not an L2 transaction type)".into());
    }
    let (Some(data), Some(gas), Some(value)) = (t.data.get(entry.indexes.data), t.gas_limit.get(entry.indexes.gas), t.value.get(entry.indexes.value)) else {
        return Err("fixture index out of range".into());
    };
    let accounts: BTreeMap<Address, Account> =
        test.pre.iter().map(|(a, p)| (*a, Account::new(p.nonce.saturating_to(), p.balance, p.code.clone(), p.storage.iter().map(|(k, v)| (*k, *v))))).collect();
    let env = &test.env;
    let number: u64 = env.current_number.saturating_to();
    // What revm's EmptyDB answers for BLOCKHASH, which the fixtures were matched with.
    let hashes: Vec<B256> = (0..256u64)
        .map(|i| {
            let n = (number + i).checked_sub(256);
            n.map(|n| keccak256(n.to_string().as_bytes())).unwrap_or_default()
        })
        .collect();
    let block = BlockCtx {
        number,
        timestamp: env.current_timestamp.saturating_to(),
        gas_limit: env.current_gas_limit.saturating_to(),
        basefee: env.current_base_fee.map(|b| b.saturating_to()).unwrap_or(0),
        coinbase: env.current_coinbase,
        prevrandao: env.current_random.unwrap_or_default(),
        chain_id: 1,
        blob_basefee: BlobExcessGasAndPrice::new_with_spec(env.current_excess_blob_gas.map(|e| e.saturating_to()).unwrap_or(0), SpecId::CANCUN).blob_gasprice,
        parent_hash: B256::ZERO,
        deposit_cursor: 0,
        // No L1 fee: the state tests (and the bench's blocks) have none.
        l1_fee: Default::default(),
        l1_scalars: Default::default(),
        block_hashes: BlockHashes::Tree(Tree::from_words(&hashes)),
    };
    let tx_type = if t.max_fee_per_gas.is_some() {
        2
    } else if t.access_lists.is_some() {
        1
    } else {
        0
    };
    let access_list: Vec<(Address, Vec<B256>)> = t
        .access_lists
        .as_ref()
        .and_then(|l| l.get(entry.indexes.data).cloned().flatten())
        .unwrap_or_default()
        .into_iter()
        .map(|i| (i.address, i.storage_keys))
        .collect();
    let tx = faultline_vm_prover::l2::tx_ctx_of(
        tx_type,
        B256::ZERO,
        t.sender,
        t.to,
        *value,
        data.clone(),
        gas.saturating_to(),
        t.gas_price.or(t.max_fee_per_gas).map(|g| g.saturating_to()).unwrap_or(0),
        t.max_priority_fee_per_gas.map(|g| g.saturating_to()),
        t.nonce.saturating_to(),
        None,
        &access_list,
        None,
    );
    let world = World::Full(Box::new(FullWorld::new(std::rc::Rc::new(MemWorld::new(&accounts)))));
    Ok(Machine::new(block, vec![tx], world))
}

/// How every skip for a call beyond the L2's precompile bounds begins
/// ([`machine_case`]; the precompile's id and the rule follow).
pub const PRECOMPILE_BOUND_SKIP: &str = "a call of precompile ";

/// Why the state before a case could not exist on faultline's L2, if it could not; a case
/// with such a pre-state whose machine end differs from revm's is skipped with it.
pub const STORAGE_WITHOUT_CODE_OR_NONCE: &str = "an account with storage but neither code nor nonce in the pre-state, and the machine's end differs from revm's (known cause: revm 43 reads the storage of an account it creates over as empty, the machine reads what is there); the L2 cannot hold such an account: docs/fault-vm.md, \"EIP-7610 and revm\"";

/// Why a case is skipped when revm does not match its fixture in it
/// ([`RevmOutcome::Eip7610`]).
pub const EIP7610_REVM_DIVERGES: &str = "the fixture applies EIP-7610 (a create collides with storage) to an account with storage but neither code nor nonce, which revm 43 does not, and which the L2 cannot hold: docs/fault-vm.md, \"EIP-7610 and revm\"";

/// Whether the pre-state of `test` holds an account with storage but neither code nor
/// nonce: the only state in which EIP-7610 (a create collides with storage) differs from
/// revm 43's rule (nonce or code), and one the L2 cannot hold.
pub fn has_storage_only_account(test: &StateTest) -> bool {
    test.pre.values().any(|p| p.nonce.is_zero() && p.code.is_empty() && p.storage.values().any(|v| !v.is_zero()))
}
/// See [`STORAGE_WITHOUT_CODE_OR_NONCE`].
pub const CODE_OVER_LIMIT: &str = "code over 24,576 bytes in the pre-state (cannot exist on the L2: genesis and EIP-170 limit code)";

fn outside_l2(test: &StateTest) -> Option<&'static str> {
    if has_storage_only_account(test) {
        return Some(STORAGE_WITHOUT_CODE_OR_NONCE);
    }
    if test.pre.values().any(|p| p.code.len() > faultline_primitives::limits::MAX_CODE_SIZE) {
        return Some(CODE_OVER_LIMIT);
    }
    None
}

/// Steps case `entry` of `test` through the machine, checking every step, and compares
/// the final world's state root and the logs hash with the fixture.
///
/// Cases needing more than `max_steps` steps have their first `max_steps` checked and the
/// rest run unchecked; they are skipped with that reason when the end agrees (checking
/// every step runs at thousands of steps per second; the VM performance fixtures need
/// tens of millions).
pub fn machine_case(test: &StateTest, entry: &PostEntry, max_steps: u64) -> MachineOutcome {
    machine_case_with(test, entry, max_steps, &mut ())
}

/// [`machine_case`], handing every checked step to `observer` (e.g. the L1 verifier,
/// `faultline-vm-verifier`): a step it refuses fails the case, naming the step's index
/// and kind.
pub fn machine_case_with(test: &StateTest, entry: &PostEntry, max_steps: u64, observer: &mut dyn faultline_vm_prover::trace::StepObserver) -> MachineOutcome {
    let m = match initial_machine(test, entry) {
        Ok(m) => m,
        Err(why) => return MachineOutcome::Skip(why),
    };
    let (end, stats) = match faultline_vm_prover::trace::run_checked_prefix_with(m, max_steps, observer) {
        Ok(r) => r,
        Err(e) => return MachineOutcome::Fail(e.to_string()),
    };
    // Over the budget: the rest runs unchecked, and the case is a skip if its end agrees
    // (a failure if not), never a pass.
    let (end, over_budget) = if end.is_finished() {
        (end, false)
    } else {
        match faultline_vm_prover::trace::run(end) {
            Ok((end, _)) => (end, true),
            Err(e) => return MachineOutcome::Fail(format!("after {max_steps} checked steps: {e}")),
        }
    };
    // The machine's meter saw every step, checked or not.
    if let Some(id) = end.io.meter.bound_hit() {
        return MachineOutcome::Skip(format!(
            "a call of precompile {id:#04x} beyond the L2's bounds on input, gas or modexp operands (docs/fault-vm.md, \"Precompiles and the L2's bounds\")"
        ));
    }
    let Some(world) = end.world.full().and_then(|w| w.all_accounts()) else {
        return MachineOutcome::Fail("the final world cannot be listed".into());
    };
    let (logs, gas_used, invalid) = match end.outcomes.first() {
        Some(faultline_vm_core::machine::TxOutcome::Ran { logs, gas_used, .. }) => (logs.clone(), *gas_used, None),
        Some(faultline_vm_core::machine::TxOutcome::Invalid(why)) => (Vec::new(), 0, Some(why.clone())),
        None => return MachineOutcome::Fail("the block ran no input".into()),
    };
    let mut what = post_mismatches("machine ", world_root(&world), &logs, entry);
    if !what.is_empty() && std::env::var_os("FAULTLINE_STATETEST_DEBUG").is_some() {
        if let Some(revm) = revm_post_accounts(test, entry) {
            for (a, (nonce, balance, code_hash, storage)) in &revm {
                let m = world.get(a);
                let mine = m.map(|x| (x.nonce, x.balance, x.record().code_hash, x.storage.clone()));
                if mine.as_ref() != Some(&(*nonce, *balance, *code_hash, storage.clone()))
                    && !(m.is_none() && *nonce == 0 && balance.is_zero() && storage.is_empty())
                {
                    eprintln!("{a}: revm {:?}\n    machine {:?}", (nonce, balance, code_hash, storage), mine);
                }
            }
            for a in world.keys().filter(|a| !revm.contains_key(*a)) {
                eprintln!("{a}: only in the machine: {:?}", world.get(a));
            }
        }
    }
    let outside = outside_l2(test);
    if !what.is_empty() {
        if outside == Some(STORAGE_WITHOUT_CODE_OR_NONCE) {
            return MachineOutcome::Skip(STORAGE_WITHOUT_CODE_OR_NONCE.into());
        }
        if let Some(why) = invalid {
            what.push(format!("machine found the transaction invalid: {why}"));
        }
        return MachineOutcome::Fail(what.join("; "));
    }
    if over_budget {
        return MachineOutcome::Skip(format!(
            "over the step budget of {max_steps} checked steps (--max-steps): those checked, the rest run unchecked, and the end agrees with the fixture"
        ));
    }
    MachineOutcome::Pass { stats, gas_used, outside_l2: outside }
}

/// The Ethereum MPT state root of the machine's world (empty accounts without storage
/// left out, as in [`state_root`]).
pub fn world_root(world: &BTreeMap<Address, faultline_vm_core::world::Account>) -> B256 {
    let mut leaves = Vec::new();
    for (address, acc) in world {
        if acc.is_empty() && acc.storage.is_empty() {
            continue;
        }
        leaves.push(account_entry(address, acc.nonce, acc.balance, acc.record().code_hash, &acc.storage));
    }
    trie_root(leaves)
}

fn account_leaf(nonce: u64, balance: U256, storage_root: B256, code_hash: B256) -> Vec<u8> {
    let payload = nonce.length() + balance.length() + storage_root.length() + code_hash.length();
    let mut buf = Vec::with_capacity(payload + 3);
    alloy_rlp::Header { list: true, payload_length: payload }.encode(&mut buf);
    nonce.encode(&mut buf);
    balance.encode(&mut buf);
    storage_root.encode(&mut buf);
    code_hash.encode(&mut buf);
    buf
}
