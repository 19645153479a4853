//! Vectors of the two tree accesses (docs/fault-vm.md, "Word trees", "Keyed trees",
//! "Witness wire format" tags 0x01 and 0x02) for the Solidity twins
//! `contracts/src/vm/lib/WordTree.sol` and `contracts/src/vm/lib/Smt.sol` (tested in
//! `contracts/test/vm/WordTree.t.sol` and `contracts/test/vm/Smt.t.sol`).
//!
//! Every access is made by vm-core's own prover side (`WordTree::prove_range`,
//! `FullSmt::prove`), written by `witness::encode` inside a witness and cut out with
//! `witness::layout` (tag byte first), and checked by the reference step's own calls
//! (`Io::read` / `write` / `account` / `put_account` / `sub` / `set_sub` over a witness
//! `Io`), so the expected results are what the Rust verifier computes:
//!
//! - `ranges`: a byte range `[at, at + len)` of a tree with `root`, its range access, the
//!   bytes `read`, and the root after writing `data` there;
//! - `badRanges`: range accesses the decoder refuses (`malformed`) or the step refuses
//!   for the range `[at, at + len)` of `root` (`missing`);
//! - `smt`: keyed-tree reads and writes (`op`: `read` a slot or substate word, `readAccount`,
//!   `write` a word, zero deleting, `writeAccount`, an empty record deleting) in a tree of
//!   every shape rule: insert into the empty tree, delete at the root, split at depth 0 and
//!   below a long shared prefix, modify, delete with an internal and with a leaf sibling
//!   (moving up several levels), delete of an absent key; and the refusals (`unused`,
//!   `missing`);
//! - `badSmt`: keyed-tree accesses the decoder refuses.
//!
//! `FAULTLINE_WRITE_VECTORS=1 cargo test -p faultline-vm-core --test tree_vectors` writes
//! `docs/vectors/vm/trees.json`; otherwise the committed file must equal the generated one.

use alloy_primitives::{hex, keccak256, Address, B256, U256};
use faultline_state::{
    smt::{self, Node},
    AccountRecord,
};
use faultline_vm_core::{
    error::StepError,
    machine::{Access, Io, Machine, Substate, Tree},
    meter::Meter,
    witness::{decode, encode, layout},
    words::{range_root, WordTree},
    world::{FullSmt, SmtAccess, World},
};
use serde_json::{json, Value};
use std::collections::VecDeque;

/// A witness machine to carry accesses: the first step of the committed step vectors
/// (only its accesses are replaced, so the access bytes do not depend on it).
fn base_machine() -> Machine {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/vectors/vm/steps.json");
    let v: Value = serde_json::from_str(&std::fs::read_to_string(path).expect("docs/vectors/vm/steps.json")).expect("json");
    let w = hex::decode(v["vectors"][0]["witness"].as_str().expect("witness")).expect("hex");
    decode(&w).expect("a valid witness")
}

struct Enc {
    m: Machine,
}

impl Enc {
    /// The bytes of `a` (tag first) as `witness::encode` writes it, checked to decode back.
    fn access(&mut self, a: Access) -> Vec<u8> {
        self.m.io = Io::witness(VecDeque::from([a]));
        let w = encode(&self.m).expect("encode");
        let lay = layout(&w).expect("the witness decodes");
        w[lay.accesses[0].clone()].to_vec()
    }

    /// A witness whose only access is these bytes.
    fn witness_with(&mut self, access: &[u8]) -> Vec<u8> {
        self.m.io = Io::witness(VecDeque::new());
        let mut w = encode(&self.m).expect("encode");
        let n = w.len();
        assert_eq!(&w[n - 2..], &[0, 0], "the access count ends a witness without accesses");
        w[n - 1] = 1;
        w.extend_from_slice(access);
        w
    }

    /// The access the bytes decode to (inside a witness), or the decoder's error code.
    fn decoded(&mut self, access: &[u8]) -> Result<Access, &'static str> {
        let w = self.witness_with(access);
        match decode(&w) {
            Ok(mut m) => match &mut m.io.mode {
                faultline_vm_core::machine::IoMode::Witness(q) => Ok(q.pop_front().expect("one access")),
                _ => unreachable!(),
            },
            Err(e) => Err(e.code()),
        }
    }
}

