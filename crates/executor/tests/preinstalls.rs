//! Builds the genesis preinstalls (`crates/primitives/src/preinstalls.rs`) from published
//! artifacts of the pinned registry packages, and requires the committed
//! `crates/primitives/artifacts/preinstalls.json` to equal the result.
//! `FAULTLINE_WRITE_ARTIFACTS=1` rewrites the committed file.
//!
//! Each preinstall is constructed at its own address: revm runs its creation code there
//! (the account holding the creation code, nonce 1 as EIP-161 gives a new contract, so a
//! contract the constructor creates lands where it does on Ethereum), and the account's
//! code becomes what the constructor returned; immutables are filled in by the
//! constructor as on any chain. The chain id during construction is the devnet's;
//! contracts that cache an EIP-712 domain separator recompute it on another chain id.
//!
//! Sources (installed by `scripts/setup.sh`):
//! - Multicall3: viem's `multicall3Bytecode` (tests/clients, the npm-pinned viem);
//! - the deterministic deployment proxy and Safe's singleton factory: the creation code
//!   in `@safe-global/safe-singleton-factory`'s deployment transaction (the same CREATE2
//!   proxy program; `tests/tooling.rs` checks the code against anvil's own proxy);
//! - the ERC-4337 EntryPoint v0.8 (and the SenderCreator its constructor deploys):
//!   `@account-abstraction/contracts` 0.8.0's artifact.

use alloy::{
    consensus::{Transaction, TxEnvelope},
    eips::eip2718::Decodable2718,
};
use alloy_primitives::{Address, Bytes, TxKind, B256, U256};
use faultline_primitives::{
    preinstalls::{Preinstall, DETERMINISTIC_DEPLOYMENT_PROXY, ENTRY_POINT_V08, MULTICALL3, SAFE_SINGLETON_FACTORY},
    ChainConfig,
};
use revm::{
    bytecode::Bytecode,
    context::{result::ExecutionResult, Context, TxEnv},
    database::{CacheDB, EmptyDB},
    handler::{ExecuteCommitEvm, MainBuilder, MainnetContext},
    state::AccountInfo,
};
use serde_json::Value;
use std::path::{Path, PathBuf};

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn read(rel: &str) -> Option<String> {
    std::fs::read_to_string(repo_root().join(rel)).ok()
}

fn hex_bytes(s: &str) -> Bytes {
    s.parse().unwrap_or_else(|e| panic!("hex: {e}"))
}

/// The quoted `0x…` string that follows `marker` in a JS module.
fn js_string_after(text: &str, marker: &str) -> String {
    let at = text.find(marker).unwrap_or_else(|| panic!("{marker} not found"));
    let rest = &text[at + marker.len()..];
    let start = rest.find(['\'', '"']).expect("opening quote") + 1;
    let end = rest[start..].find(['\'', '"']).expect("closing quote") + start;
    rest[start..end].to_string()
}

/// One creation code to construct at an address, with where it came from.
struct Source {
    name: &'static str,
    address: Address,
    source: String,
    creation: Bytes,
    /// Names of the contracts its constructor creates, in creation order (at the
    /// addresses CREATE gives from nonce 1 on).
    creates: &'static [&'static str],
}

