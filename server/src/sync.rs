//! Lock helper shared by the in-memory stores.

use std::sync::{Mutex, MutexGuard, PoisonError};

/// Locks `mutex`, ignoring poisoning: every critical section in this crate leaves the data
/// consistent before anything that could panic, so a panic elsewhere must not take the whole
/// server down with it.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}
