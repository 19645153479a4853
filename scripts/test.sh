#!/usr/bin/env bash
# Runs every test: the Rust workspace (unit, end-to-end against real anvil and real L2
# processes, property tests) and the Foundry suite (unit, fuzz, invariant).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
status=0
cargo test --locked --workspace --no-fail-fast || status=1
if [ -x contracts/node_modules/.bin/forge ] && [ -f foundry.toml ]; then
  contracts/node_modules/.bin/forge test || status=1
fi
exit $status
