// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Portal} from "../../src/L1/Portal.sol";
import {OracleFixtures} from "../helpers/OracleFixtures.sol";

/// @notice The portal's accumulator equals the one the Rust side computes
///         (docs/vectors/chunked.json, `Deposit::accumulate` in crates/primitives): a
///         chain of deposits from index 0 whose data straddle the chunked hash's
///         boundaries (0, 4352, 4353 and 8704 bytes), each deposited in its L1 block.
contract PortalVectorsTest is OracleFixtures {
    function setUp() public {
        _deployRollup();
    }

    function test_rustVectors_sameAccumulator() public {
        string memory json = vm.readFile("docs/vectors/chunked.json");
        uint256 n;
        while (vm.keyExistsJson(json, string.concat(".deposits[", vm.toString(n), "]"))) ++n;
        assertGt(n, 3, "deposits");
        uint256 longest;
        for (uint256 i = 0; i < n; ++i) {
            string memory p = string.concat(".deposits[", vm.toString(i), "]");
            assertEq(vm.parseJsonUint(json, string.concat(p, ".index")), i, "a chain from index 0");
            address from = vm.parseJsonAddress(json, string.concat(p, ".from"));
            address to = vm.parseJsonAddress(json, string.concat(p, ".to"));
            uint256 mint = vm.parseJsonUint(json, string.concat(p, ".mint"));
            uint256 value = vm.parseJsonUint(json, string.concat(p, ".value"));
            // forge-lint: disable-next-line(unsafe-typecast) the vectors' values fit
            uint64 gasLimit = uint64(vm.parseJsonUint(json, string.concat(p, ".gasLimit")));
            // forge-lint: disable-next-line(unsafe-typecast) the vectors' values fit
            uint64 l1Block = uint64(vm.parseJsonUint(json, string.concat(p, ".l1BlockNumber")));
            bytes memory data = vm.parseJsonBytes(json, string.concat(p, ".data"));
            bytes32 acc = vm.parseJsonBytes32(json, string.concat(p, ".accumulator"));
            if (data.length > longest) longest = data.length;

            vm.roll(l1Block);
            vm.deal(from, mint);
            vm.expectEmit(address(portal));
            emit Portal.DepositQueued(i, from, to, mint, value, gasLimit, l1Block, data, acc);
            vm.prank(from, from); // an EOA: not aliased
            portal.depositTransaction{value: mint}(to, value, gasLimit, data);
            assertEq(portal.accumulator(i), acc, string.concat("accumulator ", vm.toString(i)));
        }
        assertEq(portal.depositCount(), n);
        assertGt(longest, 2 * 4352 - 1, "data of two whole chunks");
    }
}
