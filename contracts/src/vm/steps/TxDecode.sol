// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

// Rust twin: crates/vm-core/src/txdecode.rs (`header`, `item`, `uint`, `string`, `kind`,
// `decode_prefix`, `list_payload`, `decode_access_item_head`, `decode_storage_key`,
// `decode_signature`, `encode_uint`, `list_header`, `ecrecover_input`, `recover`), the
// pieces of a batch entry the input steps read. Vectors: docs/vectors/vm/l1-inputs.json
// (tx-open-*, tx-access-*, tx-signature-*, tx-sign-hash*, blob-tx-chunk-*).
//
// The decoder reads a *window* of the entry: bytes `[base, len)` of it held in `data`
// (`data[i - base]` is byte `i`), as Rust's `window` places them at their positions in a
// buffer of `len` bytes with zeros before `base`. Every read of the Rust decoder is at or
// past the position it is called with, so the zeros before `base` are never read and the
// window never allocates them.

import {TxCtx} from "../Machine.sol";

/// @notice Bytes `[base, len)` of an entry, `data[i - base]` being byte `i`
///         (`len <= base + data.length`).
struct Buf {
    bytes data;
    uint256 base;
    uint256 len;
}

/// @notice What `decode_signature` reads (`ok == false`: skip).
struct Sig {
    bool ok;
    bool yParity;
    bool hasChainId;
    uint256 chainId;
    uint256 r;
    uint256 s;
}