/// The creation codes, or the first missing package file.
fn sources() -> Result<Vec<Source>, String> {
    const VIEM_CONSTANTS: &str = "tests/clients/node_modules/viem/_esm/constants/contracts.js";
    const VIEM_AA: &str = "tests/clients/node_modules/viem/_esm/account-abstraction/constants/address.js";
    const SAFE: &str = "contracts/node_modules/@safe-global/safe-singleton-factory/artifacts/1/deployment.json";
    const AA: &str = "contracts/node_modules/@account-abstraction/contracts/artifacts/EntryPoint.json";
    let viem = read(VIEM_CONSTANTS).ok_or(VIEM_CONSTANTS)?;
    let viem_aa = read(VIEM_AA).ok_or(VIEM_AA)?;
    let safe: Value = serde_json::from_str(&read(SAFE).ok_or(SAFE)?).map_err(|e| e.to_string())?;
    let aa: Value = serde_json::from_str(&read(AA).ok_or(AA)?).map_err(|e| e.to_string())?;

    // The addresses the packages themselves name must be the ones the L2 uses.
    assert_eq!(js_string_after(&viem_aa, "entryPoint08Address").parse::<Address>().expect("address"), ENTRY_POINT_V08);
    let safe_address: Address = safe["address"].as_str().expect("address").parse().expect("address");
    assert_eq!(safe_address, SAFE_SINGLETON_FACTORY);

    let raw = hex_bytes(safe["transaction"].as_str().expect("transaction"));
    let tx = TxEnvelope::decode_2718(&mut raw.as_ref()).expect("the factory's deployment transaction decodes");
    let proxy_creation = tx.input().clone();
    let version = |pkg: &str| -> String {
        let text = read(&format!("{pkg}/package.json")).unwrap_or_default();
        serde_json::from_str::<Value>(&text).ok().and_then(|v| v["version"].as_str().map(str::to_string)).unwrap_or_default()
    };
    let viem_v = version("tests/clients/node_modules/viem");
    let safe_v = version("contracts/node_modules/@safe-global/safe-singleton-factory");
    let aa_v = version("contracts/node_modules/@account-abstraction/contracts");
    Ok(vec![
        Source {
            name: "Multicall3",
            address: MULTICALL3,
            source: format!("viem@{viem_v} constants/contracts.js multicall3Bytecode"),
            creation: hex_bytes(&js_string_after(&viem, "multicall3Bytecode")),
            creates: &[],
        },
        Source {
            name: "DeterministicDeploymentProxy",
            address: DETERMINISTIC_DEPLOYMENT_PROXY,
            source: format!("@safe-global/safe-singleton-factory@{safe_v} artifacts/1/deployment.json (transaction input)"),
            creation: proxy_creation.clone(),
            creates: &[],
        },
        Source {
            name: "SafeSingletonFactory",
            address: SAFE_SINGLETON_FACTORY,
            source: format!("@safe-global/safe-singleton-factory@{safe_v} artifacts/1/deployment.json (transaction input)"),
            creation: proxy_creation,
            creates: &[],
        },
        Source {
            name: "EntryPoint v0.8",
            address: ENTRY_POINT_V08,
            source: format!("@account-abstraction/contracts@{aa_v} artifacts/EntryPoint.json bytecode"),
            creation: hex_bytes(aa["bytecode"].as_str().expect("bytecode")),
            creates: &["SenderCreator"],
        },
    ])
}

/// Runs `creation` as the constructor of `address`; returns every account it leaves with
/// code (the contract and whatever its constructor created).
fn construct(chain_id: u64, name: &str, address: Address, creation: &Bytes) -> Vec<(Address, AccountInfo, Vec<(U256, U256)>)> {
    let mut db = CacheDB::new(EmptyDB::default());
    let code = Bytecode::new_raw(creation.clone());
    db.insert_account_info(address, AccountInfo { nonce: 1, code_hash: code.hash_slow(), code: Some(code), ..Default::default() });
    let deployer = Address::repeat_byte(0xde);
    // Under the L2's own rules (Cancun), as genesis is the L2's.
    let ctx: MainnetContext<_> = Context::new(db, faultline_executor::SPEC);
    let mut evm = ctx.modify_cfg_chained(|c| c.chain_id = chain_id).build_mainnet();
    let tx = TxEnv { caller: deployer, kind: TxKind::Call(address), gas_limit: 30_000_000, gas_price: 0, chain_id: Some(chain_id), ..Default::default() };
    let result = evm.transact_commit(tx).unwrap_or_else(|e| panic!("{name}: {e:?}"));
    let runtime = match result {
        ExecutionResult::Success { output, .. } => output.into_data(),
        other => panic!("{name}: constructor failed: {other:?}"),
    };
    let db = &mut evm.ctx.journaled_state.database;
    let info = db.cache.accounts.get_mut(&address).expect("constructed account");
    let code = Bytecode::new_raw(runtime);
    info.info.code_hash = code.hash_slow();
    info.info.code = Some(code);
    let mut out = Vec::new();
    for (a, acc) in &db.cache.accounts {
        if *a == deployer || acc.info.is_empty() {
            continue;
        }
        let has_code = acc.info.code.as_ref().is_some_and(|c| !c.is_empty());
        assert!(has_code, "{name}: the constructor left account {a} without code");
        let mut slots: Vec<(U256, U256)> = acc.storage.iter().filter(|(_, v)| !v.is_zero()).map(|(k, v)| (*k, *v)).collect();
        slots.sort();
        out.push((*a, acc.info.clone(), slots));
    }
    out
}

