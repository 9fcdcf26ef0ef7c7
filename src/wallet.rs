//! Wallets attached to a session: verified ones come from the token, connected ones from the app.

use crate::json::{self, Reader};

/// A wallet of the signed-in user.
///
/// `verified` wallets come from the token's `verified_credentials` and live exactly as long
/// as the token. Connected wallets (`verified: false`) are added by the app with
/// `connectWallet` and are cleared on logout.
///
/// ```
/// use session_keeper::Wallet;
/// let w = Wallet::connected("0xAbC", "eip155", "metamask");
/// assert!(!w.verified);
/// assert!(w.same_address("0xabc"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wallet {
    /// The wallet's address as the chain writes it.
    pub address: String,
    /// The chain family, for example `eip155` or `solana`.
    pub chain: String,
    /// The connector (wallet app) that provided it, for example `metamask`.
    pub connector: String,
    /// Whether the backend verified ownership (it is in the token).
    pub verified: bool,
}

impl Wallet {
    /// A connected, non-verified wallet.
    pub fn connected(address: &str, chain: &str, connector: &str) -> Self {
        Wallet {
            address: address.to_owned(),
            chain: chain.to_owned(),
            connector: connector.to_owned(),
            verified: false,
        }
    }

    /// Whether `address` names this wallet. EVM hex addresses (`0x…`) compare without case,
    /// because checksummed and lower-case spellings are the same account; every other
    /// address (base58, bech32) compares exactly.
    pub fn same_address(&self, address: &str) -> bool {
        if is_hex_address(&self.address) && is_hex_address(address) {
            self.address.eq_ignore_ascii_case(address)
        } else {
            self.address == address
        }
    }

    /// The address as compared: EVM hex addresses in lower case, others as written. Two
    /// wallets are the same wallet exactly when their identities are equal.
    pub fn identity(&self) -> String {
        if is_hex_address(&self.address) {
            self.address.to_ascii_lowercase()
        } else {
            self.address.clone()
        }
    }
}

/// The most wallets a session holds (connected and verified together).
pub const MAX_WALLETS: usize = 10_000;

/// The longest address, chain or connector name accepted, in bytes.
pub const MAX_FIELD_LEN: usize = 1_024;

/// Reads a JSON array of `{ "address", "chain", "connector", "verified"? }` (the stored form, and
/// what JavaScript passes in). `None` when malformed, over [`MAX_WALLETS`], or a field is too
/// long or an address empty.
pub fn parse_list(r: &mut Reader) -> Option<Vec<Wallet>> {
    let mut list = Vec::new();
    r.array(&mut |r| {
        let (mut address, mut chain, mut connector, mut verified) = (None, String::new(), String::new(), false);
        r.object(&mut |r, key| {
            match key.as_str() {
                "address" => address = Some(r.string()?),
                "chain" => chain = r.string()?,
                "connector" => connector = r.string()?,
                "verified" => verified = r.boolean()?,
                _ => {
                    r.value()?;
                }
            }
            Some(())
        })?;
        let address = address.filter(|a| !a.is_empty())?;
        if list.len() >= MAX_WALLETS || [&address, &chain, &connector].iter().any(|f| f.len() > MAX_FIELD_LEN) {
            return None;
        }
        list.push(Wallet { address, chain, connector, verified });
        Some(())
    })?;
    Some(list)
}

/// Appends wallets as a JSON array.
pub fn push_list(out: &mut String, wallets: &[Wallet]) {
    out.push('[');
    for (i, w) in wallets.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str("{\"address\":");
        json::push_string(out, &w.address);
        out.push_str(",\"chain\":");
        json::push_string(out, &w.chain);
        out.push_str(",\"connector\":");
        json::push_string(out, &w.connector);
        out.push_str(if w.verified { ",\"verified\":true}" } else { ",\"verified\":false}" });
    }
    out.push(']');
}

fn is_hex_address(address: &str) -> bool {
    address.len() > 2 && (address.starts_with("0x") || address.starts_with("0X"))
}
