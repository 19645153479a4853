// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {RollupConfig} from "../../src/L1/RollupConfig.sol";

/// @notice The devnet's L2 chain parameters (`ChainConfig::devnet` in
///         crates/primitives/src/config.rs), for tests that deploy a RollupConfig.
library DevChain {
    function params() internal pure returns (RollupConfig.L2Chain memory) {
        return RollupConfig.L2Chain({
            blockGasLimit: 300_000_000,
            baseFeeFloor: 1_000_000,
            baseFeeChangeDenominator: 8,
            elasticityMultiplier: 2,
            feeRecipient: 0xfefeFEFeFEFEFEFEFeFefefefefeFEfEfefefEfe,
            sequencingWindow: 3600,
            l1BaseFeeScalar: 20_000,
            l1BlobBaseFeeScalar: 1_200_000
        });
    }
}