fn h(b: &[u8]) -> String {
    format!("0x{}", hex::encode(b))
}

fn sample(n: usize, seed: u8) -> Vec<u8> {
    (0..n).map(|i| (i as u8).wrapping_mul(151).wrapping_add(seed) | 1).collect()
}

fn witness_io(access: &[u8], enc: &mut Enc) -> Io {
    Io::witness(VecDeque::from([enc.decoded(access).expect("decodes")]))
}

// ---- ranges ----------------------------------------------------------------------

fn range_access(t: &WordTree, first: u64, count: u64) -> Access {
    let words = (first..first + count).map(|i| t.word(i)).collect();
    Access::Range { first, words, proof: t.prove_range(first, count, &mut Meter::default()) }
}

/// A range vector: bytes `[at, at + len)` of `t`, and the root after writing `data` there.
fn range_vector(enc: &mut Enc, name: &str, t: &WordTree, at: u64, data: &[u8]) -> Value {
    let len = data.len() as u64;
    let root = t.root(&mut Meter::default());
    let (first, last) = (at / 32, (at + len - 1) / 32);
    let access = enc.access(range_access(t, first, last - first + 1));
    // The reference step reads and writes through the access.
    let read = witness_io(&access, enc).read(&Tree::Proven(root), at, len as usize).expect("reads");
    assert_eq!(read, t.read(at, len as usize), "{name}: read");
    let mut tree = Tree::Proven(root);
    witness_io(&access, enc).write(&mut tree, at, data).expect("writes");
    let Tree::Proven(new_root) = tree else { unreachable!() };
    // A tree as big as the write allows: the prover's own root after the write.
    if at + len <= 1 << 24 {
        let mut after = t.clone();
        after.write(at, data);
        assert_eq!(after.root(&mut Meter::default()), new_root, "{name}: write");
    }
    json!({"name": name, "root": format!("{root}"), "at": at, "len": len, "access": h(&access),
           "read": h(&read), "data": h(data), "newRoot": format!("{new_root}")})
}

