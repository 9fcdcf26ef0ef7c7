//! The HTTP adapter: `fetch` with a bearer token, reduced to what the keeper needs.

use js_sys::{Date, Promise};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortSignal, Headers, Request, RequestInit, Response};

/// Requests the SDK makes itself give up after this long: a hanging backend must not keep
/// `logout()` pending or a check in flight forever.
const TIMEOUT_MS: u32 = 10_000;

/// What came back: the status (`None` for a network error) and the server's `Date` header in
/// epoch ms, when present and valid.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Answer {
    pub(crate) status: Option<u16>,
    pub(crate) server_date: Option<i64>,
}

/// `fetch(url, { method, headers: { Authorization: "Bearer <token>" } })`, never throwing.
pub(crate) async fn send(method: &str, url: &str, token: &str) -> Answer {
    let init = RequestInit::new();
    init.set_method(method);
    init.set_signal(Some(&AbortSignal::timeout_with_u32(TIMEOUT_MS)));
    let headers = Headers::new().ok();
    if let Some(headers) = &headers {
        let _ = headers.set("Authorization", &format!("Bearer {token}"));
        init.set_headers(headers);
    }
    let Some(window) = web_sys::window() else { return Answer { status: None, server_date: None } };
    answer(JsFuture::from(window.fetch_with_str_and_init(url, &init)).await.ok())
}

/// Reads an answer from a settled `fetch` (`None` when it rejected).
pub(crate) fn answer(response: Option<JsValue>) -> Answer {
    let Some(response) = response.and_then(|r| r.dyn_into::<Response>().ok()) else {
        return Answer { status: None, server_date: None };
    };
    // Date is not CORS-safelisted: cross-origin it is readable only with Access-Control-Expose-Headers.
    let server_date = response.headers().get("date").ok().flatten().and_then(|text| {
        let ms = Date::parse(&text);
        ms.is_finite().then_some(ms as i64)
    });
    Answer { status: Some(response.status()), server_date }
}

/// `fetch(input, init)` with `Authorization: Bearer <token>` added (when there is a token).
/// Rejects like `fetch` does, including for an unusable `input`.
pub(crate) fn fetch_with_token(input: &JsValue, init: &JsValue, token: Option<&str>) -> Result<Promise, JsValue> {
    let request = match input.dyn_ref::<Request>() {
        Some(request) if init.is_undefined() => Request::new_with_request(request)?,
        Some(request) => Request::new_with_request_and_init(request, init.unchecked_ref())?,
        None => {
            // A string, or anything with a useful toString() (a URL object).
            let url = match input.as_string() {
                Some(url) => url,
                None => input.dyn_ref::<js_sys::Object>().map(|o| String::from(o.to_string())).unwrap_or_default(),
            };
            if init.is_undefined() {
                Request::new_with_str(&url)?
            } else {
                Request::new_with_str_and_init(&url, init.unchecked_ref())?
            }
        }
    };
    if let Some(token) = token {
        request.headers().set("Authorization", &format!("Bearer {token}"))?;
    }
    let window = web_sys::window().ok_or_else(|| JsValue::from_str("no window"))?;
    Ok(window.fetch_with_request(&request))
}
