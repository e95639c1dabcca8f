//! Roles, statuses, plans and deliveries, with their stable text form (the
//! one stored in the database and shown in the API).

use std::str::FromStr;

use crate::DomainError;

macro_rules! text_enum {
    ($(#[$doc:meta])* $name:ident { $($variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        /// Serialized as its text form, as stored and shown.
        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let text = String::deserialize(d)?;
                text.parse().map_err(|_| serde::de::Error::custom(format!("unknown value {text:?}")))
            }
        }

        impl FromStr for $name {
            type Err = DomainError;
            fn from_str(s: &str) -> Result<Self, DomainError> {
                match s {
                    $($text => Ok($name::$variant),)+
                    other => Err(DomainError::internal(format!(concat!("unknown ", stringify!($name), " {:?}"), other))),
                }
            }
        }
    };
}

text_enum!(/// A member's role in one organization (rules.md §2).
    OrgRole { Admin => "ADMIN", BillingAdmin => "BILLING_ADMIN", UserAdmin => "USER_ADMIN", Member => "MEMBER" });
text_enum!(/// Where a membership stands (rules.md §4).
    MemberStatus { Invited => "INVITED", Active => "ACTIVE", Blocked => "BLOCKED" });
text_enum!(/// A subscription plan; it sets the seat limit.
    Plan { Basic => "BASIC", Pro => "PRO", Enterprise => "ENTERPRISE" });
text_enum!(/// Whether the plan renews at the period's end (ACTIVE) or falls back to
    /// BASIC then (CANCELED).
    SubscriptionStatus { Active => "ACTIVE", Canceled => "CANCELED" });
text_enum!(/// Why an invoice was issued: a period began, or the plan changed in one.
    InvoiceKind { Period => "PERIOD", PlanChange => "PLAN_CHANGE" });
text_enum!(/// Where an invitation stands (rules.md §3). Only PENDING moves.
    InvitationStatus { Pending => "PENDING", Accepted => "ACCEPTED", Declined => "DECLINED", Revoked => "REVOKED", Expired => "EXPIRED" });
text_enum!(/// How an organization's invitations reach people (rules.md §3).
    InvitationDelivery { Link => "LINK", TemporaryPassword => "TEMPORARY_PASSWORD" });

impl Plan {
    /// Seats the plan allows; `None` is unlimited.
    pub fn seat_limit(self) -> Option<i64> {
        match self {
            Plan::Basic => Some(10),
            Plan::Pro => Some(50),
            Plan::Enterprise => None,
        }
    }

    /// A move to this plan with `in_use` seats taken: `PlanTooSmall` (with
    /// the numbers, `SEAT_LIMIT_REACHED`) when they do not fit (rules.md §4).
    pub fn check_holds(self, in_use: i64) -> Result<(), DomainError> {
        match self.seat_limit() {
            Some(limit) if in_use > limit => Err(DomainError::PlanTooSmall {
                plan: self,
                seats_used: in_use,
                seat_limit: limit,
            }),
            _ => Ok(()),
        }
    }

    /// A seat for one more (an invitation, an unblock), with `in_use`
    /// seats taken: `SEAT_LIMIT_REACHED` when none is free (rules.md §4).
    pub fn check_free_seat(self, in_use: i64) -> Result<(), DomainError> {
        self.check_seats(in_use + 1)
    }

    /// `in_use` seats, the one asking included (an accept: its invitation
    /// held a seat already): `SEAT_LIMIT_REACHED` beyond the limit, which
    /// only an organization over its limit can be (rules.md §4).
    pub fn check_seats(self, in_use: i64) -> Result<(), DomainError> {
        match self.seat_limit() {
            Some(limit) if in_use > limit => Err(DomainError::SeatLimitReached),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_forms_round_trip() {
        for r in OrgRole::ALL {
            assert_eq!(r.as_str().parse::<OrgRole>().unwrap(), *r);
        }
        for p in Plan::ALL {
            assert_eq!(p.as_str().parse::<Plan>().unwrap(), *p);
        }
        assert!("OWNER".parse::<OrgRole>().is_err());
    }

    #[test]
    fn plans_set_seats() {
        assert_eq!(Plan::Basic.seat_limit(), Some(10));
        assert_eq!(Plan::Pro.seat_limit(), Some(50));
        assert_eq!(Plan::Enterprise.seat_limit(), None);
    }

    #[test]
    fn seats_run_out_at_the_limit() {
        assert!(Plan::Basic.check_free_seat(9).is_ok());
        assert!(matches!(
            Plan::Basic.check_free_seat(10),
            Err(DomainError::SeatLimitReached)
        ));
        assert!(Plan::Basic.check_seats(10).is_ok());
        assert!(matches!(
            Plan::Basic.check_seats(11),
            Err(DomainError::SeatLimitReached)
        ));
        assert!(Plan::Pro.check_holds(50).is_ok());
        assert!(matches!(
            Plan::Pro.check_holds(51),
            Err(DomainError::PlanTooSmall {
                plan: Plan::Pro,
                seats_used: 51,
                seat_limit: 50
            })
        ));
        assert!(Plan::Enterprise.check_holds(i64::MAX).is_ok());
        assert!(Plan::Enterprise.check_free_seat(i64::MAX - 1).is_ok());
        assert!(Plan::Enterprise.check_seats(i64::MAX).is_ok());
    }
}
