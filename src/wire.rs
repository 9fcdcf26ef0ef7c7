//! The JSON text that crosses to JavaScript: snapshots, events and call outcomes, shaped
//! exactly as the JavaScript API shows them (`sessionId`, `expiresAt`, …). The JavaScript
//! side parses each with the browser's `JSON.parse`, once per change.

use crate::engine::Outcome;
use crate::event::{Event, SessionEnd};
use crate::json::{push_int, push_key, push_opt_int, push_opt_string, push_string};
use crate::{Keeper, SessionInfo};

/// `s` as a JSON string literal.
pub fn string(s: &str) -> String {
    let mut out = String::new();
    push_string(&mut out, s);
    out
}

/// A `SessionInfo` object.
pub fn session_info(info: &SessionInfo) -> String {
    let mut out = String::new();
    push_session_info(&mut out, info);
    out
}

fn push_session_info(out: &mut String, info: &SessionInfo) {
    push_key(out, "{\"sessionId");
    push_opt_string(out, info.session_id.as_deref());
    push_key(out, ",\"userId");
    push_opt_string(out, info.user_id.as_deref());
    push_key(out, ",\"environmentId");
    push_opt_string(out, info.environment_id.as_deref());
    push_key(out, ",\"issuedAt");
    push_opt_int(out, info.issued_at);
    push_key(out, ",\"expiresAt");
    push_int(out, info.expires_at);
    out.push('}');
}

/// The snapshot: `{ isActive, session, token, user, wallets, persistence }`.
pub fn snapshot(keeper: &Keeper) -> String {
    let session = keeper.session();
    let mut out = String::from("{\"isActive\":");
    out.push_str(if session.is_some() { "true" } else { "false" });
    push_key(&mut out, ",\"session");
    match session {
        Some(s) => push_session_info(&mut out, &s.info()),
        None => out.push_str("null"),
    }
    push_key(&mut out, ",\"token");
    push_opt_string(&mut out, session.map(|s| s.token()));
    push_key(&mut out, ",\"user");
    // Validated JSON text, embedded as it is.
    out.push_str(session.and_then(|s| s.user_json()).unwrap_or("null"));
    push_key(&mut out, ",\"wallets");
    crate::wallet::push_list(&mut out, &session.map(|s| s.wallets()).unwrap_or_default());
    push_key(&mut out, ",\"persistence");
    push_string(&mut out, keeper.persistence().as_str());
    out.push('}');
    out
}

fn push_end(out: &mut String, e: &SessionEnd) {
    push_key(out, "{\"type\":\"end\",\"reason");
    push_string(out, e.reason.as_str());
    push_key(out, ",\"sessionId");
    push_opt_string(out, e.session_id.as_deref());
    push_key(out, ",\"userId");
    push_opt_string(out, e.user_id.as_deref());
    push_key(out, ",\"remote");
    out.push_str(if e.remote { "true" } else { "false" });
    push_key(out, ",\"at");
    push_int(out, e.at);
    out.push('}');
}

/// An outcome: `{ rev, value, error: [code, message] | null, events, notices, wakeAt, wakeIn,
/// pollIn, request: token | null, told: text | null }`.
pub fn outcome(o: &Outcome) -> String {
    let mut out = String::from("{\"rev\":");
    push_int(&mut out, i64::from(o.revision));
    push_key(&mut out, ",\"value");
    out.push_str(o.value.as_deref().unwrap_or("null"));
    push_key(&mut out, ",\"error");
    match &o.error {
        Some(e) => {
            out.push('[');
            push_string(&mut out, e.code());
            out.push(',');
            push_string(&mut out, &e.message());
            out.push(']');
        }
        None => out.push_str("null"),
    }
    push_key(&mut out, ",\"events");
    out.push('[');
    for (i, event) in o.events.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        match event {
            Event::End(e) => push_end(&mut out, e),
            Event::Start(s) => {
                push_key(&mut out, "{\"type\":\"start\",\"session");
                push_session_info(&mut out, &s.session);
                push_key(&mut out, ",\"remote");
                out.push_str(if s.remote { "true" } else { "false" });
                push_key(&mut out, ",\"at");
                push_int(&mut out, s.at);
                out.push('}');
            }
        }
    }
    push_key(&mut out, "],\"notices");
    out.push('[');
    for (i, notice) in o.notices.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        push_string(&mut out, notice.message());
    }
    push_key(&mut out, "],\"wakeAt");
    push_opt_int(&mut out, o.wake_at);
    push_key(&mut out, ",\"wakeIn");
    push_opt_int(&mut out, o.wake_in.map(i64::from));
    push_key(&mut out, ",\"pollIn");
    push_opt_int(&mut out, o.poll_in.map(i64::from));
    push_key(&mut out, ",\"request");
    push_opt_string(&mut out, o.request.as_deref());
    push_key(&mut out, ",\"told");
    push_opt_string(&mut out, o.told.as_deref());
    out.push('}');
    out
}