fn build() -> Result<Vec<Preinstall>, String> {
    let chain_id = ChainConfig::devnet().chain_id;
    let mut all = Vec::new();
    for s in sources()? {
        let accounts = construct(chain_id, s.name, s.address, &s.creation);
        assert_eq!(accounts.len(), 1 + s.creates.len(), "{}: accounts its constructor leaves", s.name);
        for (address, info, slots) in accounts {
            let name = match (1..).zip(s.creates).find(|(nonce, _)| s.address.create(*nonce) == address) {
                Some((_, created)) => format!("{created} (created by the {} constructor)", s.name),
                None if address == s.address => s.name.to_string(),
                None => panic!("{}: its constructor left an account at {address}, not where CREATE puts it", s.name),
            };
            let code = info.code.map(|c| c.original_bytes()).unwrap_or_default();
            all.push(Preinstall {
                name,
                address,
                source: s.source.clone(),
                nonce: info.nonce,
                code,
                storage: slots.into_iter().map(|(k, v)| (B256::from(k), B256::from(v))).collect(),
            });
        }
    }
    all.sort_by_key(|p| p.address);
    Ok(all)
}

#[test]
fn committed_preinstalls_match_the_registry_packages() {
    let built = match build() {
        Ok(b) => b,
        Err(missing) => {
            eprintln!("SKIP: {missing} is missing (run scripts/setup.sh)");
            return;
        }
    };
    let path = repo_root().join("crates/primitives/artifacts/preinstalls.json");
    let mut text = serde_json::to_string_pretty(&built).expect("serialize");
    text.push('\n');
    if std::env::var_os("FAULTLINE_WRITE_ARTIFACTS").is_some() {
        std::fs::write(&path, &text).expect("write");
        eprintln!("rewrote {}", path.display());
    }
    assert!(
        faultline_primitives::preinstalls::PREINSTALLS_JSON == std::fs::read_to_string(&path).expect("read"),
        "the crate embeds the file on disk (rebuild after rewriting)"
    );
    assert!(
        faultline_primitives::preinstalls::preinstalls() == built.as_slice(),
        "committed preinstalls differ from the registry packages (FAULTLINE_WRITE_ARTIFACTS=1 cargo test -p faultline-executor --test preinstalls)"
    );
}

#[test]
fn the_create2_proxy_runs_its_program() {
    // The proxy's calldata is salt (32 bytes) ‖ init code; it returns the new address.
    let Ok(all) = build() else {
        eprintln!("SKIP: packages missing (run scripts/setup.sh)");
        return;
    };
    let proxy = all.iter().find(|p| p.address == DETERMINISTIC_DEPLOYMENT_PROXY).expect("proxy");
    let mut db = CacheDB::new(EmptyDB::default());
    let code = Bytecode::new_raw(proxy.code.clone());
    db.insert_account_info(proxy.address, AccountInfo { nonce: 1, code_hash: code.hash_slow(), code: Some(code), ..Default::default() });
    let ctx: MainnetContext<_> = Context::new(db, faultline_executor::SPEC);
    let mut evm = ctx.build_mainnet();
    // Init code returning one byte of runtime code (0x00).
    let init = hex_bytes("0x600160005360016000f3");
    let salt = B256::repeat_byte(7);
    let data: Bytes = [salt.as_slice(), init.as_ref()].concat().into();
    let tx = TxEnv { caller: Address::repeat_byte(1), kind: TxKind::Call(proxy.address), data, gas_limit: 1_000_000, gas_price: 0, ..Default::default() };
    let ExecutionResult::Success { output, .. } = evm.transact_commit(tx).expect("runs") else { panic!("proxy call failed") };
    let want = proxy.address.create2_from_code(salt, &init);
    assert_eq!(output.into_data().as_ref(), want.as_slice(), "returns the CREATE2 address, unpadded");
}
