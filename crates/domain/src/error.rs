//! The errors of the domain. Every layer speaks these; the gateway maps each
//! to one stable `extensions.code` (rules.md §8) in one place.

use std::fmt;

/// The stable codes a client sees in `extensions.code`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorCode {
    Unauthenticated,
    Forbidden,
    NotFound,
    Validation,
    Conflict,
    SeatLimitReached,
    LastAdmin,
    InvitationExpired,
    InvitationInvalid,
    PasswordChangeRequired,
    EmailNotVerified,
    RateLimited,
    Internal,
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Unauthenticated => "UNAUTHENTICATED",
            Self::Forbidden => "FORBIDDEN",
            Self::NotFound => "NOT_FOUND",
            Self::Validation => "VALIDATION",
            Self::Conflict => "CONFLICT",
            Self::SeatLimitReached => "SEAT_LIMIT_REACHED",
            Self::LastAdmin => "LAST_ADMIN",
            Self::InvitationExpired => "INVITATION_EXPIRED",
            Self::InvitationInvalid => "INVITATION_INVALID",
            Self::PasswordChangeRequired => "PASSWORD_CHANGE_REQUIRED",
            Self::EmailNotVerified => "EMAIL_NOT_VERIFIED",
            Self::RateLimited => "RATE_LIMITED",
            Self::Internal => "INTERNAL",
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum DomainError {
    #[error("authentication required")]
    Unauthenticated,
    #[error("the email or password is wrong")]
    WrongCredentials,
    #[error("you may not do this")]
    Forbidden,
    #[error("not found")]
    NotFound,
    #[error("{0}")]
    Validation(String),
    #[error("{0}")]
    Conflict(String),
    #[error("the organization has no free seat")]
    SeatLimitReached,
    /// A downgrade to a plan with fewer seats than are in use: the
    /// numbers go to `extensions` (seatsUsed, seatLimit, seatsToFree).
    #[error(
        "{seats_used} seats are in use and {} allows {seat_limit}: free {} first",
        plan.as_str(),
        seats_used - seat_limit
    )]
    PlanTooSmall {
        plan: crate::Plan,
        seats_used: i64,
        seat_limit: i64,
    },
    #[error("the organization must keep at least one active admin")]
    LastAdmin,
    #[error("the invitation has expired")]
    InvitationExpired,
    #[error("the invitation is not valid")]
    InvitationInvalid,
    #[error("change your password first")]
    PasswordChangeRequired,
    /// A mailed link (a password reset) that was used, has expired or never
    /// existed: `NOT_FOUND`, the same for each (docs/api/sessions.md).
    #[error("this link does not work: it was already used, it has expired, or it never existed")]
    LinkInvalid,
    /// `ROSTER_LOCAL_ACCOUNTS=false`: no sign-up or password log-in
    /// (docs/api/own-log-in.md). `FORBIDDEN`, reason `LOCAL_ACCOUNTS_DISABLED`.
    #[error(
        "this deployment has no Roster sign-up or password log-in: log in through your product"
    )]
    LocalAccountsOff,
    /// An account a trusted issuer's token created has no Roster password.
    /// `FORBIDDEN`, reason `PRODUCT_LOG_IN`.
    #[error("this account logs in through its product and has no Roster password")]
    ProductLogInOnly,
    /// `logOut` with a trusted issuer's token: there is no Roster session
    /// to end. `FORBIDDEN`, reason `PRODUCT_LOG_IN`.
    #[error(
        "signed in by your product's token: there is no Roster session to end; log out in the product"
    )]
    ProductSession,
    /// `ROSTER_REQUIRE_VERIFIED_EMAIL`: verify your address first
    /// (docs/api/sessions.md).
    #[error("verify your email address first")]
    EmailNotVerified,
    /// Too many attempts; the client may try again after `retry_after_seconds`
    /// (at least 1), sent as `extensions.retryAfterSeconds`.
    #[error("too many attempts; try again later")]
    RateLimited { retry_after_seconds: u64 },
    /// Anything unexpected. The cause is logged, never shown to clients.
    #[error("internal error")]
    Internal(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl DomainError {
    pub fn validation(message: impl Into<String>) -> Self {
        Self::Validation(message.into())
    }

    /// `RATE_LIMITED`, to be retried after `wait` (rounded up, at least 1 s).
    pub fn rate_limited(wait: std::time::Duration) -> Self {
        let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
        Self::RateLimited {
            retry_after_seconds: seconds.max(1),
        }
    }

    pub fn internal(cause: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        Self::Internal(cause.into())
    }

    /// A finer reason than the code, for clients that act on it
    /// (`extensions.reason`, docs/api/errors.md).
    pub fn reason(&self) -> Option<&'static str> {
        match self {
            Self::LocalAccountsOff => Some("LOCAL_ACCOUNTS_DISABLED"),
            Self::ProductLogInOnly | Self::ProductSession => Some("PRODUCT_LOG_IN"),
            _ => None,
        }
    }

    pub fn code(&self) -> ErrorCode {
        match self {
            Self::Unauthenticated | Self::WrongCredentials => ErrorCode::Unauthenticated,
            Self::Forbidden
            | Self::LocalAccountsOff
            | Self::ProductLogInOnly
            | Self::ProductSession => ErrorCode::Forbidden,
            Self::NotFound | Self::LinkInvalid => ErrorCode::NotFound,
            Self::Validation(_) => ErrorCode::Validation,
            Self::Conflict(_) => ErrorCode::Conflict,
            Self::SeatLimitReached | Self::PlanTooSmall { .. } => ErrorCode::SeatLimitReached,
            Self::LastAdmin => ErrorCode::LastAdmin,
            Self::InvitationExpired => ErrorCode::InvitationExpired,
            Self::InvitationInvalid => ErrorCode::InvitationInvalid,
            Self::PasswordChangeRequired => ErrorCode::PasswordChangeRequired,
            Self::EmailNotVerified => ErrorCode::EmailNotVerified,
            Self::RateLimited { .. } => ErrorCode::RateLimited,
            Self::Internal(_) => ErrorCode::Internal,
        }
    }
}

pub type Result<T, E = DomainError> = std::result::Result<T, E>;
