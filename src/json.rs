//! Just enough JSON for the SDK's own formats — token claims, the stored record, wallets —
//! read and written without recursion and without a JSON library.
//!
//! Why not a JSON crate: the SDK reads a few flat fields and passes app data (the user object)
//! through as text. A general JSON library costs ≈ 11 KB gzip in the browser (measured with
//! miniserde; serde_json ≈ 29 KB) and its value type clones and drops recursively, so a user
//! object nested 7,000 deep overflowed the wasm stack. Here nested app data is only ever
//! *validated and skipped* ([`Reader::value`]), with an explicit stack: any depth, linear time.

/// A cursor over JSON text. Every method returns `None` on malformed input and never panics.
#[derive(Debug)]
pub struct Reader<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> Reader<'a> {
    /// A reader at the start of `text`.
    pub fn new(text: &'a str) -> Self {
        Reader { text, pos: 0 }
    }

    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.pos).copied()
    }

    fn bump(&mut self) -> Option<u8> {
        let b = self.peek()?;
        self.pos += 1;
        Some(b)
    }

    fn ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    /// Skips white space and consumes `b` if it comes next.
    fn eat(&mut self, b: u8) -> bool {
        self.ws();
        let found = self.peek() == Some(b);
        if found {
            self.pos += 1;
        }
        found
    }

    fn consume(&mut self, b: u8) -> Option<()> {
        self.eat(b).then_some(())
    }

    /// Whether only white space is left.
    pub fn at_end(&mut self) -> bool {
        self.ws();
        self.pos == self.text.len()
    }

    /// Whether a `null` comes next (and consumes it).
    pub fn null(&mut self) -> bool {
        self.ws();
        let found = self.text.get(self.pos..).is_some_and(|rest| rest.starts_with("null"));
        if found {
            self.pos += 4;
        }
        found
    }

    /// Reads an object member by member: `member(reader, key)` must consume the value.
    ///
    /// The callbacks of `object` and `array` are `dyn`: one copy of each loop for all callers,
    /// not one inlined into each (−0.4 KB gzip, and 10 % less wasm for V8 to compile when a
    /// stored session is restored).
    pub fn object(&mut self, member: &mut dyn FnMut(&mut Self, String) -> Option<()>) -> Option<()> {
        self.consume(b'{')?;
        if self.eat(b'}') {
            return Some(());
        }
        loop {
            self.ws();
            let key = self.string()?;
            self.consume(b':')?;
            member(self, key)?;
            if self.eat(b'}') {
                return Some(());
            }
            self.consume(b',')?;
        }
    }

    /// Reads an array element by element: `element(reader)` must consume the value.
    pub fn array(&mut self, element: &mut dyn FnMut(&mut Self) -> Option<()>) -> Option<()> {
        self.consume(b'[')?;
        if self.eat(b']') {
            return Some(());
        }
        loop {
            element(self)?;
            if self.eat(b']') {
                return Some(());
            }
            self.consume(b',')?;
        }
    }

    /// A string, unescaped. A lone surrogate escape (`"\ud83d"`, as `JSON.stringify` writes
    /// for a cut emoji) becomes U+FFFD.
    pub fn string(&mut self) -> Option<String> {
        self.consume(b'"')?;
        let mut out = String::new();
        loop {
            let start = self.pos;
            while !matches!(self.peek()?, b'"' | b'\\' | 0..=0x1f) {
                self.pos += 1;
            }
            out.push_str(self.text.get(start..self.pos)?);
            match self.bump()? {
                b'"' => return Some(out),
                b'\\' => {
                    let c = match self.bump()? {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => self.unicode_escape()?,
                        _ => return None,
                    };
                    out.push(c);
                }
                _ => return None, // a raw control character
            }
        }
    }

    fn hex4(&mut self) -> Option<u32> {
        let digits = self.text.get(self.pos..self.pos + 4)?;
        self.pos += 4;
        digits.bytes().try_fold(0, |n, b| Some(n * 16 + char::from(b).to_digit(16)?))
    }

    fn unicode_escape(&mut self) -> Option<char> {
        let first = self.hex4()?;
        if (0xd800..0xdc00).contains(&first) && self.text.get(self.pos..)?.starts_with("\\u") {
            let save = self.pos;
            self.pos += 2;
            let second = self.hex4()?;
            if (0xdc00..0xe000).contains(&second) {
                return char::from_u32(0x10000 + ((first - 0xd800) << 10) + (second - 0xdc00));
            }
            self.pos = save;
        }
        Some(char::from_u32(first).unwrap_or('\u{fffd}'))
    }

    /// A number, as `f64`. Exact for integers up to 2^53, close enough for dates beyond.
    pub fn number(&mut self) -> Option<f64> {
        self.ws();
        let start = self.pos;
        self.skip_number()?;
        // The grammar is checked: what remains is sign, digits, '.', exponent.
        let (mut digits, mut fraction_digits, mut exponent) = (0.0_f64, 0_i32, 0_i32);
        let (mut negative, mut exponent_negative, mut part) = (false, false, 0);
        for &b in self.text.as_bytes().get(start..self.pos)? {
            match b {
                b'-' if part == 0 => negative = true,
                b'-' => exponent_negative = true,
                b'+' => {}
                b'.' => part = 1,
                b'e' | b'E' => part = 2,
                // Clamped: beyond ±400 the result is 0 or infinity anyway.
                d if part == 2 => exponent = (exponent * 10 + i32::from(d.wrapping_sub(b'0'))).min(400),
                d => {
                    digits = digits * 10.0 + f64::from(d.wrapping_sub(b'0'));
                    fraction_digits = fraction_digits.saturating_add(part);
                }
            }
        }
        let exponent = if exponent_negative { -exponent } else { exponent };
        let exponent = exponent.saturating_sub(fraction_digits).max(-800);
        let value = if exponent < 0 { digits / pow10(-exponent) } else { digits * pow10(exponent) };
        Some(if negative { -value } else { value })
    }

    fn digits(&mut self) -> Option<()> {
        let start = self.pos;
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.pos += 1;
        }
        (self.pos > start).then_some(())
    }

    fn skip_number(&mut self) -> Option<()> {
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        if self.peek() == Some(b'0') {
            self.pos += 1;
        } else {
            self.digits()?;
        }
        if self.peek() == Some(b'.') {
            self.pos += 1;
            self.digits()?;
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.pos += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            self.digits()?;
        }
        Some(())
    }

    fn literal(&mut self, word: &str) -> Option<()> {
        self.text.get(self.pos..)?.starts_with(word).then(|| self.pos += word.len())
    }

    /// A `true` or `false`.
    pub fn boolean(&mut self) -> Option<bool> {
        self.ws();
        match self.peek()? {
            b't' => self.literal("true").map(|()| true),
            _ => self.literal("false").map(|()| false),
        }
    }

    /// Validates any JSON value and returns its text. Iterative: the nesting depth costs heap
    /// (one byte per level), never stack.
    pub fn value(&mut self) -> Option<&'a str> {
        self.ws();
        let start = self.pos;
        // One entry per open container: true for an object.
        let mut open: Vec<bool> = Vec::new();
        loop {
            // A value starts here.
            self.ws();
            match self.peek()? {
                b'{' | b'[' => {
                    let object = self.bump()? == b'{';
                    if !self.eat(if object { b'}' } else { b']' }) {
                        open.push(object);
                        if object {
                            self.member_key()?;
                        }
                        continue;
                    }
                }
                b'"' => {
                    self.string()?;
                }
                b't' => self.literal("true")?,
                b'f' => self.literal("false")?,
                b'n' => self.literal("null")?,
                _ => self.skip_number()?,
            }
            // A value ended: close what it completes, or move on to the next element.
            loop {
                let Some(&object) = open.last() else { return self.text.get(start..self.pos) };
                self.ws();
                match self.bump()? {
                    b',' => {
                        if object {
                            self.member_key()?;
                        }
                        break;
                    }
                    b'}' if object => {
                        open.pop();
                    }
                    b']' if !object => {
                        open.pop();
                    }
                    _ => return None,
                }
            }
        }
    }

    fn member_key(&mut self) -> Option<()> {
        self.ws();
        self.string()?;
        self.consume(b':')
    }
}