/// @title TxDecode
/// @notice A batch entry decoded in the machine's three bounded pieces, canonical RLP as
///         alloy-rlp decodes it (docs/fault-vm-inputs.md, "Batch entries").
library TxDecode {
    /// @notice Most bytes of an entry before its data (`PREFIX_MAX`).
    uint256 internal constant PREFIX_MAX = 1 + 9 + 9 + 9 + 17 + 17 + 9 + 21 + 33 + 9;
    /// @notice Most bytes of a signature at an entry's end (`SIGNATURE_MAX`).
    uint256 internal constant SIGNATURE_MAX = 17 + 33 + 33;
    /// @notice Most bytes of an access-list item before its first key.
    uint256 internal constant ACCESS_ITEM_HEAD_MAX = 9 + 21 + 9;
    /// @notice Bytes of one storage key in an access list.
    uint256 internal constant STORAGE_KEY_LEN = 33;
    /// @notice secp256k1's order halved (EIP-2).
    uint256 internal constant SECP256K1N_HALF = 0x7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF5D576E7357A4501DDFE92F46681B20A0;

    uint256 private constant U64 = type(uint64).max;

    /// @notice Byte `i` of the window (`base <= i < len`, checked by the caller).
    function byteAt(Buf memory b, uint256 i) private pure returns (uint256 v) {
        unchecked {
            bytes memory d = b.data;
            uint256 j = i - b.base;
            assembly ("memory-safe") {
                v := byte(0, mload(add(add(d, 32), j)))
            }
        }
    }

    /// @notice `n` (0..32) bytes from `i` as a big-endian integer (all within the window).
    function beAt(Buf memory b, uint256 i, uint256 n) private pure returns (uint256 v) {
        unchecked {
            if (n == 0) return 0;
            bytes memory d = b.data;
            uint256 j = i - b.base;
            assembly ("memory-safe") {
                v := shr(sub(256, shl(3, n)), mload(add(add(d, 32), j)))
            }
        }
    }

    /// @notice `header`: the item header at `at` whose bytes lie in the window and whose
    ///         payload must end by `limit` (which may be past the window).
    function header(Buf memory b, uint256 at, uint256 limit)
        internal
        pure
        returns (bool ok, bool list, uint256 start, uint256 len)
    {
        bytes memory d = b.data;
        uint256 base = b.base;
        uint256 blen = b.len;
        assembly ("memory-safe") {
            // One pass; `break` is a failure (ok stays false).
            for {} 1 {} {
                if or(or(iszero(lt(at, limit)), iszero(lt(at, blen))), lt(at, base)) { break }
                let p := add(add(d, 32), sub(at, base))
                let x := byte(0, mload(p))
                list := gt(x, 0xbf)
                // Bytes of a long form's length (0 for the short forms).
                let lol := 0
                if gt(x, 0xf7) { lol := sub(x, 0xf7) }
                if and(gt(x, 0xb7), lt(x, 0xc0)) { lol := sub(x, 0xb7) }
                switch lt(x, 0x80)
                case 1 {
                    start := at
                    len := 1
                }
                default {
                    switch lol
                    case 0 {
                        len := sub(x, add(0x80, mul(list, 0x40)))
                        if and(iszero(list), eq(len, 1)) {
                            let n := add(at, 1)
                            if or(iszero(lt(n, limit)), iszero(lt(n, blen))) { break }
                            // A single byte below 0x80 is itself.
                            if lt(byte(0, mload(add(p, 1))), 0x80) { break }
                        }
                        start := add(at, 1)
                    }
                    default {
                        start := add(add(at, 1), lol)
                        if or(gt(start, limit), gt(start, blen)) { break }
                        // No leading zero, and the shortest form.
                        if iszero(byte(0, mload(add(p, 1)))) { break }
                        len := shr(sub(256, shl(3, lol)), mload(add(p, 1)))
                        if lt(len, 56) { break }
                    }
                }
                if gt(add(start, len), limit) { break }
                ok := 1
                break
            }
        }
    }

    /// @notice `item`: a header whose payload must lie within the window too.
    function item(Buf memory b, uint256 at, uint256 limit)
        internal
        pure
        returns (bool ok, bool list, uint256 start, uint256 len)
    {
        unchecked {
            return header(b, at, limit < b.len ? limit : b.len);
        }
    }

    /// @notice `uint`: a canonical unsigned integer of at most `max` bytes.
    function uintAt(Buf memory b, uint256 at, uint256 limit, uint256 max)
        internal
        pure
        returns (bool ok, uint256 v, uint256 next)
    {
        unchecked {
            (bool k, bool list, uint256 s, uint256 l) = item(b, at, limit);
            if (!k || list || l > max) return (false, 0, 0);
            if (l > 0 && byteAt(b, s) == 0) return (false, 0, 0);
            return (true, beAt(b, s, l), s + l);
        }
    }

    /// @notice `string`: a byte string's payload and the next position.
    function stringAt(Buf memory b, uint256 at, uint256 limit)
        internal
        pure
        returns (bool ok, uint256 start, uint256 len)
    {
        unchecked {
            bool list;
            (ok, list, start, len) = item(b, at, limit);
            if (list) ok = false;
        }
    }

    /// @notice `kind`: a recipient, the empty string (create) or 20 bytes.
    function kind(Buf memory b, uint256 at, uint256 limit)
        internal
        pure
        returns (bool ok, bool hasTo, address to, uint256 next)
    {
        unchecked {
            if (at < b.len && at >= b.base && at < limit && byteAt(b, at) == 0x80) {
                return (true, false, address(0), at + 1);
            }
            (bool k, uint256 s, uint256 l) = stringAt(b, at, limit);
            if (!k || l != 20) return (false, false, address(0), 0);
            return (true, true, address(uint160(beAt(b, s, 20))), s + 20);
        }
    }

    /// @notice Piece 1 (`decode_prefix`): the type byte, the list header and the fields up
    ///         to the data's header, from `head` (the entry's first `min(len, PREFIX_MAX)`
    ///         bytes) of an entry `len` bytes long, into `t`; where the signed fields
    ///         start. `ok == false`: the entry is skipped (`t` is then partly written).
    function decodePrefix(Buf memory head, uint256 len, TxCtx memory t)
        internal
        pure
        returns (bool ok, uint256 bodyStart)
    {
        unchecked {
            if (head.len == 0) return (false, 0);
            uint256 first = byteAt(head, 0);
            uint256 listAt;
            if (first == 1 || first == 2) {
                t.txType = first;
                listAt = 1;
            } else if (first < 0xc0) {
                // A string (undecodable) or a type the L2 does not run (unsupported).
                return (false, 0);
            }
            (bool k, bool list, uint256 at, uint256 plen) = header(head, listAt, len);
            if (!k || !list || at + plen != len) return (false, 0);
            bodyStart = at;
            if (t.txType != 0) {
                (k, t.chainId, at) = uintAt(head, at, len, 8);
                if (!k) return (false, 0);
                t.hasChainId = true;
            }
            (k, t.nonce, at) = uintAt(head, at, len, 8);
            if (!k) return (false, 0);
            if (t.txType == 2) {
                (k, t.tip, at) = uintAt(head, at, len, 16);
                if (!k) return (false, 0);
                t.hasTip = true;
            }
            (k, t.maxFee, at) = uintAt(head, at, len, 16);
            if (!k) return (false, 0);
            (k, t.gasLimit, at) = uintAt(head, at, len, 8);
            if (!k) return (false, 0);
            (k, t.hasTo, t.to, at) = kind(head, at, len);
            if (!k) return (false, 0);
            (k, t.value, at) = uintAt(head, at, len, 32);
            if (!k) return (false, 0);
            (k, list, t.data.offset, t.data.len) = header(head, at, len);
            if (!k || list) return (false, 0);
            ok = true;
        }
    }

    /// @notice `list_payload`: the list header at `at` (payload ending by `limit`).
    function listPayload(Buf memory b, uint256 at, uint256 limit)
        internal
        pure
        returns (bool ok, uint256 start, uint256 len)
    {
        unchecked {
            bool list;
            (ok, list, start, len) = header(b, at, limit);
            if (!list) ok = false;
        }
    }

    /// @notice `decode_access_item_head`: the access-list item at `at` in the list
    ///         payload ending at `end`: its address, its keys' payload, the item's end.
    function accessItemHead(Buf memory b, uint256 at, uint256 end)
        internal
        pure
        returns (bool ok, address a, uint256 keysStart, uint256 keysLen, uint256 itemEnd)
    {
        unchecked {
            (bool k, bool list, uint256 s, uint256 l) = header(b, at, end);
            if (!k || !list) return (false, address(0), 0, 0, 0);
            itemEnd = s + l;
            (bool k2, uint256 as_, uint256 al) = stringAt(b, s, itemEnd);
            if (!k2 || al != 20) return (false, address(0), 0, 0, 0);
            a = address(uint160(beAt(b, as_, 20)));
            (k, list, keysStart, keysLen) = header(b, as_ + 20, itemEnd);
            if (!k || !list || keysStart + keysLen != itemEnd) return (false, address(0), 0, 0, 0);
            ok = true;
        }
    }

    /// @notice `decode_storage_key`: the key at `at` in the keys' payload ending at `end`.
    function storageKey(Buf memory b, uint256 at, uint256 end)
        internal
        pure
        returns (bool ok, uint256 key, uint256 next)
    {
        unchecked {
            (bool k, uint256 s, uint256 l) = stringAt(b, at, end);
            if (!k || l != 32) return (false, 0, 0);
            return (true, beAt(b, s, 32), s + 32);
        }
    }

    /// @notice Piece 3 (`decode_signature`): the signature at `at`, which must end the
    ///         transaction list at `end`.
    function decodeSignature(Buf memory b, uint256 at, uint256 end, uint256 txType)
        internal
        pure
        returns (Sig memory g)
    {
        unchecked {
            bool ok;
            uint256 v;
            uint256 n;
            if (txType == 0) {
                (ok, v, n) = uintAt(b, at, end, 16);
                if (!ok) return g;
                if (v == 27) {
                    g.yParity = false;
                } else if (v == 28) {
                    g.yParity = true;
                } else if (v >= 35 && (v - 35) / 2 <= U64) {
                    g.yParity = (v - 35) % 2 != 0;
                    g.hasChainId = true;
                    g.chainId = (v - 35) / 2;
                } else {
                    return g;
                }
            } else {
                (ok, v, n) = uintAt(b, at, end, 1);
                if (!ok || v > 1) return g;
                g.yParity = v == 1;
            }
            (ok, g.r, n) = uintAt(b, n, end, 32);
            if (!ok) return g;
            (ok, g.s, n) = uintAt(b, n, end, 32);
            if (!ok || n != end) return g;
            g.ok = true;
        }
    }

    /// @notice `encode_uint`: the RLP encoding of `v` (a u64).
    function encodeUint(uint256 v) internal pure returns (bytes memory out) {
        unchecked {
            if (v == 0) return hex"80";
            if (v < 0x80) return abi.encodePacked(uint8(v));
            uint256 n = byteLen(v);
            out = new bytes(n + 1);
            assembly ("memory-safe") {
                mstore8(add(out, 32), add(0x80, n))
                mstore(add(out, 33), shl(sub(256, shl(3, n)), v))
                mstore(out, add(n, 1))
            }
        }
    }

    /// @notice `list_header`: a list header for a payload of `len` bytes.
    function listHeader(uint256 len) internal pure returns (bytes memory out) {
        unchecked {
            if (len < 56) return abi.encodePacked(uint8(0xc0 + len));
            uint256 n = byteLen(len);
            out = new bytes(n + 1);
            assembly ("memory-safe") {
                mstore8(add(out, 32), add(0xf7, n))
                mstore(add(out, 33), shl(sub(256, shl(3, n)), len))
                mstore(out, add(n, 1))
            }
        }
    }

    /// @notice Bytes of `v` without leading zeros (`v > 0`).
    function byteLen(uint256 v) private pure returns (uint256 n) {
        unchecked {
            while (v != 0) {
                ++n;
                v >>= 8;
            }
        }
    }

    /// @notice The signing payload's head and tail (`decode_signature`'s `signing`) for a
    ///         body of `bodyLen` bytes.
    function signing(uint256 txType, Sig memory g, uint256 bodyLen)
        internal
        pure
        returns (bytes memory head, bytes memory tail)
    {
        unchecked {
            if (txType == 0 && g.hasChainId) {
                tail = bytes.concat(encodeUint(g.chainId), hex"8080");
                head = listHeader(bodyLen + tail.length);
            } else if (txType == 0) {
                head = listHeader(bodyLen);
            } else {
                head = bytes.concat(bytes1(uint8(txType)), listHeader(bodyLen));
            }
        }
    }

    /// @notice `recover`: the sender by the `ecrecover` precompile (0x01) of the signing
    ///         hash `h`, with EIP-2's low-s rule first (`ecrecover_input`); `ok == false`
    ///         when no sender is recovered.
    function recover(bytes32 h, bool yParity, uint256 r, uint256 s) internal view returns (bool ok, address sender) {
        unchecked {
            if (s > SECP256K1N_HALF) return (false, address(0));
            uint256 v = yParity ? 28 : 27;
            uint256 out;
            assembly ("memory-safe") {
                let p := mload(0x40)
                mstore(p, h)
                mstore(add(p, 32), v)
                mstore(add(p, 64), r)
                mstore(add(p, 96), s)
                ok := staticcall(gas(), 0x01, p, 128, p, 32)
                ok := and(ok, eq(returndatasize(), 32))
                out := mload(p)
            }
            if (ok) sender = address(uint160(out));
        }
    }
}
