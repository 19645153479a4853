// Fees and estimates on a fresh chain, where the base fee falls block by block: a legacy
// price from eth_gasPrice must pass the node's own estimate and pool, and a plain
// transfer estimates exactly 21,000 gas, as on geth and anvil.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPublicClient, createWalletClient, http, parseEther } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { ethers } from 'ethers';
import { KEYS, RPC, faultline } from './common.mjs';

const publicClient = createPublicClient({ chain: faultline, transport: http(RPC), pollingInterval: 200 });
const provider = new ethers.JsonRpcProvider(RPC, undefined, { staticNetwork: true, pollingInterval: 200 });

async function baseFeeIsFalling() {
  let head = await publicClient.getBlock();
  while (head.number < 2n) {
    await new Promise((r) => setTimeout(r, 200));
    head = await publicClient.getBlock();
  }
  const parent = await publicClient.getBlock({ blockNumber: head.number - 1n });
  return head.baseFeePerGas < parent.baseFeePerGas;
}

test('ethers: a legacy send at eth_gasPrice while the base fee falls', async () => {
  assert.ok(await baseFeeIsFalling(), 'a fresh chain of empty blocks has a falling base fee');
  const wallet = new ethers.Wallet(KEYS[0], provider);
  const { gasPrice } = await provider.getFeeData();
  const head = await publicClient.getBlock();
  assert.ok(gasPrice > head.baseFeePerGas, `eth_gasPrice ${gasPrice} above the head's base fee ${head.baseFeePerGas}`);
  const to = ethers.Wallet.createRandom().address;
  assert.equal(await provider.estimateGas({ from: wallet.address, to, value: 1n, gasPrice, type: 0 }), 21000n);
  const tx = await wallet.sendTransaction({ to, value: parseEther('0.01'), type: 0, gasPrice });
  const receipt = await tx.wait();
  assert.equal(receipt.status, 1);
  assert.equal(receipt.type, 0);
});

test('viem: a legacy send while the base fee falls', async () => {
  assert.ok(await baseFeeIsFalling());
  const wallet = createWalletClient({ account: privateKeyToAccount(KEYS[1]), chain: faultline, transport: http(RPC) });
  const hash = await wallet.sendTransaction({ to: privateKeyToAccount(KEYS[3]).address, value: 1n, type: 'legacy' });
  const receipt = await publicClient.waitForTransactionReceipt({ hash });
  assert.equal(receipt.status, 'success');
  assert.equal(receipt.type, 'legacy');
});

test('a plain transfer estimates exactly 21,000 gas (viem, ethers; new and existing recipient)', async () => {
  const from = privateKeyToAccount(KEYS[2]).address;
  for (const to of [ethers.Wallet.createRandom().address, privateKeyToAccount(KEYS[0]).address]) {
    assert.equal(await publicClient.estimateGas({ account: from, to, value: parseEther('1') }), 21000n);
    assert.equal(await provider.estimateGas({ from, to, value: parseEther('1') }), 21000n);
  }
});
