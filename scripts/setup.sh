#!/usr/bin/env bash
# Installs what faultline needs on a fresh machine, and nothing that is already there:
# - clang + libclang (Debian) for the RocksDB bindings the rocksdb crate generates;
# - the npm-pinned Foundry toolchain (forge, anvil, cast), solc (solcjs), forge-std and
#   the artifacts the L2 preinstalls are built from, from contracts/package-lock.json;
# - viem and ethers for the client tests, from tests/clients/package-lock.json.
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

# npm ci in a folder whose package-lock.json changed since its last install.
npm_ci() {
  local dir=$1 what=$2 stamp=$1/node_modules/.faultline-lock
  [ -f "$dir/package-lock.json" ] || return 0
  if ! command -v npm >/dev/null 2>&1; then
    say "npm (Node.js) is required for $what and not found"; exit 1
  fi
  if [ ! -d "$dir/node_modules" ] || ! cmp -s "$dir/package-lock.json" "$stamp"; then
    say "installing $what (npm ci in $dir/)"
    npm ci --prefix "$dir" --no-audit --no-fund --loglevel=error
    cp "$dir/package-lock.json" "$stamp"
  fi
}

npm_ci contracts "the pinned Foundry toolchain, solc and the preinstalls' artifacts"
npm_ci tests/clients "the wallet libraries the client tests run (viem, ethers)"
