// Back-to-back sends from one account, each sent while the one before waits in the pool
// (the node seals a block a second): viem's writeContract estimates with the nonce it
// will use, ethers with the pending nonce. Both used to fail with `nonce too high`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPublicClient, createWalletClient, http, parseEther } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { ethers } from 'ethers';
import { KEYS, RPC, artifact, faultline } from './common.mjs';

const publicClient = createPublicClient({ chain: faultline, transport: http(RPC), pollingInterval: 200 });

async function sendAndCheck(provider, signer, n) {
  const to = ethers.Wallet.createRandom().address;
  const sent = [];
  for (let i = 0; i < n; i++) {
    sent.push(await signer.sendTransaction({ to, value: parseEther('0.001') }));
  }
  const receipts = await Promise.all(sent.map((tx) => tx.wait()));
  assert.ok(receipts.every((r) => r.status === 1));
  assert.equal(await provider.getBalance(to), parseEther('0.001') * BigInt(n));
}

for (const n of [2, 10]) {
  test(`viem: ${n} writeContract calls without waiting, all included`, async () => {
    const account = privateKeyToAccount(KEYS[0]);
    const wallet = createWalletClient({ account, chain: faultline, transport: http(RPC) });
    const { abi, bytecode } = artifact('BenchToken.sol', 'BenchToken');
    const deploy = await wallet.deployContract({ abi, bytecode });
    const { contractAddress: token } = await publicClient.waitForTransactionReceipt({ hash: deploy });
    const hashes = [];
    for (let i = 0; i < n; i++) {
      hashes.push(await wallet.writeContract({ address: token, abi, functionName: 'mint', args: [1n] }));
    }
    const pending = await publicClient.getTransactionCount({ address: account.address, blockTag: 'pending' });
    const receipts = await Promise.all(hashes.map((hash) => publicClient.waitForTransactionReceipt({ hash })));
    assert.ok(receipts.every((r) => r.status === 'success'));
    assert.equal(await publicClient.readContract({ address: token, abi, functionName: 'balanceOf', args: [account.address] }), BigInt(n));
    assert.equal(await publicClient.getTransactionCount({ address: account.address }), pending);
  });

  // ethers dedupes identical requests for 250 ms (`cacheTimeout`), which would hand the
  // second send the first one's pending nonce; a wallet sending back to back turns that
  // off or keeps its own count (NonceManager). Both must get through the node.
  test(`ethers: ${n} Wallet.sendTransaction calls without waiting, all included`, async () => {
    const provider = new ethers.JsonRpcProvider(RPC, undefined, { staticNetwork: true, pollingInterval: 200, cacheTimeout: -1 });
    await sendAndCheck(provider, new ethers.Wallet(KEYS[1], provider), n);
  });

  test(`ethers: ${n} sends through a NonceManager without waiting, all included`, async () => {
    const provider = new ethers.JsonRpcProvider(RPC, undefined, { staticNetwork: true, pollingInterval: 200 });
    await sendAndCheck(provider, new ethers.NonceManager(new ethers.Wallet(KEYS[2], provider)), n);
  });
}
