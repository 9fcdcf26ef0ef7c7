//! The wasm boundary: [`Core`], the one class JavaScript talks to, and the storage adapter
//! behind the [`Storage`](crate::storage::Storage) seam. Strings and numbers cross it, nothing
//! else; the page's timers, listeners and `fetch` live in the JavaScript shell
//! (`pkg-template/src/`, bundled into the package's `session_keeper.js`).

mod core;
mod storage_area;

pub use self::core::Core;
pub use storage_area::StorageArea;
