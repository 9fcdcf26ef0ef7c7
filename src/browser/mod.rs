//! The browser side: adapters for the platform seams and the `#[wasm_bindgen]` class.

mod convert;
mod http;
mod local_storage;
mod log;
mod session_keeper;
mod types;

pub use session_keeper::SessionKeeper;
