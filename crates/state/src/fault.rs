//! FAULT INJECTION (tests only): a test double of the store's sync.
//!
//! [`DropUnsynced`] models a disk that loses every write made after the last fsync (a
//! power loss, or a failing disk forced read-only and remounted): at each
//! [`Store::sync`](crate::Store::sync) it copies the store as RocksDB has it at that
//! moment into an image directory (a RocksDB checkpoint), and
//! [`DropUnsynced::lose_unsynced`] replaces the store's directory by that image, which is
//! what a restart after such a fault finds. No production path enables it: a node turns
//! it on only with the hidden `--fault-drop-unsynced` flag.

use crate::StoreError;
use rocksdb::{checkpoint::Checkpoint, DB};
use std::path::{Path, PathBuf};

/// Keeps an image of the store as of its last sync (see the module comment).
#[derive(Debug)]
pub struct DropUnsynced {
    image: PathBuf,
}

fn io(what: &'static str) -> impl FnOnce(std::io::Error) -> StoreError {
    move |source| StoreError::Io { what, source }
}

impl DropUnsynced {
    pub(crate) fn new(image: &Path) -> Self {
        Self { image: image.to_path_buf() }
    }

    /// Replaces the image by a checkpoint of `db` (called right after the WAL fsync).
    pub(crate) fn synced(&self, db: &DB) -> Result<(), StoreError> {
        let next = self.image.with_extension("next");
        let old = self.image.with_extension("old");
        for stale in [&next, &old] {
            if stale.exists() {
                std::fs::remove_dir_all(stale).map_err(io("removing a stale fault image"))?;
            }
        }
        Checkpoint::new(db)?.create_checkpoint(&next)?;
        if self.image.exists() {
            std::fs::rename(&self.image, &old).map_err(io("moving the previous fault image"))?;
        }
        std::fs::rename(&next, &self.image).map_err(io("installing the fault image"))?;
        if old.exists() {
            std::fs::remove_dir_all(&old).map_err(io("removing the previous fault image"))?;
        }
        Ok(())
    }

    /// The fault: replaces the (closed) store in `db_dir` by `image`, the store as of its
    /// last sync; every write after that sync is lost.
    pub fn lose_unsynced(db_dir: &Path, image: &Path) -> Result<(), StoreError> {
        if !image.exists() {
            return Err(StoreError::Io { what: "no fault image to restore", source: std::io::ErrorKind::NotFound.into() });
        }
        if db_dir.exists() {
            std::fs::remove_dir_all(db_dir).map_err(io("removing the store that loses its unsynced writes"))?;
        }
        std::fs::rename(image, db_dir).map_err(io("restoring the fault image"))
    }
}
