//! Background jobs a caller may poll (rules.md §5): the lead reassignment
//! a removal starts. The job row is ours (table `job`); the apalis task
//! that runs it carries the job's id only.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::{JobId, OrgId, UserId};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JobState {
    /// Enqueued, no batch run yet.
    Pending,
    /// At least one batch committed.
    Running,
    /// Nothing left to do (set in the transaction of the last batch).
    Done,
    /// The queue gave up after its last attempt.
    Failed,
}

impl JobState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "PENDING",
            Self::Running => "RUNNING",
            Self::Done => "DONE",
            Self::Failed => "FAILED",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "PENDING" => Self::Pending,
            "RUNNING" => Self::Running,
            "DONE" => Self::Done,
            "FAILED" => Self::Failed,
            _ => return None,
        })
    }

    /// Whether the job will change nothing any more.
    pub fn is_finished(self) -> bool {
        matches!(self, Self::Done | Self::Failed)
    }
}

/// A job as the API shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Job {
    pub id: JobId,
    pub org_id: OrgId,
    /// `lead_reassignment`.
    pub kind: String,
    pub state: JobState,
    pub done: i64,
    pub total: i64,
    pub created_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}

/// The apalis task of a lead reassignment: the job's id, nothing else
/// (the job row holds what to move and where the last batch stopped).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReassignmentTask {
    pub job_id: JobId,
}

impl ReassignmentTask {
    pub const QUEUE: &'static str = "lead-reassignment";
    pub const KIND: &'static str = "lead_reassignment";
}

/// A member's removal as the caller asked it (rules.md §5).
#[derive(Clone, Copy, Debug)]
pub struct Removal {
    pub org: OrgId,
    pub user: UserId,
    /// An ACTIVE member of the same organization, or none: the leads
    /// become unassigned.
    pub reassign_leads_to: Option<UserId>,
    pub now: DateTime<Utc>,
}

/// What a removal did: the membership is gone, the leads move in `job`.
#[derive(Clone, Debug)]
pub struct Removed {
    pub user: UserId,
    pub job: Job,
}

/// What one batch of a reassignment did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BatchOutcome {
    /// Moved this many leads; more may be left.
    Moved(u64),
    /// Another delivery of the same task holds the job: try again later.
    Busy,
    /// The job is finished (now or before).
    Finished,
    /// Its organization is deleted: nothing moves, the job stays as it is
    /// and is enqueued again if the organization is restored.
    Suspended,
}
