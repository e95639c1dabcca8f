//! Where an invitation email's link points: Roster's accept page, or a
//! product's own page (`ROSTER_INVITE_URL`, docs/api/own-log-in.md), which
//! calls `acceptInvitation(token)` with its own user's token.

/// A URL template holding `{token}` once.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InviteUrl(String);

impl InviteUrl {
    pub const TOKEN: &str = "{token}";

    /// `template`, if it is an http(s) URL holding `{token}` exactly once;
    /// else what is wrong with it.
    pub fn parse(template: &str) -> Result<Self, String> {
        let template = template.trim();
        if !(template.starts_with("https://") || template.starts_with("http://"))
            || template.contains(char::is_whitespace)
        {
            return Err(format!("{template:?} is not an http:// or https:// URL"));
        }
        if template.matches(Self::TOKEN).count() != 1 {
            return Err(format!(
                "{template:?} must hold {} exactly once",
                Self::TOKEN
            ));
        }
        Ok(Self(template.to_owned()))
    }

    /// Roster's own accept page: `{public_url}/invite/{token}`.
    pub fn accept_page(public_url: &str) -> Self {
        Self(format!(
            "{}/invite/{}",
            public_url.trim_end_matches('/'),
            Self::TOKEN
        ))
    }

    /// The link for `token` (URL-safe already: base64url).
    pub fn link(&self, token: &str) -> String {
        self.0.replacen(Self::TOKEN, token, 1)
    }
}

#[cfg(test)]
mod tests {
    use super::InviteUrl;

    #[test]
    fn the_token_goes_where_the_template_says() {
        let product = InviteUrl::parse("https://app.example.com/join?invite={token}&x=1").unwrap();
        assert_eq!(
            product.link("abc"),
            "https://app.example.com/join?invite=abc&x=1"
        );
        let own = InviteUrl::accept_page("https://roster.example.com/");
        assert_eq!(own.link("abc"), "https://roster.example.com/invite/abc");
    }

    #[test]
    fn a_template_needs_one_token_and_a_web_scheme() {
        assert!(InviteUrl::parse("https://app.example.com/join").is_err());
        assert!(InviteUrl::parse("https://app.example.com/{token}/{token}").is_err());
        assert!(InviteUrl::parse("ftp://app.example.com/{token}").is_err());
        assert!(InviteUrl::parse("https://app.example.com/ {token}").is_err());
    }
}
