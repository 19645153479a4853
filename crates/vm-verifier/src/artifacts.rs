//! The verifier's contracts: which are deployed, in what order, and their creation code
//! (committed under crates/l1/artifacts/vm/, embedded at build time by build.rs).

use crate::{Error, ENV_CONTRACTS, ENV_OUT};
use alloy_primitives::Bytes;
use std::path::{Path, PathBuf};

/// The verifier's module contracts, by forge name, in the order the router's constructor
/// takes them (`FaultVM(address[] modules)`: the indices of contracts/src/vm/Route.sol);
/// each is deployed with the [`ENGINE`]'s address as its constructor argument, and
/// [`NOT_DEPLOYED`] stands for a module not written yet (the router refuses its steps
/// as `Unsupported`). Route.sol fixes the order: edit the list here (the only place),
/// then commit the artifacts (`contracts/bin/forge build && FAULTLINE_WRITE_ARTIFACTS=1
/// cargo test -p faultline-l1 --test artifacts`).
pub const MODULES: &[&str] = &[
    "CoreSteps",         // CORE
    "InputSteps",        // INPUTS
    "FrameSteps",        // FRAMES
    "OpcodeSteps",       // OPCODES
    "HostSteps",         // HOST
    "InputTailSteps",    // INPUT_TAIL
    "CoreBeginSteps",    // CORE_BEGIN
    "CoreWarmSteps",     // CORE_WARM
    "CoreEnterSteps",    // CORE_ENTER
    "CoreEndSteps",      // CORE_END
    "FrameUndoSteps",    // FRAME_UNDO
    "FrameCopySteps",    // FRAME_COPY
    "FrameHashSteps",    // FRAME_HASH
    "FrameStartSteps",   // FRAME_START
    "OpcodeEnvSteps",    // OPCODE_ENV
    "OpcodeCopySteps",   // OPCODE_COPY
    "OpcodeMemorySteps", // OPCODE_MEMORY
    "HostStorageSteps",  // HOST_STORAGE
    "HostCopySteps",     // HOST_COPY
    "HostDestructSteps", // HOST_DESTRUCT
    "CallSteps",         // HOST_CALL
    "CreateSteps",       // HOST_CREATE
    "ReturnSteps",       // HOST_RETURN
    "Create2HashSteps",  // HOST_CREATE2_HASH
];

/// A module slot left empty: the router gets the zero address for it.
pub const NOT_DEPLOYED: &str = "-";

/// The keccak-f engine (contracts/src/vm/KeccakEngine.sol), deployed first: the modules
/// that hash in pieces call it.
pub const ENGINE: &str = "KeccakEngine";

/// The router (contracts/src/vm/FaultVM.sol), deployed last with the modules' addresses.
pub const ROUTER: &str = "FaultVM";

include!(concat!(env!("OUT_DIR"), "/embedded.rs"));

/// The creation code of the contracts to deploy.
#[derive(Debug, Clone)]
pub struct Artifacts {
    /// `(name, creation code)` of the keccak-f engine.
    pub engine: (String, Bytes),
    /// `(name, creation code)` of each module, in deployment order (empty code for a
    /// [`NOT_DEPLOYED`] slot).
    pub modules: Vec<(String, Bytes)>,
    /// `(name, creation code)` of the router (its constructor arguments are appended).
    pub router: (String, Bytes),
}

/// The creation code in a forge artifact's JSON (`bytecode.object`).
pub fn creation_code(name: &str, json: &str) -> Result<Bytes, Error> {
    let bad = |why: String| Error::BadArtifact { name: name.into(), why };
    let v: serde_json::Value = serde_json::from_str(json).map_err(|e| bad(format!("not JSON: {e}")))?;
    let hex = v["bytecode"]["object"].as_str().ok_or_else(|| bad("no bytecode.object".into()))?;
    let code: Bytes = hex.parse().map_err(|e| bad(format!("bytecode.object is not hex: {e}")))?;
    if code.is_empty() {
        return Err(bad("empty creation code (an interface or abstract contract?)".into()));
    }
    Ok(code)
}

/// Where forge wrote contract `name`'s artifact under `dir`: `<File>.sol/<Name>.json`
/// for the one source file that defines it (`<Name>.sol` first).
pub fn find_in_forge_out(dir: &Path, name: &str) -> Result<PathBuf, Error> {
    let own = dir.join(format!("{name}.sol/{name}.json"));
    if own.exists() {
        return Ok(own);
    }
    let found: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| Error::MissingArtifact { name: name.into(), place: format!("{}: {e}", dir.display()) })?
        .flatten()
        .map(|e| e.path().join(format!("{name}.json")))
        .filter(|p| p.exists())
        .collect();
    match found.as_slice() {
        [one] => Ok(one.clone()),
        [] => Err(Error::MissingArtifact { name: name.into(), place: format!("no {name}.json under {}", dir.display()) }),
        many => Err(Error::BadArtifact { name: name.into(), why: format!("defined in several files: {many:?}") }),
    }
}

impl Artifacts {
    /// [`MODULES`] and [`ROUTER`] from the committed artifacts.
    pub fn embedded() -> Result<Self, Error> {
        let get = |name: &str| -> Result<(String, Bytes), Error> {
            if name == NOT_DEPLOYED {
                return Ok((name.to_string(), Bytes::new()));
            }
            let (_, json) = EMBEDDED
                .iter()
                .find(|(n, _)| *n == name)
                .ok_or_else(|| Error::MissingArtifact { name: name.into(), place: format!("crates/l1/artifacts/vm/{name}.json is not committed") })?;
            Ok((name.to_string(), creation_code(name, json)?))
        };
        Ok(Self { engine: get(ENGINE)?, modules: MODULES.iter().map(|m| get(m)).collect::<Result<_, _>>()?, router: get(ROUTER)? })
    }

    /// `modules` and `router` from a forge output folder (`<dir>/<File>.sol/<Name>.json`,
    /// see [`find_in_forge_out`]).
    pub fn from_forge_out(dir: &Path, modules: &[&str], router: &str) -> Result<Self, Error> {
        let get = |name: &str| -> Result<(String, Bytes), Error> {
            if name == NOT_DEPLOYED {
                return Ok((name.to_string(), Bytes::new()));
            }
            let path = find_in_forge_out(dir, name)?;
            let json = std::fs::read_to_string(&path).map_err(|e| Error::MissingArtifact { name: name.into(), place: format!("{}: {e}", path.display()) })?;
            Ok((name.to_string(), creation_code(name, &json)?))
        };
        Ok(Self { engine: get(ENGINE)?, modules: modules.iter().map(|m| get(m)).collect::<Result<_, _>>()?, router: get(router)? })
    }

    /// From the forge output folder [`ENV_OUT`] names, if set (the contracts
    /// [`ENV_CONTRACTS`] lists, else [`MODULES`] and [`ROUTER`]); else [`Self::embedded`].
    pub fn from_env() -> Result<Self, Error> {
        let Some(dir) = std::env::var_os(ENV_OUT) else { return Self::embedded() };
        match std::env::var(ENV_CONTRACTS) {
            Ok(list) => {
                let names: Vec<&str> = list.split(',').map(str::trim).filter(|s| !s.is_empty()).collect();
                let Some((router, modules)) = names.split_last() else {
                    return Err(Error::MissingArtifact { name: "(none)".into(), place: format!("{ENV_CONTRACTS} names no contract") });
                };
                Self::from_forge_out(Path::new(&dir), modules, router)
            }
            Err(_) => Self::from_forge_out(Path::new(&dir), MODULES, ROUTER),
        }
    }
}
