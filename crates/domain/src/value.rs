//! Values parsed once at the edge. Past the edge functions take these types,
//! so an invalid email or an empty name cannot reach a rule or a query.

use std::fmt;

use crate::DomainError;

/// Characters a name may not contain: control characters (newlines and the
/// like break emails and logs).
fn has_control(s: &str) -> bool {
    s.chars().any(char::is_control)
}

/// An email address as the user typed it (trimmed). Compared after
/// Unicode normalization and case folding through [`Email::normalized`]
/// (rules.md §1); an address mixing Latin letters with Cyrillic or Greek
/// ones in one part (`kаte` with a Cyrillic `а`) is refused, since it can
/// only be a look-alike of another (docs/api/sessions.md).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    pub const MAX_LEN: usize = 254;

    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        let s = raw.trim();
        let invalid = || DomainError::validation("email is not a valid address");
        if s.is_empty()
            || s.len() > Self::MAX_LEN
            || has_control(s)
            || s.contains(char::is_whitespace)
        {
            return Err(invalid());
        }
        let (local, domain) = s.rsplit_once('@').ok_or_else(invalid)?;
        let domain_ok = !domain.is_empty()
            && domain.len() <= 253
            && domain.contains('.')
            && !domain.starts_with(['.', '-'])
            && !domain.ends_with(['.', '-'])
            && !domain.contains("..")
            && domain
                .chars()
                .all(|c| c.is_alphanumeric() || c == '.' || c == '-');
        let local_ok = !local.is_empty()
            && local.len() <= 64
            && !local.contains('@')
            && !local.starts_with('.')
            && !local.ends_with('.')
            && !local.contains("..")
            && !local.contains(['<', '>', '(', ')', '[', ']', ',', ';', ':', '\\', '"']);
        if !(domain_ok && local_ok) {
            return Err(invalid());
        }
        let key = Self::key(s);
        let (local, domain) = key.rsplit_once('@').ok_or_else(invalid)?;
        if std::iter::once(local)
            .chain(domain.split('.'))
            .any(mixes_look_alike_scripts)
        {
            return Err(DomainError::validation(
                "email mixes Latin letters with Cyrillic or Greek ones",
            ));
        }
        Ok(Self(s.to_owned()))
    }

    /// The comparison key of an address as stored (rules.md §1): NFKC, then
    /// Unicode lowercase, then NFKC again (lowercasing can undo NFKC). So
    /// the Kelvin sign `\u{212A}` and a full-width `ｋ` both fold to `k`.
    /// Also used to recompute the keys of rows stored before this rule
    /// (docs/operations/upgrades.md).
    pub fn key(raw: &str) -> String {
        use unicode_normalization::UnicodeNormalization;
        let lower = raw.nfkc().collect::<String>().to_lowercase();
        lower.nfkc().collect()
    }

    /// Names the computation of [`Email::key`]: its steps and the Unicode
    /// versions of the tables it uses (unicode-normalization's for NFKC,
    /// the standard library's for lowercase). Keys stored under another
    /// version are recomputed by `migrate` (docs/operations/upgrades.md);
    /// change the leading `v1` when the steps change.
    pub fn key_version() -> String {
        let (a, b, c) = unicode_normalization::UNICODE_VERSION;
        let (d, e, f) = std::char::UNICODE_VERSION;
        format!("v1 nfkc-lower-nfkc nfkc={a}.{b}.{c} lower={d}.{e}.{f}")
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The form two addresses are compared in ([`Email::key`]).
    pub fn normalized(&self) -> String {
        Self::key(&self.0)
    }
}

/// The scripts whose letters pass for Latin ones.
#[derive(Clone, Copy, PartialEq, Eq)]
enum LookAlike {
    Latin,
    Greek,
    Cyrillic,
}

fn look_alike_script(c: char) -> Option<LookAlike> {
    match c as u32 {
        _ if c.is_ascii_alphabetic() => Some(LookAlike::Latin),
        0xC0..=0x24F | 0x1E00..=0x1EFF if c.is_alphabetic() => Some(LookAlike::Latin),
        0x370..=0x3FF | 0x1F00..=0x1FFF if c.is_alphabetic() => Some(LookAlike::Greek),
        0x400..=0x52F | 0x1C80..=0x1C8F | 0xA640..=0xA69F if c.is_alphabetic() => {
            Some(LookAlike::Cyrillic)
        }
        _ => None,
    }
}

