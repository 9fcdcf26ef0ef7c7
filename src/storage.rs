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
}

impl MemoryStorage {
    /// Makes every read fail with [`StorageError::Unavailable`] (or stop failing).
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
        self.data.borrow_mut().insert(key.to_owned(), value.to_owned());
        self.writes.set(self.writes.get() + 1);
        Ok(())
    }

    fn remove(&self, key: &str) -> Result<(), StorageError> {
        if self.data.borrow_mut().remove(key).is_some() {
            self.removes.set(self.removes.get() + 1);
        }
        Ok(())
    }
}
