#!/usr/bin/env bash
# Brings the whole faultline devnet up from a fresh clone: installs what is missing,
# builds, and runs `faultline devnet` (anvil as L1, the L2 sequencer with its RocksDB data
# dir in ./data, JSON-RPC on http://127.0.0.1:9545). Extra flags go to `faultline devnet`
# (see `faultline devnet --help`). Ctrl-C stops it; running it again continues the chain.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
cargo build --locked -p faultline
exec "${CARGO_TARGET_DIR:-target}/debug/faultline" devnet "$@"