/// Whether one part of an address (its local part, or a domain label)
/// has letters of two of Latin, Greek and Cyrillic.
fn mixes_look_alike_scripts(part: &str) -> bool {
    let mut scripts = part.chars().filter_map(look_alike_script);
    let Some(first) = scripts.next() else {
        return false;
    };
    scripts.any(|s| s != first)
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

macro_rules! name_type {
    ($(#[$doc:meta])* $name:ident, $what:literal, $max:literal, $mailed:literal) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq)]
        pub struct $name(String);

        impl $name {
            pub const MAX_CHARS: usize = $max;

            pub fn parse(raw: &str) -> Result<Self, DomainError> {
                let s = raw.trim();
                if s.is_empty() {
                    return Err(DomainError::validation(concat!($what, " must not be empty")));
                }
                if s.chars().count() > Self::MAX_CHARS {
                    return Err(DomainError::validation(concat!($what, " is longer than ", $max, " characters")));
                }
                if has_control(s) {
                    return Err(DomainError::validation(concat!($what, " contains control characters")));
                }
                if $mailed && has_link(s) {
                    return Err(DomainError::validation(concat!(
                        $what, " must not contain a web address or an email address"
                    )));
                }
                Ok(Self(s.to_owned()))
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

// The last argument says whether the name goes into emails Roster sends
// (from its own sender, so that a name holding a link would read as
// Roster's own words): such names may hold no web or email address.
name_type!(/// A person's display name.
    DisplayName, "display name", 100, true);
name_type!(/// An organization's name.
    OrgName, "organization name", 100, true);
name_type!(/// The name of a workspace or an assistant.
    ResourceName, "name", 100, true);
name_type!(/// The name of a lead (a contact).
    LeadName, "name", 200, false);
name_type!(/// The company of a lead.
    LeadCompany, "company", 200, false);
name_type!(/// A lead's status: free text (`NEW` when none is given).
    LeadStatus, "status", 40, false);

/// Whether `s` holds something a mail client would make a link of: a URL
/// (`scheme://`, `www.`), an email address (`x@y.z`), or a host name
/// followed by a path (`evil.example/sso`). A bare dotted word such as
/// `Acme.io` or `Node.js` stays allowed: it is a common company name.
fn has_link(s: &str) -> bool {
    s.split(|c: char| c.is_whitespace() || matches!(c, '(' | ')' | '<' | '>' | '"' | ',' | ';'))
        .any(|word| {
            let word = word.to_lowercase();
            let dotted = |part: &str| {
                let mut labels = part.split('.');
                part.contains('.') && labels.all(|l| !l.is_empty())
            };
            word.contains("://")
                || word.starts_with("www.")
                || word.split_once('@').is_some_and(|(local, domain)| {
                    !local.is_empty() && dotted(domain.trim_end_matches('.'))
                })
                || word.split_once('/').is_some_and(|(host, _)| dotted(host))
        })
}

/// A new password, checked for length (NIST SP 800-63B: at least 8, and a
/// bound so that hashing cost stays predictable). Never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl Password {
    pub const MIN_CHARS: usize = 8;
    pub const MAX_CHARS: usize = 128;

    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        let n = raw.chars().count();
        if n < Self::MIN_CHARS {
            return Err(DomainError::validation(
                "password must be at least 8 characters",
            ));
        }
        if n > Self::MAX_CHARS {
            return Err(DomainError::validation(
                "password must be at most 128 characters",
            ));
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(..)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_trimmed_and_kept_as_given() {
        let e = Email::parse("  Ada.Lovelace@Example.COM ").unwrap();
        assert_eq!(e.as_str(), "Ada.Lovelace@Example.COM");
        assert_eq!(e.normalized(), "ada.lovelace@example.com");
    }

    #[test]
    fn the_key_version_names_the_steps_and_their_unicode_tables() {
        // The steps this version names; a change to them changes `v1`.
        assert_eq!(Email::key("\u{212A}ATE@Example.COM"), "kate@example.com");
        assert_eq!(Email::key("\u{FF4B}ate@example.com"), "kate@example.com");
        let version = Email::key_version();
        assert!(version.starts_with("v1 nfkc-lower-nfkc nfkc="), "{version}");
        assert!(version.contains(" lower="), "{version}");
    }

    #[test]
    fn malformed_emails_are_rejected() {
        for bad in [
            "",
            "plain",
            "@example.com",
            "a@",
            "a@b",
            "a b@example.com",
            "a@exa mple.com",
            "a@@example.com",
            "a@example..com",
            ".a@example.com",
            "a@-example.com",
            "a\n@example.com",
            "<a>@example.com",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad:?} was accepted");
        }
        let long = format!("{}@example.com", "a".repeat(250));
        assert!(Email::parse(&long).is_err());
    }

    #[test]
    fn email_key_folds_compatibility_forms_and_case() {
        let kelvin = Email::parse("\u{212A}ate@example.com").unwrap();
        assert_eq!(kelvin.as_str(), "\u{212A}ate@example.com");
        assert_eq!(kelvin.normalized(), "kate@example.com");
        let wide = Email::parse("\u{FF4B}ate@EXAMPLE.com").unwrap();
        assert_eq!(wide.normalized(), "kate@example.com");
        assert_eq!(Email::key("Jos\u{0065}\u{0301}@x.org"), "jos\u{e9}@x.org");
        assert_eq!(Email::key("ΣΟΦΙΑ@x.org"), Email::key("σοφια@x.org"));
    }

    #[test]
    fn email_mixing_latin_with_cyrillic_or_greek_is_refused() {
        for bad in [
            "k\u{0430}te@example.com",
            "kate@ex\u{0430}mple.com",
            "\u{03BF}ne@example.com",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad:?} was accepted");
        }
        for good in [
            "jos\u{e9}@example.com",
            "\u{043A}\u{0430}\u{0442}\u{044F}@example.com",
            "kate@\u{043F}\u{0440}\u{0438}\u{043C}\u{0435}\u{0440}.\u{0440}\u{0444}",
            "\u{3b1}\u{3bb}\u{3c6}\u{3b1}@example.com",
        ] {
            assert!(Email::parse(good).is_ok(), "{good:?} was refused");
        }
    }

    #[test]
    fn names_are_bounded_and_clean() {
        assert_eq!(DisplayName::parse("  Ada ").unwrap().as_str(), "Ada");
        assert!(DisplayName::parse("   ").is_err());
        assert!(DisplayName::parse(&"x".repeat(101)).is_err());
        assert!(DisplayName::parse(&"é".repeat(100)).is_ok());
        assert!(OrgName::parse("Acme\u{0}").is_err());
    }

    #[test]
    fn mailed_names_hold_no_links() {
        for bad in [
            "IT Helpdesk: your account expires, log in at https://evil.example/sso",
            "see http://x.y",
            "hxxp://evil",
            "www.evil.example",
            "mail it@evil.example now",
            "(it@evil.example)",
            "log in at evil.example/sso",
            "WWW.EVIL.COM",
        ] {
            assert!(OrgName::parse(bad).is_err(), "{bad:?}");
            assert!(DisplayName::parse(bad).is_err(), "{bad:?}");
            assert!(ResourceName::parse(bad).is_err(), "{bad:?}");
        }
        for good in [
            "Acme.io",
            "Node.js Team",
            "R&D / Sales",
            "Ada @ Acme",
            "A/B tests",
            "Mr. Smith",
        ] {
            assert!(OrgName::parse(good).is_ok(), "{good:?}");
        }
        assert!(LeadName::parse("Bob (bob@example.com)").is_ok());
    }

    #[test]
    fn passwords_have_bounds_and_never_print() {
        assert!(Password::parse("short").is_err());
        assert!(Password::parse(&"p".repeat(129)).is_err());
        let p = Password::parse("correct horse").unwrap();
        assert_eq!(format!("{p:?}"), "Password(..)");
    }
}
