//! One signed-in session: the token, what it says, and what the app attached to it.

use crate::expiry::server_end;
use crate::jwt::Claims;
use crate::json::hex_digit;
use crate::Wallet;

/// The public view of a session, as `keeper.session` returns it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionInfo {
    /// `sid`.
    pub session_id: Option<String>,
    /// `sub`.
    pub user_id: Option<String>,
    /// `environment_id`.
    pub environment_id: Option<String>,
    /// `iat` in epoch milliseconds, as the issuer wrote it.
    pub issued_at: Option<i64>,
    /// When the session ends on this device's clock (epoch ms): `exp` capped at 30 days,
    /// minus the leeway, corrected for clock skew. `onSessionEnd` fires at this moment.
    pub expires_at: i64,
}

/// A live session.
#[derive(Debug, Clone)]
pub struct Session {
    pub(crate) token: String,
    pub(crate) claims: Claims,
    /// Identity across tabs and records: the `sid`, or a hash of the token without one.
    pub(crate) key: String,
    /// The user object the app gave, as JSON text.
    pub(crate) user: Option<String>,
    /// Wallets the app connected (never verified ones; those come from the token).
    pub(crate) connected: Vec<Wallet>,
    /// Server clock minus device clock, estimated when the session was set.
    pub(crate) skew_ms: i64,
    /// Start of the 30-day cap on the server clock: `iat`, or the time the session was set.
    pub(crate) anchor_ms: i64,
    /// When the session ends, on the device clock.
    pub(crate) ends_at: i64,
}

impl Session {
    pub(crate) fn new(token: String, claims: Claims, skew_ms: i64, anchor_ms: i64, leeway_ms: i64) -> Self {
        let key = session_key(&claims, &token);
        let mut session =
            Session { token, claims, key, user: None, connected: Vec::new(), skew_ms, anchor_ms, ends_at: 0 };
        session.set_skew(skew_ms, leeway_ms);
        session
    }

    /// Takes a new clock-skew estimate and moves the local end time with it.
    pub(crate) fn set_skew(&mut self, skew_ms: i64, leeway_ms: i64) {
        self.skew_ms = skew_ms;
        self.ends_at = server_end(self.anchor_ms, self.claims.expires_at_ms, leeway_ms).saturating_sub(skew_ms);
    }

    /// The session's identity across tabs: `sid:<sid>`, or a hash of the token without one.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// The raw token.
    pub fn token(&self) -> &str {
        &self.token
    }

    /// The user object as JSON text (as `JSON.stringify` wrote it), if one was set.
    pub fn user_json(&self) -> Option<&str> {
        self.user.as_deref()
    }

    /// When the session ends, in local epoch milliseconds.
    pub fn ends_at(&self) -> i64 {
        self.ends_at
    }

    /// The estimated offset of the server's clock from this device's, in milliseconds.
    pub fn clock_skew_ms(&self) -> i64 {
        self.skew_ms
    }

    /// Verified wallets from the token, then the connected ones.
    pub fn wallets(&self) -> Vec<Wallet> {
        self.claims.verified_wallets.iter().chain(&self.connected).cloned().collect()
    }

    /// The public view.
    pub fn info(&self) -> SessionInfo {
        SessionInfo {
            session_id: self.claims.session_id.clone(),
            user_id: self.claims.user_id.clone(),
            environment_id: self.claims.environment_id.clone(),
            issued_at: self.claims.issued_at_ms,
            expires_at: self.ends_at,
        }
    }

    /// Adds a connected wallet unless a wallet with that address is already there.
    /// Returns whether it was added.
    pub(crate) fn connect(&mut self, wallet: Wallet) -> bool {
        let mut present = self.claims.verified_wallets.iter().chain(&self.connected);
        if present.any(|w| w.same_address(&wallet.address)) {
            return false;
        }
        self.connected.push(Wallet { verified: false, ..wallet });
        true
    }

    /// Adds connected wallets, skipping any already present: linear in the number of wallets
    /// (`n log n`), however many there are.
    pub(crate) fn connect_all(&mut self, wallets: Vec<Wallet>) {
        let mut seen = IdentitySet::with_capacity(self.claims.verified_wallets.len() + self.connected.len() + wallets.len());
        for wallet in self.claims.verified_wallets.iter().chain(&self.connected) {
            seen.insert(wallet.identity());
        }
        for wallet in wallets {
            if seen.insert(wallet.identity()) {
                self.connected.push(Wallet { verified: false, ..wallet });
            }
        }
    }

    /// Removes a connected wallet; verified wallets belong to the token and stay.
    pub(crate) fn disconnect(&mut self, address: &str) -> bool {
        let before = self.connected.len();
        self.connected.retain(|w| !w.same_address(address));
        self.connected.len() != before
    }
}

/// A set of wallet identities: open addressing over FNV-1a hashes, a few hundred bytes of
/// wasm where `BTreeSet` or `HashSet` cost kilobytes. Expected O(1) per insert.
struct IdentitySet {
    slots: Vec<Option<String>>,
}

impl IdentitySet {
    fn with_capacity(n: usize) -> Self {
        // At most half full, so probes stay short and always find an empty slot.
        IdentitySet { slots: vec![None; n.saturating_mul(2).max(8).next_power_of_two()] }
    }

    /// Adds `identity`; returns whether it was new.
    fn insert(&mut self, identity: String) -> bool {
        let mask = self.slots.len() - 1;
        let mut i = (fnv1a(&identity) as usize) & mask;
        loop {
            match self.slots.get_mut(i) {
                Some(Some(present)) if *present == identity => return false,
                Some(Some(_)) => i = (i + 1) & mask,
                Some(slot) => {
                    *slot = Some(identity);
                    return true;
                }
                None => return false,
            }
        }
    }
}

/// The 64-bit FNV-1a hash.
pub(crate) fn fnv1a(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}

/// `sid` when the token has one; otherwise a 64-bit FNV-1a hash of the whole token, so
/// two different tokens never look like the same session.
fn session_key(claims: &Claims, token: &str) -> String {
    match &claims.session_id {
        Some(sid) => {
            let mut key = String::from("sid:");
            key.push_str(sid);
            key
        }
        None => {
            let hash = fnv1a(token);
            let mut key = String::from("token:");
            key.extend((0..16).rev().map(|i| hex_digit((hash >> (i * 4)) as u32)));
            key
        }
    }
}
