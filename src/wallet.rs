//! Wallets attached to a session: verified ones come from the token, connected ones from the app.

use miniserde::{Deserialize, Serialize};

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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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
}

fn is_hex_address(address: &str) -> bool {
    address.len() > 2 && (address.starts_with("0x") || address.starts_with("0X"))
}
