//! The vocabulary of a school's quality record (audits, findings, titles) and the life of a
//! finding.

use crate::domain::message::Msg;

crate::vocabulary!(AuditKind {
    Internal => "internal",
    ManagementReview => "management_review",
    CertificationStage1 => "certification_stage1",
    CertificationStage2 => "certification_stage2",
    Surveillance => "surveillance",
    Recertification => "recertification",
    ProvincialInspection => "provincial_inspection",
});

crate::vocabulary!(FindingGrade {
    /// major nonconformity
    MajorNc => "major_nc",
    /// minor nonconformity
    MinorNc => "minor_nc",
    Observation => "observation",
    /// opportunity for improvement
    Ofi => "ofi",
});

crate::vocabulary!(FindingStatus {
    Open => "open",
    ActionPlanned => "action_planned",
    Closed => "closed",
    Verified => "verified",
});

crate::vocabulary!(TitleLevel {
    National => "national",
    Provincial => "provincial",
    Municipal => "municipal",
});

crate::vocabulary!(HoldingStatus {
    Active => "active",
    Suspended => "suspended",
    Revoked => "revoked",
});

crate::vocabulary!(
    /// What the province decided for a title of a merged or closed school.
    TitleSettlement {
        /// moved to the successor, with its dates
        Transferred => "transferred",
        /// ended with the school
        Ended => "ended",
        /// kept on the old school's record as history
        Kept => "kept",
    }
);

impl FindingStatus {
    /// The statuses of a finding not yet dealt with: open, or with its action planned.
    pub const UNRESOLVED: [FindingStatus; 2] = [FindingStatus::Open, FindingStatus::ActionPlanned];

    /// Closed by the school, or verified too.
    pub fn is_closed(self) -> bool {
        matches!(self, FindingStatus::Closed | FindingStatus::Verified)
    }
}

impl AuditKind {
    /// The audits that start a certificate's next yearly surveillance interval.
    pub const KEEPING_CERTIFICATION: [AuditKind; 2] =
        [AuditKind::Surveillance, AuditKind::Recertification];
}

impl FindingGrade {
    /// Nonconformities need a corrective action; observations and OFIs may be closed without.
    pub fn needs_corrective_action(self) -> bool {
        matches!(self, FindingGrade::MajorNc | FindingGrade::MinorNc)
    }
}

/// What is known of a finding when its status is to change.
#[derive(Clone, Copy, Debug, Default)]
pub struct FindingFacts {
    /// root cause, action and owner are all recorded
    pub action_planned: bool,
    /// the action's done date is recorded
    pub action_done: bool,
    /// a verification of effectiveness says the action worked
    pub verified_effective: bool,
    /// a reason for reopening was given
    pub reopen_reason: bool,
}

/// May a finding of `grade` move from `from` to `to`? The refusal names the field that is
/// missing or wrong.
pub fn finding_transition(
    grade: FindingGrade,
    from: FindingStatus,
    to: FindingStatus,
    facts: FindingFacts,
) -> Result<(), (&'static str, Msg)> {
    use FindingStatus::*;
    let refuse = |field: &'static str, problem: Msg| Err((field, problem));
    match (from, to) {
        (a, b) if a == b => Ok(()),
        (Open, ActionPlanned) | (Closed, ActionPlanned) if !facts.action_planned => {
            refuse("corrective_action", Msg::ActionIncomplete)
        }
        (Open | Closed, ActionPlanned) => Ok(()),
        (Open, Closed) if grade.needs_corrective_action() => {
            refuse("status", Msg::ClosedThroughAction)
        }
        (Open, Closed) => Ok(()),
        (ActionPlanned, Closed) if !facts.action_done => {
            refuse("action_done_on", Msg::ActionNotDone)
        }
        (ActionPlanned, Closed) => Ok(()),
        (Closed, Verified) if !facts.verified_effective => {
            refuse("verification", Msg::NotVerifiedEffective)
        }
        (Closed, Verified) => Ok(()),
        (ActionPlanned | Closed | Verified, Open) if !facts.reopen_reason => {
            refuse("reopen_reason", Msg::ReopenReason)
        }
        (ActionPlanned | Closed | Verified, Open) => Ok(()),
        (_, _) => refuse(
            "status",
            Msg::FindingMove {
                from: from.to_string(),
                to: to.to_string(),
            },
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use FindingStatus::*;

    const ALL_FACTS: FindingFacts = FindingFacts {
        action_planned: true,
        action_done: true,
        verified_effective: true,
        reopen_reason: true,
    };

    #[test]
    fn the_normal_life_of_a_nonconformity() {
        let g = FindingGrade::MajorNc;
        assert!(finding_transition(g, Open, ActionPlanned, ALL_FACTS).is_ok());
        assert!(finding_transition(g, ActionPlanned, Closed, ALL_FACTS).is_ok());
        assert!(finding_transition(g, Closed, Verified, ALL_FACTS).is_ok());
    }

    #[test]
    fn each_step_needs_its_facts() {
        let g = FindingGrade::MinorNc;
        let none = FindingFacts::default();
        assert_eq!(
            finding_transition(g, Open, ActionPlanned, none)
                .unwrap_err()
                .0,
            "corrective_action"
        );
        assert_eq!(
            finding_transition(g, ActionPlanned, Closed, none)
                .unwrap_err()
                .0,
            "action_done_on"
        );
        assert_eq!(
            finding_transition(g, Closed, Verified, none).unwrap_err().0,
            "verification"
        );
        assert_eq!(
            finding_transition(g, Verified, Open, none).unwrap_err().0,
            "reopen_reason"
        );
        assert_eq!(
            finding_transition(g, Open, Closed, ALL_FACTS)
                .unwrap_err()
                .0,
            "status"
        );
    }

    #[test]
    fn observations_close_without_action() {
        assert!(
            finding_transition(
                FindingGrade::Observation,
                Open,
                Closed,
                FindingFacts::default()
            )
            .is_ok()
        );
        assert!(
            finding_transition(FindingGrade::Ofi, Open, Closed, FindingFacts::default()).is_ok()
        );
    }

    #[test]
    fn no_skipping_ahead() {
        for grade in FindingGrade::ALL {
            assert!(finding_transition(*grade, Open, Verified, ALL_FACTS).is_err());
            assert!(finding_transition(*grade, ActionPlanned, Verified, ALL_FACTS).is_err());
            assert!(finding_transition(*grade, Verified, Closed, ALL_FACTS).is_err());
        }
    }

    #[test]
    fn every_pair_is_decided() {
        // Exhaustive: every (grade, from, to) either passes or names a field.
        for grade in FindingGrade::ALL {
            for from in FindingStatus::ALL {
                for to in FindingStatus::ALL {
                    if let Err((field, text)) = finding_transition(*grade, *from, *to, ALL_FACTS) {
                        assert!(!field.is_empty() && !text.to_string().is_empty());
                    }
                }
            }
        }
    }
}