fn ranges(enc: &mut Enc) -> (Vec<Value>, Vec<Value>) {
    let small = WordTree::from_bytes(&sample(13 * 32, 7));
    let big = WordTree::from_bytes(&sample(1000 * 32 + 5, 3));
    let last = (1u64 << 32) - 1;
    let v = vec![
        range_vector(enc, "first word", &small, 0, &[0x11; 32]),
        range_vector(enc, "a word inside", &small, 5 * 32, &sample(32, 9)),
        range_vector(enc, "the last word of the tree (2^32 - 1)", &small, last * 32, &sample(32, 1)),
        range_vector(enc, "a word of the empty tree", &WordTree::default(), 77 * 32, &sample(32, 4)),
        range_vector(enc, "words across subtrees (3..9)", &small, 3 * 32, &sample(6 * 32, 2)),
        range_vector(enc, "an unaligned word (MSTORE at 45)", &small, 45, &sample(32, 5)),
        range_vector(enc, "one byte (MSTORE8)", &small, 100, &[0xab]),
        range_vector(enc, "bytes past the buffer's end", &small, 12 * 32 + 17, &sample(40, 6)),
        range_vector(enc, "a word of 1000", &big, 777 * 32, &sample(32, 8)),
        range_vector(enc, "130 unaligned bytes of 1000 words", &big, 511 * 32 + 3, &sample(130, 10)),
        range_vector(enc, "the range before the last words of the tree", &small, (last - 2) * 32 + 1, &sample(95, 12)),
        range_vector(enc, "a copy chunk of 4096 bytes", &big, 200 * 32 + 9, &sample(4096, 13)),
    ];
    // Refusals.
    let root = small.root(&mut Meter::default());
    let good = enc.access(range_access(&small, 3, 2));
    let mut bad = Vec::new();
    let mut malformed = |enc: &mut Enc, name: &str, access: Vec<u8>| {
        assert_eq!(enc.decoded(&access).err(), Some("malformed"), "{name}");
        bad.push(json!({"name": name, "access": h(&access), "error": "malformed", "root": format!("{root}"), "at": 96, "len": 64}));
    };
    let with = |f: &dyn Fn(&mut Vec<u8>)| {
        let mut a = good.clone();
        f(&mut a);
        a
    };
    malformed(enc, "no words", with(&|a| a[9..13].copy_from_slice(&0u32.to_be_bytes())));
    malformed(enc, "over 2^20 words", with(&|a| a[9..13].copy_from_slice(&((1u32 << 20) + 1).to_be_bytes())));
    malformed(enc, "more words than bytes left", with(&|a| a[9..13].copy_from_slice(&40u32.to_be_bytes())));
    malformed(enc, "past word 2^32 - 1", with(&|a| a[1..9].copy_from_slice(&((1u64 << 32) - 1).to_be_bytes())));
    malformed(enc, "a first word over u32", with(&|a| a[1..9].copy_from_slice(&u64::MAX.to_be_bytes())));
    malformed(enc, "truncated in the words", with(&|a| a.truncate(13 + 40)));
    malformed(enc, "truncated in the siblings", with(&|a| a.truncate(a.len() - 1)));
    malformed(enc, "truncated at a sibling flag", with(&|a| a.truncate(13 + 64)));
    // Words 3..4: the first sibling (word 2, present) has its flag right after the words.
    malformed(enc, "a sibling flag of 2", with(&|a| a[13 + 64] = 2));
    // The first sibling is word 2 (height 0), present; Z(0) = 0: zero it.
    malformed(
        enc,
        "a present sibling equal to the zero subtree",
        with(&|a| {
            assert_eq!(a[13 + 64], 1, "word 2 is a present sibling");
            a[13 + 65..13 + 97].fill(0);
        }),
    );
    {
        // A flag-0 sibling (an all-zero subtree above the buffer) flagged present with Z(h).
        let at = 13 + 64 + a_zero_flag(&good[13 + 64..]);
        let height = sibling_height_at(3, 2, &good[13 + 64..], at - 13 - 64);
        let z = faultline_vm_core::words::zero_hash(height);
        let mut a = good.clone();
        a.splice(at..at + 1, std::iter::once(1u8).chain(z.0));
        malformed(enc, "a sibling flagged present that is Z(h) (h > 0)", a);
    }
    malformed(enc, "an extra byte after the siblings", with(&|a| a.push(0)));

    let mut missing = |enc: &mut Enc, name: &str, access: Vec<u8>, at: u64, len: u64| {
        let mut io = witness_io(&access, enc);
        assert_eq!(io.read(&Tree::Proven(root), at, len as usize).map_err(|e| e.code()), Err("missing"), "{name}");
        bad.push(json!({"name": name, "access": h(&access), "error": "missing", "root": format!("{root}"), "at": at, "len": len}));
    };
    let other_first = enc.access(range_access(&small, 4, 2));
    missing(enc, "another first word", other_first, 96, 64);
    let fewer = enc.access(range_access(&small, 3, 1));
    missing(enc, "fewer words", fewer, 96, 64);
    missing(enc, "a word changed", with(&|a| a[20] ^= 1), 96, 64);
    missing(enc, "a sibling changed", with(&|a| a[13 + 70] ^= 1), 96, 64);
    let other_tree = enc.access(range_access(&big, 3, 2));
    missing(enc, "against another tree", other_tree, 96, 64);
    (v, bad)
}

/// Offset (in the siblings' bytes) of the first flag-0 sibling.
fn a_zero_flag(sibs: &[u8]) -> usize {
    let mut i = 0;
    loop {
        if sibs[i] == 0 {
            return i;
        }
        i += 33;
    }
}

/// The height of the sibling whose flag is at byte `off` of the siblings' bytes.
fn sibling_height_at(first: u64, count: u64, sibs: &[u8], off: usize) -> usize {
    let heights = faultline_vm_core::words::sibling_heights(first, count);
    let mut i = 0;
    for hgt in heights {
        if i == off {
            return hgt;
        }
        i += if sibs[i] == 1 { 33 } else { 1 };
    }
    panic!("no sibling at {off}")
}

