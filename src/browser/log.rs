//! The logger: silent unless the app asks (`logLevel`), and never given a token.

use wasm_bindgen::JsValue;

/// How much to log. Ordered: a level logs itself and everything more severe.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Level {
    Off,
    Error,
    Warn,
    Info,
    Debug,
}

impl Level {
    pub(crate) fn parse(name: &str) -> Option<Level> {
        Some(match name {
            "off" => Level::Off,
            "error" => Level::Error,
            "warn" => Level::Warn,
            "info" => Level::Info,
            "debug" => Level::Debug,
            _ => return None,
        })
    }
}

/// Writes `[session-keeper] message` to the console at or above its level.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Logger(pub(crate) Level);

impl Logger {
    pub(crate) fn error(&self, message: &str, detail: &JsValue) {
        if self.0 >= Level::Error {
            web_sys::console::error_2(&prefixed(message), detail);
        }
    }

    pub(crate) fn warn(&self, message: &str) {
        if self.0 >= Level::Warn {
            web_sys::console::warn_1(&prefixed(message));
        }
    }

    pub(crate) fn debug(&self, message: &str) {
        if self.0 >= Level::Debug {
            web_sys::console::debug_1(&prefixed(message));
        }
    }
}

fn prefixed(message: &str) -> JsValue {
    JsValue::from_str(&format!("[session-keeper] {message}"))
}
