// Shared set-up of the client tests: the node under test (started by tests/clients.rs,
// which passes its URL), anvil's dev keys (funded in the devnet genesis), the chain as
// viem and ethers see it, and the compiled test contract from contracts/out.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defineChain } from 'viem';

export const RPC = process.env.FAULTLINE_L2_RPC;
if (!RPC) throw new Error('FAULTLINE_L2_RPC is not set: run these through `cargo test -p faultline --test clients`');
export const REPO = process.env.FAULTLINE_REPO ?? join(import.meta.dirname, '..', '..');

/** anvil's dev keys 0-3 (mnemonic `test test ... junk`). */
export const KEYS = [
  '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80',
  '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d',
  '0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a',
  '0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6',
];

/** The preinstalled Multicall3 (docs/chain.md, "Preinstalls"). */
export const MULTICALL3 = '0xcA11bde05977b3631167028862bE2a173976CA11';

export const faultline = defineChain({
  id: 64023,
  name: 'faultline devnet',
  nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
  rpcUrls: { default: { http: [RPC] } },
  contracts: { multicall3: { address: MULTICALL3 } },
});

/** ABI and creation code of a contract built by `forge build` (contracts/out). */
export function artifact(file, name) {
  const a = JSON.parse(readFileSync(join(REPO, 'contracts', 'out', file, `${name}.json`), 'utf8'));
  return { abi: a.abi, bytecode: a.bytecode.object };
}
