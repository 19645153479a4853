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
echo "== forge snapshot --check (the committed .gas-snapshot must be current)" >&2
"$forge" snapshot --check >/dev/null || { echo "gas snapshot is stale: run contracts/bin/forge snapshot" >&2; status=1; }
echo "== cargo test" >&2
cargo test --locked --workspace --no-fail-fast || status=1
exit $status
