//! The storage seam: a tiny key-value trait, the browser's `localStorage` behind it in the
//! page, and [`MemoryStorage`] in tests.

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::rc::Rc;

/// Why storage refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StorageError {
    /// Storage cannot be used at all (`SecurityError`, disabled, or it threw).
    Unavailable,
    /// `setItem` threw `QuotaExceededError`.
    Full,
}

/// String key-value storage with the semantics of the Web Storage API.
pub trait Storage {
    /// Reads a value.
    fn get(&self, key: &str) -> Result<Option<String>, StorageError>;
    /// Writes a value.
    fn set(&self, key: &str, value: &str) -> Result<(), StorageError>;
    /// Removes a value (removing a missing key is not an error).
    fn remove(&self, key: &str) -> Result<(), StorageError>;
}

/// In-memory storage for tests, shareable between keepers (two "tabs") and able to fail on
/// demand. Clones share the same data.
///
/// ```
/// use session_keeper::storage::{MemoryStorage, Storage, StorageError};
/// let s = MemoryStorage::default();
/// s.set("k", "v").unwrap();
/// assert_eq!(s.get("k").unwrap().as_deref(), Some("v"));
/// s.fail_writes(Some(StorageError::Full));
/// assert_eq!(s.set("k", "w"), Err(StorageError::Full));
/// ```
#[derive(Debug, Clone, Default)]
pub struct MemoryStorage {
    data: Rc<RefCell<BTreeMap<String, String>>>,
    fail_reads: Rc<Cell<bool>>,
    fail_writes: Rc<Cell<Option<StorageError>>>,
    writes: Rc<Cell<u32>>,
    removes: Rc<Cell<u32>>,
    changes: Rc<RefCell<Vec<Change>>>,
}

/// A change as other tabs would see it in a `storage` event: the key and its new value
/// (`None` when removed). Like the browser, only real changes are recorded.
pub type Change = (String, Option<String>);

impl MemoryStorage {
    /// Makes every read and removal fail with [`StorageError::Unavailable`] (or stop failing).
    pub fn fail_reads(&self, fail: bool) {
        self.fail_reads.set(fail);
    }

    /// Makes every write fail with this error (or stop failing).
    pub fn fail_writes(&self, error: Option<StorageError>) {
        self.fail_writes.set(error);
    }

    /// How many `set` calls succeeded.
    pub fn writes(&self) -> u32 {
        self.writes.get()
    }

    /// How many `remove` calls removed an existing key.
    pub fn removes(&self) -> u32 {
        self.removes.get()
    }

    /// The changes since the last call, oldest first: what other tabs' `storage` events
    /// would carry.
    pub fn take_changes(&self) -> Vec<Change> {
        std::mem::take(&mut *self.changes.borrow_mut())
    }

    /// Every key present.
    pub fn keys(&self) -> Vec<String> {
        self.data.borrow().keys().cloned().collect()
    }
}

impl Storage for MemoryStorage {
    fn get(&self, key: &str) -> Result<Option<String>, StorageError> {
        if self.fail_reads.get() {
            return Err(StorageError::Unavailable);
        }
        Ok(self.data.borrow().get(key).cloned())
    }

    fn set(&self, key: &str, value: &str) -> Result<(), StorageError> {
        if let Some(error) = self.fail_writes.get() {
            return Err(error);
        }
        let old = self.data.borrow_mut().insert(key.to_owned(), value.to_owned());
        self.writes.set(self.writes.get() + 1);
        if old.as_deref() != Some(value) {
            self.changes.borrow_mut().push((key.to_owned(), Some(value.to_owned())));
        }
        Ok(())
    }

    fn remove(&self, key: &str) -> Result<(), StorageError> {
        if self.fail_reads.get() {
            return Err(StorageError::Unavailable);
        }
        if self.data.borrow_mut().remove(key).is_some() {
            self.removes.set(self.removes.get() + 1);
            self.changes.borrow_mut().push((key.to_owned(), None));
        }
        Ok(())
    }
}
