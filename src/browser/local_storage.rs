//! `window.localStorage` behind the [`Storage`] seam.

use wasm_bindgen::JsValue;

use crate::storage::{Storage, StorageError};

/// The page's `localStorage`.
#[derive(Debug, Clone)]
pub(crate) struct LocalStorage(pub(crate) web_sys::Storage);

impl LocalStorage {
    /// Opens `localStorage`. Its getter throws `SecurityError` in sandboxed iframes and some
    /// webviews, and it is `null` where storage is disabled: both are `Unavailable`.
    pub(crate) fn open() -> Result<Self, StorageError> {
        let window = web_sys::window().ok_or(StorageError::Unavailable)?;
        match window.local_storage() {
            Ok(Some(storage)) => Ok(LocalStorage(storage)),
            _ => Err(StorageError::Unavailable),
        }
    }
}

impl Storage for LocalStorage {
    fn get(&self, key: &str) -> Result<Option<String>, StorageError> {
        self.0.get_item(key).map_err(|_| StorageError::Unavailable)
    }

    fn set(&self, key: &str, value: &str) -> Result<(), StorageError> {
        self.0.set_item(key, value).map_err(|e| classify(&e))
    }

    fn remove(&self, key: &str) -> Result<(), StorageError> {
        self.0.remove_item(key).map_err(|e| classify(&e))
    }
}

/// `QuotaExceededError` (a `DOMException` name; Firefox once used `NS_ERROR_DOM_QUOTA_REACHED`)
/// means full; anything else means unusable.
fn classify(error: &JsValue) -> StorageError {
    let name = js_sys::Reflect::get(error, &JsValue::from_str("name")).ok().and_then(|n| n.as_string());
    match name.as_deref() {
        Some("QuotaExceededError" | "NS_ERROR_DOM_QUOTA_REACHED") => StorageError::Full,
        _ => StorageError::Unavailable,
    }
}
