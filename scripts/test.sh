#!/usr/bin/env bash
# Runs every test: the Foundry suite (unit, fuzz, invariant, attacker tests; it also
# builds the artifacts the Rust side checks its committed bindings against) and the Rust
# workspace (unit, end-to-end against real anvil and real L2 processes, property tests).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
status=0
forge=contracts/bin/forge
echo "== forge test" >&2
"$forge" test || status=1
# Fuzz and invariant gas depends on the inputs forge draws, which differ between checkouts
# even with a fixed seed, so only the deterministic tests are snapshotted.
snapshot_filter=(--no-match-test 'testFuzz_|invariant_')
echo "== forge snapshot --check (the committed .gas-snapshot must be current)" >&2
"$forge" snapshot --check "${snapshot_filter[@]}" >/dev/null || { echo "gas snapshot is stale: run contracts/bin/forge snapshot --no-match-test 'testFuzz_|invariant_'" >&2; status=1; }
if cargo fmt --version >/dev/null 2>&1; then
  echo "== cargo fmt --check (rustfmt.toml)" >&2
  cargo fmt --check >/dev/null || { echo "unformatted Rust: run cargo fmt" >&2; status=1; }
else
  echo "== cargo fmt: rustfmt is not installed, formatting not checked" >&2
fi
# FAULTLINE_VM_L1=1: the node-block, bounds and wire-vector tests also run every step
# through the Solidity verifier (deployed in revm under Osaka) and require its post to
# equal Rust's (docs/verifier.md, "Driving the verifier from Rust").
echo "== cargo test (with the L1 verifier on every checked step)" >&2
FAULTLINE_VM_L1=1 cargo test --locked --workspace --no-fail-fast || status=1
# The same differential over a sample of the state-test corpus (the whole corpus is
# scripts/vm-corpus.py --l1; docs/verifier.md reports its figures). The fixtures live
# beside the checkout (../shared/fixtures), as crates/vm-statetest's tests expect, or
# where FAULTLINE_STATE_TESTS says.
fixtures=${FAULTLINE_STATE_TESTS:-../shared/fixtures/ethereum-tests/GeneralStateTests}
if [ -d "$fixtures" ]; then
  echo "== faultline vm statetest --l1 (14 state-test folders)" >&2
  folders=(stExample VMTests/vmBitwiseLogicOperation VMTests/vmIOandFlowOperations VMTests/vmTests stShift stChainId
    stSLoadTest stSelfBalance stLogTests stCallCodes stCodeCopyTest stInitCodeTest stRefundTest stDelegatecallTestHomestead)
  cargo run --locked -q -p faultline -- vm statetest --l1 "${folders[@]/#/$fixtures/}" | tail -3 || status=1
else
  echo "== faultline vm statetest --l1: no state tests at $fixtures, not run" >&2
fi
exit $status
