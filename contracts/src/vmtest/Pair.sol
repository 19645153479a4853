// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

interface IToken {
    function transfer(address to, uint256 amount) external returns (bool);
    function transferFrom(address from, address to, uint256 amount) external returns (bool);
    function balanceOf(address who) external view returns (uint256);
}

/// @title Pair
/// @notice A minimal constant-product pair (x·y = k, 0.3% fee) over two tokens, with a
///         transient-storage lock. A load for the fault-VM differential tests
///         (crates/fault-vm/tests/node_blocks.rs); not for any real deployment.
contract Pair {
    IToken public immutable token0;
    IToken public immutable token1;
    uint256 public reserve0;
    uint256 public reserve1;
    uint256 public totalShares;
    mapping(address => uint256) public shares;
    bool private transient locked;

    event Mint(address indexed who, uint256 amount0, uint256 amount1, uint256 minted);
    event Burn(address indexed who, uint256 amount0, uint256 amount1, uint256 burned);
    event Swap(address indexed who, bool zeroForOne, uint256 amountIn, uint256 amountOut);

    error Locked();
    error TransferFailed();
    error NoLiquidity();
    error InsufficientOutput(uint256 out, uint256 minOut);

    modifier lock() {
        if (locked) revert Locked();
        locked = true;
        _;
        locked = false;
    }

    constructor(IToken a, IToken b) {
        token0 = a;
        token1 = b;
    }

    function addLiquidity(uint256 amount0, uint256 amount1) external lock returns (uint256 minted) {
        if (!token0.transferFrom(msg.sender, address(this), amount0)) revert TransferFailed();
        if (!token1.transferFrom(msg.sender, address(this), amount1)) revert TransferFailed();
        uint256 total = totalShares;
        if (total == 0) {
            minted = _sqrt(amount0 * amount1);
        } else {
            uint256 a = amount0 * total / reserve0;
            uint256 b = amount1 * total / reserve1;
            minted = a < b ? a : b;
        }
        shares[msg.sender] += minted;
        totalShares = total + minted;
        _sync();
        emit Mint(msg.sender, amount0, amount1, minted);
    }

    function removeLiquidity(uint256 burned) external lock returns (uint256 amount0, uint256 amount1) {
        uint256 total = totalShares;
        amount0 = burned * reserve0 / total;
        amount1 = burned * reserve1 / total;
        shares[msg.sender] -= burned;
        totalShares = total - burned;
        if (!token0.transfer(msg.sender, amount0)) revert TransferFailed();
        if (!token1.transfer(msg.sender, amount1)) revert TransferFailed();
        _sync();
        emit Burn(msg.sender, amount0, amount1, burned);
    }

    function swap(bool zeroForOne, uint256 amountIn, uint256 minOut) external lock returns (uint256 out) {
        (IToken tin, IToken tout, uint256 rin, uint256 rout) =
            zeroForOne ? (token0, token1, reserve0, reserve1) : (token1, token0, reserve1, reserve0);
        if (rin == 0 || rout == 0) revert NoLiquidity();
        uint256 inWithFee = amountIn * 997;
        out = inWithFee * rout / (rin * 1000 + inWithFee);
        if (out < minOut) revert InsufficientOutput(out, minOut);
        if (!tin.transferFrom(msg.sender, address(this), amountIn)) revert TransferFailed();
        if (!tout.transfer(msg.sender, out)) revert TransferFailed();
        _sync();
        emit Swap(msg.sender, zeroForOne, amountIn, out);
    }

    function _sync() private {
        reserve0 = token0.balanceOf(address(this));
        reserve1 = token1.balanceOf(address(this));
    }

    function _sqrt(uint256 y) private pure returns (uint256 z) {
        if (y > 3) {
            z = y;
            uint256 x = y / 2 + 1;
            while (x < z) {
                z = x;
                x = (y / x + x) / 2;
            }
        } else if (y != 0) {
            z = 1;
        }
    }
}
