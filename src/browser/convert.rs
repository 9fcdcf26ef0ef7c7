//! Conversions between JavaScript values and the core's types. Nothing else lives here.

use js_sys::{Array, Object, Reflect, JSON};
use wasm_bindgen::{JsCast, JsValue};

use super::log::Level;
use crate::keeper::Config;
use crate::{Error, Result, SessionEnd, SessionInfo, SessionStart, Wallet};

/// Parsed `new SessionKeeper(options)`.
#[derive(Debug)]
pub(crate) struct Options {
    pub(crate) config: Config,
    pub(crate) use_local_storage: bool,
    pub(crate) log_level: Level,
    pub(crate) api: Option<Api>,
}

/// The backend the SDK talks to (`apiBaseUrl`).
#[derive(Debug, Clone)]
pub(crate) struct Api {
    /// The API root including `/api/v0`, without a trailing slash.
    pub(crate) base_url: String,
    /// `{base}/sdk/{environmentId}`.
    pub(crate) sdk_url: String,
    /// Milliseconds between session checks; 0 disables them.
    pub(crate) check_interval_ms: i64,
}

impl Api {
    /// Whether `url` is under the API root: the root itself or a path below it, not merely
    /// a string that starts the same (`…:8080` must not cover `…:80801/`).
    pub(crate) fn covers(&self, url: &str) -> bool {
        url.strip_prefix(&self.base_url)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with(['/', '?', '#']))
    }
}

/// The largest `leewaySeconds` and `revocationCheckIntervalSeconds`: one day.
const MAX_SECONDS: f64 = 24.0 * 60.0 * 60.0;

pub(crate) fn options(value: &JsValue) -> Result<Options> {
    if !value.is_object() {
        return Err(invalid("options must be an object like { environmentId: \"…\" }"));
    }
    let environment_id = get(value, "environmentId")
        .as_string()
        .filter(|id| !id.is_empty())
        .ok_or_else(|| invalid("environmentId must be a non-empty string"))?;
    let leeway_ms = optional_seconds_as_ms(value, "leewaySeconds", 0.0)?;
    let use_local_storage = match optional_string(value, "storage", "\"local\" or \"memory\"")?.as_deref() {
        None | Some("local") => true,
        Some("memory") => false,
        Some(_) => return Err(invalid("storage must be \"local\" or \"memory\"")),
    };
    let log_level = match optional_string(value, "logLevel", "a log level")? {
        None => Level::Off,
        Some(name) => Level::parse(&name)
            .ok_or_else(|| invalid("logLevel must be \"off\", \"error\", \"warn\", \"info\" or \"debug\""))?,
    };
    let api = match optional_string(value, "apiBaseUrl", "the API root, like \"https://app.dynamicauth.com/api/v0\"")? {
        None => None,
        Some(base) if base.trim().is_empty() => return Err(invalid("apiBaseUrl must not be empty")),
        Some(base) => {
            let base_url = base.trim().trim_end_matches('/').to_owned();
            let check_interval_ms = optional_seconds_as_ms(value, "revocationCheckIntervalSeconds", 60.0)?;
            let sdk_url = format!("{base_url}/sdk/{}", String::from(js_sys::encode_uri_component(&environment_id)));
            Some(Api { base_url, sdk_url, check_interval_ms })
        }
    };
    Ok(Options {
        config: Config { environment_id, leeway_ms },
        use_local_storage,
        log_level,
        api,
    })
}

/// An optional number of seconds from 0 to a day, in whole milliseconds.
fn optional_seconds_as_ms(object: &JsValue, name: &str, default: f64) -> Result<i64> {
    let seconds = match get(object, name) {
        v if v.is_undefined() => default,
        v => v
            .as_f64()
            .filter(|s| s.is_finite() && (0.0..=MAX_SECONDS).contains(s))
            .ok_or_else(|| invalid(&format!("{name} must be a number from 0 to 86400")))?,
    };
    // In 0..=86_400_000 by the check above.
    Ok((seconds * 1000.0).round() as i64)
}

fn optional_string(object: &JsValue, name: &str, what: &str) -> Result<Option<String>> {
    match get(object, name) {
        v if v.is_undefined() => Ok(None),
        v => v.as_string().map(Some).ok_or_else(|| invalid(&format!("{name} must be {what}"))),
    }
}