// ---- keyed trees -----------------------------------------------------------------

fn crafted(prefix: &[u8], last: u8) -> B256 {
    let mut k = B256::ZERO;
    k[..prefix.len()].copy_from_slice(prefix);
    k[31] = last;
    k
}

fn record(n: u64) -> AccountRecord {
    AccountRecord { nonce: n, balance: U256::from(n) * U256::from(10u64).pow(U256::from(18)), code_hash: keccak256([n as u8]), code_size: n * 100 }
}

struct Smt {
    enc: Enc,
    t: FullSmt,
    out: Vec<Value>,
}

enum Op {
    Read(B256),
    ReadAccount(Address),
    Write(B256, B256),
    WriteAccount(Address, Option<AccountRecord>),
}

impl Smt {
    fn key(op: &Op) -> B256 {
        match op {
            Op::Read(k) | Op::Write(k, _) => *k,
            Op::ReadAccount(a) | Op::WriteAccount(a, _) => smt::account_key(a),
        }
    }

    /// The honest access of `op` against the current root.
    fn honest(&self, op: &Op) -> SmtAccess {
        let key = Self::key(op);
        let (deleting, account) = match op {
            Op::Write(_, v) => (*v == B256::ZERO, None),
            Op::WriteAccount(_, r) => (r.is_none(), None),
            Op::ReadAccount(_) => (false, self.account(&key)),
            Op::Read(_) => (false, None),
        };
        let (proof, sibling) = self.t.prove(&key, deleting).expect("prove");
        SmtAccess { proof, account, sibling }
    }

    fn account(&self, key: &B256) -> Option<AccountRecord> {
        let h = self.t.changed(key).flatten()?;
        (1..=64).map(record).find(|r| r.value_hash() == h)
    }

    /// Runs `op` through the reference step's calls with `access` and records the vector
    /// (applying an honest write to the tree).
    fn run(&mut self, name: &str, op: Op, access: SmtAccess, expect: Option<&str>) {
        let root = self.t.root().expect("root");
        let bytes = self.enc.access(Access::Smt(Box::new(access)));
        let mut io = witness_io(&bytes, &mut self.enc);
        let key = Self::key(&op);
        let mut v = json!({"name": name, "root": format!("{root}"), "key": format!("{key}"), "access": h(&bytes),
                           "account": format!("{}", Address::ZERO), "value": format!("{}", B256::ZERO), "exists": false,
                           "nonce": 0, "balance": format!("{}", B256::ZERO), "codeHash": format!("{}", B256::ZERO), "codeSize": 0,
                           "newRoot": format!("{root}"), "error": ""});
        let put_record = |v: &mut Value, r: &AccountRecord| {
            v["exists"] = json!(true);
            v["nonce"] = json!(r.nonce);
            v["balance"] = json!(format!("{}", B256::from(r.balance)));
            v["codeHash"] = json!(format!("{}", r.code_hash));
            v["codeSize"] = json!(r.code_size);
        };
        let result: Result<Option<B256>, StepError> = match &op {
            Op::Read(k) => {
                v["op"] = json!("read");
                io.sub(&Substate::Proven(root), k).map(|x| {
                    v["value"] = json!(format!("{x}"));
                    None
                })
            }
            Op::ReadAccount(a) => {
                v["op"] = json!("readAccount");
                v["account"] = json!(format!("{a}"));
                io.account(&World::Proven(root), a).map(|r| {
                    if let Some(r) = r {
                        put_record(&mut v, &r);
                    }
                    None
                })
            }
            Op::Write(k, x) => {
                v["op"] = json!("write");
                v["value"] = json!(format!("{x}"));
                let mut s = Substate::Proven(root);
                io.set_sub(&mut s, k, *x).map(|_| match s {
                    Substate::Proven(r) => Some(r),
                    _ => unreachable!(),
                })
            }
            Op::WriteAccount(a, r) => {
                v["op"] = json!("writeAccount");
                v["account"] = json!(format!("{a}"));
                if let Some(r) = r {
                    put_record(&mut v, r);
                }
                let mut w = World::Proven(root);
                io.put_account(&mut w, a, *r).map(|_| Some(w.root().expect("root")))
            }
        };
        match (result, expect) {
            (Ok(new), None) => {
                if let Some(new) = new {
                    v["newRoot"] = json!(format!("{new}"));
                    match &op {
                        Op::Write(k, x) => self.t.set(*k, (*x != B256::ZERO).then_some(*x)),
                        Op::WriteAccount(_, r) => self.t.set(key, r.map(|r| r.value_hash())),
                        _ => {}
                    }
                    assert_eq!(self.t.root().expect("root"), new, "{name}: the step's root is the tree's");
                }
            }
            (Err(e), Some(code)) => {
                assert_eq!(e.code(), code, "{name}: {e}");
                v["error"] = json!(code);
            }
            (r, want) => panic!("{name}: got {r:?}, want {want:?}"),
        }
        self.out.push(v);
    }

