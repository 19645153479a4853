// viem's OP Stack L1 fee actions against a faultline L2 (docs/chain.md, "L1 fee"):
// estimateL1Fee reads the GasPriceOracle predeploy, estimateTotalFee adds the L2 gas,
// and a sent transfer's receipt carries l1Fee, which getL1Fee of its signed bytes equals
// while the L1 values have not moved.
//
// Run against a devnet: FAULTLINE_L2_RPC=http://127.0.0.1:9545
//   FAULTLINE_PRIVATE_KEY=0x<funded L2 key> node --test tests/clients/l1fee.test.mjs
// (to be wired into the npm-pinned client suite of tests/clients/ at merge).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPublicClient, createWalletClient, defineChain, http, parseGwei, keccak256 } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { publicActionsL2, walletActionsL2 } from 'viem/op-stack';

const rpc = process.env.FAULTLINE_L2_RPC ?? 'http://127.0.0.1:9545';
const key = process.env.FAULTLINE_PRIVATE_KEY;
const ORACLE = '0x420000000000000000000000000000000000000F';
const VAULT = '0x420000000000000000000000000000000000001A';
const oracleAbi = [
  { type: 'function', name: 'getL1Fee', stateMutability: 'view', inputs: [{ name: 'data', type: 'bytes' }], outputs: [{ type: 'uint256' }] },
  { type: 'function', name: 'l1BaseFee', stateMutability: 'view', inputs: [], outputs: [{ type: 'uint256' }] },
  { type: 'function', name: 'blobBaseFee', stateMutability: 'view', inputs: [], outputs: [{ type: 'uint256' }] },
  { type: 'function', name: 'baseFeeScalar', stateMutability: 'view', inputs: [], outputs: [{ type: 'uint32' }] },
  { type: 'function', name: 'blobBaseFeeScalar', stateMutability: 'view', inputs: [], outputs: [{ type: 'uint32' }] },
];

async function setup() {
  const transport = http(rpc);
  const probe = createPublicClient({ transport });
  const id = await probe.getChainId();
  const chain = defineChain({
    id,
    name: 'faultline',
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [rpc] } },
    contracts: { gasPriceOracle: { address: ORACLE } },
  });
  const account = privateKeyToAccount(key);
  const pub = createPublicClient({ chain, transport }).extend(publicActionsL2());
  const wallet = createWalletClient({ chain, transport, account }).extend(walletActionsL2());
  return { pub, wallet, account };
}

test('estimateL1Fee and estimateTotalFee answer through the GasPriceOracle', { skip: !key && 'FAULTLINE_PRIVATE_KEY not set' }, async () => {
  const { pub, account } = await setup();
  const req = { account, to: '0x000000000000000000000000000000000000b0b0', value: 1n, chain: pub.chain };
  const l1 = await pub.estimateL1Fee(req);
  assert.ok(l1 > 0n, `estimateL1Fee = ${l1}`);
  const total = await pub.estimateTotalFee(req);
  assert.ok(total > l1, `estimateTotalFee ${total} includes the L2 gas beyond ${l1}`);
  assert.ok((await pub.readContract({ address: ORACLE, abi: oracleAbi, functionName: 'baseFeeScalar' })) > 0);
});

test('a transfer pays l1Fee, its receipt says so, and getL1Fee of its signed bytes agrees', { skip: !key && 'FAULTLINE_PRIVATE_KEY not set' }, async () => {
  const { pub, wallet, account } = await setup();
  const nonce = await pub.getTransactionCount({ address: account.address, blockTag: 'pending' });
  const request = await wallet.prepareTransactionRequest({
    to: '0x000000000000000000000000000000000000b0b0',
    value: 1n,
    nonce,
    gas: 21000n,
    maxFeePerGas: parseGwei('2'),
    maxPriorityFeePerGas: 1n,
  });
  const signed = await wallet.signTransaction(request);
  const vaultBefore = await pub.getBalance({ address: VAULT });
  const balanceBefore = await pub.getBalance({ address: account.address });
  const hash = await pub.sendRawTransaction({ serializedTransaction: signed });
  assert.equal(hash, keccak256(signed));
  const receipt = await pub.waitForTransactionReceipt({ hash });
  const raw = await pub.request({ method: 'eth_getTransactionReceipt', params: [hash] });
  for (const f of ['l1Fee', 'l1GasUsed', 'l1GasPrice', 'l1BlobBaseFee', 'l1BaseFeeScalar', 'l1BlobBaseFeeScalar']) {
    assert.match(raw[f], /^0x[0-9a-f]+$/, `receipt field ${f}`);
  }
  const l1Fee = BigInt(raw.l1Fee);
  assert.ok(l1Fee > 0n);
  // getL1Fee of the signed bytes at the receipt's block equals l1Fee.
  const atBlock = await pub.readContract({ address: ORACLE, abi: oracleAbi, functionName: 'getL1Fee', args: [signed], blockNumber: receipt.blockNumber });
  assert.equal(atBlock, l1Fee);
  const balanceAfter = await pub.getBalance({ address: account.address, blockNumber: receipt.blockNumber });
  const vaultAfter = await pub.getBalance({ address: VAULT, blockNumber: receipt.blockNumber });
  if (receipt.blockNumber > 0n) {
    // Exact when this transfer is the block's only one from these accounts.
    assert.ok(vaultAfter - vaultBefore >= l1Fee);
    assert.ok(balanceBefore - balanceAfter >= receipt.gasUsed * receipt.effectiveGasPrice + l1Fee + 1n);
  }
});
