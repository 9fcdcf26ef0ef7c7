//! Web Storage behind the [`Storage`] seam, through a small JavaScript adapter that catches
//! every exception (an exception unwinding through wasm would leave the core mid-change).

use wasm_bindgen::prelude::*;

use crate::storage::{Storage, StorageError};

#[wasm_bindgen]
extern "C" {
    /// `{ get(key): string | null | false, set(key, value): 0 | 1 | 2, remove(key): 0 | 1 | 2 }`:
    /// `false` and `2` mean the storage threw, `1` that it is full (`QuotaExceededError`).
    #[derive(Debug)]
    pub type StorageArea;
    #[wasm_bindgen(method)]
    fn get(this: &StorageArea, key: &str) -> JsValue;
    #[wasm_bindgen(method)]
    fn set(this: &StorageArea, key: &str, value: &str) -> u8;
    #[wasm_bindgen(method)]
    fn remove(this: &StorageArea, key: &str) -> u8;
}

fn status(code: u8) -> Result<(), StorageError> {
    match code {
        0 => Ok(()),
        1 => Err(StorageError::Full),
        _ => Err(StorageError::Unavailable),
    }
}

impl Storage for StorageArea {
    fn get(&self, key: &str) -> Result<Option<String>, StorageError> {
        let value = StorageArea::get(self, key);
        match value.as_string() {
            Some(text) => Ok(Some(text)),
            None if value.is_null() => Ok(None),
            None => Err(StorageError::Unavailable),
        }
    }

    fn set(&self, key: &str, value: &str) -> Result<(), StorageError> {
        status(StorageArea::set(self, key, value))
    }

    fn remove(&self, key: &str) -> Result<(), StorageError> {
        status(StorageArea::remove(self, key))
    }
}
