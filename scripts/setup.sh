#!/usr/bin/env bash
# Installs what faultline needs on a fresh machine, and nothing that is already there:
# - clang + libclang (Debian) for the RocksDB bindings the rocksdb crate generates;
# - the npm-pinned Foundry toolchain (forge, anvil, cast), solc (solcjs) and forge-std,
#   from contracts/package-lock.json.
# Idempotent: safe to run before every command.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf 'setup: %s\n' "$*" >&2; }

if ! command -v cargo >/dev/null 2>&1; then
  say "cargo (Rust) is required and not found: install it with rustup"; exit 1
fi

if ! ls /usr/lib/llvm-*/lib/libclang*.so* >/dev/null 2>&1 || ! command -v clang >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    say "installing clang and libclang-dev (needed to build RocksDB)"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq clang libclang-dev >/dev/null
  else
    say "clang and libclang-dev are needed to build RocksDB: sudo apt-get install -y clang libclang-dev"; exit 1
  fi
fi

if [ -f contracts/package-lock.json ]; then
  if ! command -v npm >/dev/null 2>&1; then
    say "npm (Node.js) is required for the pinned Foundry toolchain and not found"; exit 1
  fi
  stamp=contracts/node_modules/.faultline-lock
  if [ ! -d contracts/node_modules/@foundry-rs/forge ] || ! cmp -s contracts/package-lock.json "$stamp"; then
    say "installing the pinned Foundry toolchain and solc (npm ci in contracts/)"
    npm ci --prefix contracts --no-audit --no-fund --loglevel=error
    cp contracts/package-lock.json "$stamp"
  fi
fi