    fn honest_op(&mut self, name: &str, op: Op) {
        let a = self.honest(&op);
        self.run(name, op, a, None);
    }
}

fn smt_vectors(enc: Enc) -> (Vec<Value>, Vec<Value>) {
    let mut s = Smt { enc, t: FullSmt::empty(), out: Vec::new() };
    let v = |i: u8| B256::with_last_byte(i);
    let k = [crafted(&[0x00], 1), crafted(&[0x80], 2), crafted(&[0x00, 0x01], 3), crafted(&[0x00, 0x00], 4)];

    s.honest_op("insert into the empty tree", Op::Write(k[0], v(1)));
    s.honest_op("read the root leaf", Op::Read(k[0]));
    s.honest_op("delete the root leaf", Op::Write(k[0], B256::ZERO));
    s.honest_op("delete from the empty tree", Op::Write(k[0], B256::ZERO));
    s.honest_op("insert into the empty tree again", Op::Write(k[0], v(1)));
    s.honest_op("insert: split the root leaf at depth 0", Op::Write(k[1], v(2)));
    s.honest_op("insert: split below a 15-bit shared prefix", Op::Write(k[2], v(3)));
    s.honest_op("insert: split below a 31-byte shared prefix", Op::Write(k[3], v(4)));
    for i in 1..=24u64 {
        s.honest_op(&format!("insert account {i}"), Op::WriteAccount(Address::with_last_byte(i as u8), Some(record(i))));
    }
    for i in 0..40u8 {
        s.honest_op(&format!("insert word {i}"), Op::Write(keccak256([i, 0xee]), v(i + 10)));
    }
    s.honest_op("read a present word", Op::Read(k[2]));
    s.honest_op("read an absent word ending at another leaf", Op::Read(crafted(&[0x00, 0x01], 9)));
    s.honest_op("read an absent word", Op::Read(keccak256(b"absent")));
    s.honest_op("read a present account", Op::ReadAccount(Address::with_last_byte(7)));
    s.honest_op("read an absent account", Op::ReadAccount(Address::with_last_byte(0xf0)));
    s.honest_op("modify a word", Op::Write(k[0], v(7)));
    s.honest_op("modify an account", Op::WriteAccount(Address::with_last_byte(3), Some(record(33))));
    s.honest_op("delete an absent word", Op::Write(keccak256(b"absent"), B256::ZERO));

    // Deletes with each kind of sibling node.
    let mut kinds = (0, 0, 0);
    let mut delete = |s: &mut Smt, name: &str, op: Op| {
        let a = s.honest(&op);
        match a.sibling {
            Some(Node::Internal { .. }) => kinds.0 += 1,
            Some(Node::Leaf { .. }) => {
                kinds.1 += 1;
                // The leaf moves up past at least one empty sibling.
                let d = a.proof.depth as usize;
                if d >= 2 && !a.proof.bitmap.bit(255 - (d - 2)) {
                    kinds.2 += 1;
                }
            }
            None => {}
        }
        s.run(name, op, a, None);
    };
    delete(&mut s, "delete a word with an internal sibling", Op::Write(k[2], B256::ZERO));
    delete(&mut s, "delete a word whose leaf sibling moves up", Op::Write(k[3], B256::ZERO));
    delete(&mut s, "delete an account", Op::WriteAccount(Address::with_last_byte(5), None));
    for i in 0..40u8 {
        delete(&mut s, &format!("delete word {i}"), Op::Write(keccak256([i, 0xee]), B256::ZERO));
    }
    delete(&mut s, "delete the split-off leaf", Op::Write(k[1], B256::ZERO));
    assert!(kinds.0 > 0 && kinds.1 > 0 && kinds.2 > 0, "every delete shape is covered: {kinds:?}");

    // Refusals of well-formed accesses.
    let word = k[0];
    let acct = Address::with_last_byte(9);
    let node = Node::Leaf { key: word, value: v(1) };
    let rec = record(9);
    let with = |s: &mut Smt, name: &str, op: Op, f: &dyn Fn(&mut SmtAccess), code: &str| {
        let mut a = s.honest(&op);
        f(&mut a);
        s.run(name, op, a, Some(code));
    };
    with(&mut s, "a read with a sibling node", Op::Read(word), &|a| a.sibling = Some(node), "unused");
    with(&mut s, "a word read with a record", Op::Read(word), &|a| a.account = Some(rec), "unused");
    with(&mut s, "an account read with a sibling node", Op::ReadAccount(acct), &|a| a.sibling = Some(node), "unused");
    with(&mut s, "a write with a record", Op::Write(word, v(9)), &|a| a.account = Some(rec), "unused");
    with(&mut s, "an insert with a sibling node", Op::Write(keccak256(b"new"), v(9)), &|a| a.sibling = Some(node), "unused");
    with(&mut s, "a modify with a sibling node", Op::Write(word, v(9)), &|a| a.sibling = Some(node), "unused");
    with(&mut s, "a delete of an absent key with a sibling node", Op::Write(keccak256(b"absent"), B256::ZERO), &|a| a.sibling = Some(node), "unused");
    with(&mut s, "an account delete with a record", Op::WriteAccount(acct, None), &|a| a.account = Some(rec), "unused");
    with(&mut s, "a delete without its sibling node", Op::Write(word, B256::ZERO), &|a| a.sibling = None, "missing");
    with(
        &mut s,
        "a delete with another sibling node",
        Op::Write(word, B256::ZERO),
        &|a| {
            a.sibling = Some(match a.sibling.expect("a sibling") {
                Node::Leaf { key, value } => Node::Internal { left: key, right: value },
                Node::Internal { left, right } => Node::Leaf { key: left, value: right },
            })
        },
        "missing",
    );
    with(&mut s, "a read of another root", Op::Read(word), &|a| a.proof.siblings[0] = B256::repeat_byte(1), "missing");
    with(&mut s, "a read whose leaf is off the key's path", Op::Read(word), &|a| a.proof.leaf_key = B256::repeat_byte(0xff), "missing");
    with(&mut s, "a read whose leaf value changed", Op::Read(word), &|a| a.proof.leaf_value_hash = B256::repeat_byte(3), "missing");
    with(&mut s, "a write of another root", Op::Write(word, v(9)), &|a| a.proof.siblings[0] = B256::repeat_byte(1), "missing");
    with(&mut s, "an insert whose leaf is off the path", Op::Write(keccak256(b"new"), v(9)), &|a| a.proof.leaf_key = !a.proof.leaf_key, "missing");
    with(&mut s, "a present account read without its record", Op::ReadAccount(acct), &|a| a.account = None, "missing");
    with(&mut s, "an absent account read with a record", Op::ReadAccount(Address::with_last_byte(0xf1)), &|a| a.account = Some(rec), "missing");
    with(&mut s, "an account read with another record", Op::ReadAccount(acct), &|a| a.account = Some(record(10)), "missing");

    // Malformed encodings.
    let good = s.enc.access(Access::Smt(Box::new(s.honest(&Op::Read(word)))));
    let n_sibs = s.honest(&Op::Read(word)).proof.siblings.len();
    assert!(n_sibs >= 2, "a proof with siblings");
    let depth = s.honest(&Op::Read(word)).proof.depth as usize;
    let flags = 1 + 2 + 32 + 32 * n_sibs + 64;
    let mut bad = Vec::new();
    let mut malformed = |s: &mut Smt, name: &str, f: &dyn Fn(&mut Vec<u8>)| {
        let mut a = good.clone();
        f(&mut a);
        assert_eq!(s.enc.decoded(&a).err(), Some("malformed"), "{name}");
        bad.push(json!({"name": name, "access": h(&a)}));
    };
    malformed(&mut s, "depth over 256", &|a| a[1..3].copy_from_slice(&257u16.to_be_bytes()));
    malformed(&mut s, "a bitmap bit at the depth", &|a| a[3 + depth / 8] |= 0x80 >> (depth % 8));
    malformed(&mut s, "a bitmap bit below the depth", &|a| a[3 + 31] |= 1);
    malformed(&mut s, "a zero sibling", &|a| a[35 + 32..35 + 64].fill(0));
    malformed(&mut s, "more siblings than bytes", &|a| {
        a[1..3].copy_from_slice(&256u16.to_be_bytes());
        a[3..35].fill(0xff);
    });
    malformed(&mut s, "a record flag of 2", &|a| a[flags] = 2);
    malformed(&mut s, "a sibling node flag of 2", &|a| a[flags + 1] = 2);
    malformed(&mut s, "a sibling node tag of 2", &|a| {
        a[flags + 1] = 1;
        a.extend_from_slice(&[2u8; 65]);
    });
    malformed(&mut s, "a truncated record", &|a| {
        a[flags] = 1;
        a.extend_from_slice(&[0u8; 40]);
    });
    malformed(&mut s, "a truncated sibling node", &|a| {
        a[flags + 1] = 1;
        a.extend_from_slice(&[1u8; 64]);
    });
    malformed(&mut s, "truncated in the siblings", &|a| a.truncate(35 + 40));
    malformed(&mut s, "truncated before the flags", &|a| a.truncate(flags));
    malformed(&mut s, "truncated in the bitmap", &|a| a.truncate(20));
    (s.out, bad)
}