fn pow10(exp: i32) -> f64 {
    (0..exp).fold(1.0, |p, _| p * 10.0)
}

/// Whether `text` is exactly one JSON value.
pub fn is_valid(text: &str) -> bool {
    let mut reader = Reader::new(text);
    reader.value().is_some() && reader.at_end()
}

/// Appends `s` as a JSON string literal.
pub fn push_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                out.push_str("\\u00");
                out.push(hex_digit(c as u32 >> 4));
                out.push(hex_digit(c as u32 & 0xf));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Appends `s` as a JSON string, or `null`.
pub fn push_opt_string(out: &mut String, s: Option<&str>) {
    match s {
        Some(s) => push_string(out, s),
        None => out.push_str("null"),
    }
}

/// Appends an integer in decimal, without `core::fmt`.
pub fn push_int(out: &mut String, n: i64) {
    if n < 0 {
        out.push('-');
    }
    let mut digits = [0_u8; 20];
    let mut len = 0;
    let mut rest = n.unsigned_abs();
    loop {
        if let Some(slot) = digits.get_mut(len) {
            *slot = b'0' + (rest % 10) as u8;
        }
        len += 1;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    for d in digits.iter().take(len).rev() {
        out.push(char::from(*d));
    }
}

/// Appends an integer, or `null`.
pub fn push_opt_int(out: &mut String, n: Option<i64>) {
    match n {
        Some(n) => push_int(out, n),
        None => out.push_str("null"),
    }
}

/// A lower-case hexadecimal digit for `n & 0xf`.
pub fn hex_digit(n: u32) -> char {
    char::from_digit(n & 0xf, 16).unwrap_or('0')
}

/// Appends literal JSON up to a member name, then the name's closing quote and colon:
/// `push_key(out, ",\"userId")` appends `,"userId":` (names are the SDK's own, never escaped).
pub fn push_key(out: &mut String, literal: &str) {
    out.push_str(literal);
    out.push_str("\":");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_of_any_depth_are_validated_without_recursion() {
        let deep = "[".repeat(100_000) + &"]".repeat(100_000);
        assert!(is_valid(&deep));
        let objects = "{\"a\":".repeat(50_000) + "1" + &"}".repeat(50_000);
        assert!(is_valid(&objects));
        assert!(!is_valid(&"[".repeat(100_000)));
    }

    #[test]
    fn grammar() {
        for ok in ["0", "-1.5e+3", "\"a\\u00e9\\ud83d\"", "{\"a\":[1,{\"b\":null}],\"c\":true}", " [ ] ", "{}"] {
            assert!(is_valid(ok), "{ok}");
        }
        for bad in ["", "01", "1.", "[1,]", "{\"a\"}", "{\"a\":1,}", "\"\u{1}\"", "tru", "[1 2]", "{1:2}", "\"\\x\"", "nul", "[]]"] {
            assert!(!is_valid(bad), "{bad}");
        }
    }

    #[test]
    fn strings_unescape_and_numbers_parse() {
        assert_eq!(Reader::new(r#""a\"\n\ud83d\ude00\ud83d""#).string().as_deref(), Some("a\"\n\u{1f600}\u{fffd}"));
        assert_eq!(Reader::new("1700000000").number(), Some(1_700_000_000.0));
        assert_eq!(Reader::new("1.7e9").number(), Some(1_700_000_000.0));
        assert_eq!(Reader::new("-25e-1").number(), Some(-2.5));
        assert_eq!(Reader::new("1e999").number(), Some(f64::INFINITY));
    }

    #[test]
    fn writing() {
        let mut out = String::new();
        push_string(&mut out, "a\"\\\n\u{1}é");
        push_int(&mut out, -1_234);
        push_int(&mut out, i64::MIN);
        assert_eq!(out, "\"a\\\"\\\\\\n\\u0001é\"-1234-9223372036854775808");
    }
}
