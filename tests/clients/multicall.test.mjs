// viem's multicall batching against the preinstalled Multicall3: explicit multicall()
// and a client that batches every eth_call through it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPublicClient, http, parseAbi } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { KEYS, MULTICALL3, RPC, faultline } from './common.mjs';

const abi = parseAbi([
  'function getEthBalance(address) view returns (uint256)',
  'function getChainId() view returns (uint256)',
  'function getBlockNumber() view returns (uint256)',
]);
const accounts = KEYS.map((k) => privateKeyToAccount(k).address);

test('Multicall3 is preinstalled', async () => {
  const client = createPublicClient({ chain: faultline, transport: http(RPC) });
  const code = await client.getCode({ address: MULTICALL3 });
  assert.ok(code && code.length > 2, 'code at 0xcA11…CA11');
});

test('viem multicall() answers through Multicall3', async () => {
  const client = createPublicClient({ chain: faultline, transport: http(RPC) });
  const results = await client.multicall({
    contracts: [
      ...accounts.map((a) => ({ address: MULTICALL3, abi, functionName: 'getEthBalance', args: [a] })),
      { address: MULTICALL3, abi, functionName: 'getChainId' },
    ],
    allowFailure: false,
  });
  for (const [i, a] of accounts.entries()) {
    assert.equal(results[i], await client.getBalance({ address: a }));
  }
  assert.equal(results[accounts.length], 64023n);
});

test('a viem client with batch.multicall folds concurrent reads into Multicall3', async () => {
  const client = createPublicClient({ chain: faultline, transport: http(RPC), batch: { multicall: true } });
  const reads = accounts.map((a) => client.readContract({ address: MULTICALL3, abi, functionName: 'getEthBalance', args: [a] }));
  const balances = await Promise.all(reads);
  for (const [i, a] of accounts.entries()) {
    assert.equal(balances[i], await client.getBalance({ address: a }));
  }
});