fn generate() -> Value {
    let mut enc = Enc { m: base_machine() };
    let (ranges, bad_ranges) = ranges(&mut enc);
    let (smt, bad_smt) = smt_vectors(enc);
    // Range roots agree with `range_root` over the decoded access, for the Solidity
    // `rootOf`.
    let mut e2 = Enc { m: base_machine() };
    for r in &ranges {
        let a = hex::decode(r["access"].as_str().expect("access")).expect("hex");
        let Ok(Access::Range { first, words, proof }) = e2.decoded(&a) else { panic!("a range") };
        assert_eq!(format!("{}", range_root(first, &words, &proof, &mut Meter::default()).expect("root")), r["root"].as_str().expect("root"));
    }
    json!({"spec": "docs/fault-vm.md (Word trees, Keyed trees, Witness wire format: tags 0x01, 0x02)",
           "solidity": ["contracts/src/vm/lib/WordTree.sol", "contracts/src/vm/lib/Smt.sol"],
           "ranges": ranges, "badRanges": bad_ranges, "smt": smt, "badSmt": bad_smt})
}

#[test]
fn committed_vectors_match() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/vectors/vm/trees.json");
    let text = serde_json::to_string_pretty(&generate()).expect("json") + "\n";
    if std::env::var_os("FAULTLINE_WRITE_VECTORS").is_some() {
        std::fs::write(path, &text).expect("write vectors");
    }
    let committed = std::fs::read_to_string(path).unwrap_or_else(|_| panic!("{path} missing: run with FAULTLINE_WRITE_VECTORS=1"));
    assert!(committed == text, "trees.json changed: the spec and the Solidity twins must follow (FAULTLINE_WRITE_VECTORS=1 rewrites it)");
}
