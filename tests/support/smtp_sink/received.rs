//! What the SMTP sink received, and just enough MIME to read it back:
//! headers, the text/plain part, quoted-printable, base64 and RFC 2047
//! encoded words (lettre picks an encoding by content, so a test must not
//! depend on which one it picked).

use base64::Engine;

/// One message as the sink received it.
#[derive(Clone, Debug)]
pub struct ReceivedMail {
    pub from: String,
    pub to: Vec<String>,
    /// The raw DATA, dot-unstuffed, with its CRLF line ends.
    pub data: String,
    /// When its DATA ended.
    pub at: std::time::Instant,
}

impl ReceivedMail {
    /// The subject, with RFC 2047 encoded words decoded.
    pub fn subject(&self) -> Option<String> {
        self.header("Subject").map(|s| decode_encoded_words(&s))
    }

    pub fn message_id(&self) -> Option<String> {
        self.header("Message-ID")
    }

    /// A top-level header's value, unfolded; names match in any case.
    pub fn header(&self, name: &str) -> Option<String> {
        header_in(split_head(&self.data).0, name)
    }

    /// The text/plain part (the whole body if the message is not
    /// multipart), decoded, with `\n` line ends.
    pub fn text_body(&self) -> String {
        let (head, body) = split_head(&self.data);
        let boundary = header_in(head, "Content-Type").and_then(|ct| {
            let rest = &ct[ct.find("boundary=")? + "boundary=".len()..];
            Some(rest.trim_matches('"').split('"').next()?.to_owned())
        });
        let parts: Vec<&str> = match &boundary {
            Some(b) => body.split(&format!("--{b}")).collect(),
            None => vec![&self.data],
        };
        let plain = parts
            .into_iter()
            .map(split_head)
            .find(|(head, _)| {
                header_in(head, "Content-Type").is_some_and(|ct| ct.starts_with("text/plain"))
            })
            .unwrap_or_else(|| panic!("no text/plain part in:\n{}", self.data));
        let encoding = header_in(plain.0, "Content-Transfer-Encoding").unwrap_or_default();
        let bytes = match encoding.to_ascii_lowercase().as_str() {
            "quoted-printable" => decode_quoted_printable(plain.1),
            "base64" => base64_bytes(plain.1),
            _ => plain.1.as_bytes().to_vec(),
        };
        String::from_utf8_lossy(&bytes)
            .replace("\r\n", "\n")
            .trim_end()
            .to_owned()
    }
}

/// Headers and body of a message or a MIME part.
fn split_head(part: &str) -> (&str, &str) {
    let part = part.trim_start_matches(['\r', '\n']);
    part.split_once("\r\n\r\n").unwrap_or((part, ""))
}

fn header_in(head: &str, name: &str) -> Option<String> {
    let unfolded = head.replace("\r\n ", " ").replace("\r\n\t", "\t");
    unfolded.lines().find_map(|line| {
        let (key, value) = line.split_once(':')?;
        key.eq_ignore_ascii_case(name)
            .then(|| value.trim().to_owned())
    })
}

fn decode_quoted_printable(text: &str) -> Vec<u8> {
    let text = text.replace("=\r\n", "");
    let (bytes, mut out, mut i) = (text.as_bytes(), Vec::new(), 0);
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .filter(|h| h.iter().all(u8::is_ascii_hexdigit))
            .and_then(|h| u8::from_str_radix(std::str::from_utf8(h).ok()?, 16).ok());
        match (bytes[i], hex) {
            (b'=', Some(byte)) => (out.push(byte), i += 3),
            (byte, _) => (out.push(byte), i += 1),
        };
    }
    out
}

fn base64_bytes(text: &str) -> Vec<u8> {
    let compact: String = text.split_whitespace().collect();
    base64::engine::general_purpose::STANDARD
        .decode(compact)
        .expect("valid base64 body")
}

/// RFC 2047 encoded words (`=?utf-8?b?...?=`, as lettre writes non-ASCII
/// header text) decoded; the space between two of them is dropped.
fn decode_encoded_words(value: &str) -> String {
    let (mut out, mut rest, mut after_word) = (Vec::new(), value, false);
    while let Some(start) = rest.find("=?") {
        let Some((decoded, len)) = decode_encoded_word(&rest[start..]) else {
            out.extend_from_slice(&rest.as_bytes()[..start + 2]);
            (rest, after_word) = (&rest[start + 2..], false);
            continue;
        };
        let gap = &rest[..start];
        if !(after_word && gap.trim().is_empty()) {
            out.extend_from_slice(gap.as_bytes());
        }
        out.extend(decoded);
        (rest, after_word) = (&rest[start + len..], true);
    }
    out.extend_from_slice(rest.as_bytes());
    String::from_utf8_lossy(&out).into_owned()
}

/// The word `=?charset?b-or-q?text?=` that `s` starts with: its bytes and
/// its length.
fn decode_encoded_word(s: &str) -> Option<(Vec<u8>, usize)> {
    let mut fields = s[2..].splitn(3, '?');
    let (charset, encoding, tail) = (fields.next()?, fields.next()?, fields.next()?);
    let text = &tail[..tail.find("?=")?];
    let bytes = match encoding {
        "b" | "B" => base64_bytes(text),
        "q" | "Q" => decode_quoted_printable(&text.replace('_', " ")),
        _ => return None,
    };
    Some((
        bytes,
        "=???".len() + charset.len() + encoding.len() + text.len() + "?=".len(),
    ))
}