fn invalid(message: &str) -> Error {
    Error::InvalidOptions(message.to_owned())
}

/// `object[name]`, or `undefined` when it is missing or its getter throws.
pub(crate) fn get(object: &JsValue, name: &str) -> JsValue {
    Reflect::get(object, &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED)
}

fn set(object: &Object, name: &str, value: impl Into<JsValue>) {
    // Defining a property on a fresh plain object cannot fail.
    let _ = Reflect::set(object, &JsValue::from_str(name), &value.into());
}

fn opt_str(value: &Option<String>) -> JsValue {
    value.as_deref().map_or(JsValue::NULL, JsValue::from_str)
}

fn num(ms: i64) -> JsValue {
    JsValue::from_f64(ms as f64)
}

/// A user object as JSON text: `None` when absent (`undefined`), an error when it cannot be
/// serialised (a `BigInt`, a cycle, a throwing `toJSON`).
pub(crate) fn user_json(user: &JsValue) -> Result<Option<String>> {
    if user.is_undefined() {
        return Ok(None);
    }
    let text = JSON::stringify(user)
        .map_err(|_| Error::InvalidArgument("the user object cannot be turned into JSON".into()))?;
    Ok(text.as_string())
}

/// The stored user back as a JavaScript value (`null` when none).
pub(crate) fn user_value(json: Option<&str>) -> JsValue {
    json.and_then(|text| JSON::parse(text).ok()).unwrap_or(JsValue::NULL)
}

/// A wallet the app connects: `{ address, chain?, connector? }`.
pub(crate) fn wallet_input(value: &JsValue) -> Result<Wallet> {
    let field = |name| get(value, name).as_string().unwrap_or_default();
    let address = field("address");
    if address.is_empty() {
        return Err(Error::InvalidArgument("a wallet needs a non-empty string address".into()));
    }
    Ok(Wallet::connected(&address, &field("chain"), &field("connector")))
}

/// The `wallets` of `setSession`'s second argument: `None` when absent.
pub(crate) fn wallet_inputs(value: &JsValue) -> Result<Option<Vec<Wallet>>> {
    if value.is_undefined() || value.is_null() {
        return Ok(None);
    }
    let array = value
        .dyn_ref::<Array>()
        .ok_or_else(|| Error::InvalidArgument("wallets must be an array".into()))?;
    array.iter().map(|w| wallet_input(&w)).collect::<Result<Vec<_>>>().map(Some)
}

pub(crate) fn wallets(wallets: &[Wallet]) -> JsValue {
    wallets
        .iter()
        .map(|w| {
            let o = Object::new();
            set(&o, "address", w.address.as_str());
            set(&o, "chain", w.chain.as_str());
            set(&o, "connector", w.connector.as_str());
            set(&o, "verified", w.verified);
            JsValue::from(o)
        })
        .collect::<Array>()
        .into()
}

pub(crate) fn session_info(info: &SessionInfo) -> JsValue {
    let o = Object::new();
    set(&o, "sessionId", opt_str(&info.session_id));
    set(&o, "userId", opt_str(&info.user_id));
    set(&o, "environmentId", opt_str(&info.environment_id));
    set(&o, "issuedAt", info.issued_at.map_or(JsValue::NULL, num));
    set(&o, "expiresAt", num(info.expires_at));
    o.into()
}

/// Events are frozen: every listener gets the same object and none may change it for the next.
pub(crate) fn end_event(e: &SessionEnd) -> JsValue {
    let o = Object::new();
    set(&o, "reason", e.reason.as_str());
    set(&o, "sessionId", opt_str(&e.session_id));
    set(&o, "userId", opt_str(&e.user_id));
    set(&o, "remote", e.remote);
    set(&o, "at", num(e.at));
    Object::freeze(&o).into()
}

pub(crate) fn start_event(e: &SessionStart) -> JsValue {
    let o = Object::new();
    set(&o, "session", session_info(&e.session));
    set(&o, "remote", e.remote);
    set(&o, "at", num(e.at));
    Object::freeze(&o).into()
}

/// An `Error` with a stable `code`, as thrown to JavaScript.
pub(crate) fn error(e: &Error) -> JsValue {
    let js = js_sys::Error::new(&e.to_string());
    js.set_name("SessionKeeperError");
    set(&js, "code", e.code());
    js.into()
}
