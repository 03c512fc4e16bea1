//! The submission workflow as a pure state machine: from (state, action, who is acting) to
//! the next state or a refusal. The store applies it in one transaction guarded by the
//! submission's version.
//!
//! ```text
//! draft --submit--> submitted --review:recommend--> recommended --sign-off:approve--> approved
//!   |                   |  \--review:request_changes--> changes_requested --submit--> submitted
//!   |                   \----review:reject----------> rejected
//!   \--withdraw--> withdrawn         recommended --sign-off:reject|request_changes--> rejected|changes_requested
//! ```

use crate::domain::Role;

crate::vocabulary!(SubmissionStatus {
    Draft => "draft",
    Submitted => "submitted",
    Recommended => "recommended",
    Approved => "approved",
    ChangesRequested => "changes_requested",
    Rejected => "rejected",
    Withdrawn => "withdrawn",
});

crate::vocabulary!(SubmissionKind {
    TitleApplication => "title_application",
    TitleReevaluation => "title_reevaluation",
    AuditReport => "audit_report",
    CorrectiveActionClosure => "corrective_action_closure",
    AnnualQualityReport => "annual_quality_report",
    /// a year's status data; its approval locks the year
    StatusData => "status_data",
});

impl SubmissionStatus {
    /// Still being worked on or decided: neither approved nor closed another way.
    pub fn is_open(self) -> bool {
        matches!(
            self,
            SubmissionStatus::Draft
                | SubmissionStatus::Submitted
                | SubmissionStatus::Recommended
                | SubmissionStatus::ChangesRequested
        )
    }
}

crate::vocabulary!(ReviewDecision {
    Recommend => "recommend",
    RequestChanges => "request_changes",
    Reject => "reject",
});

crate::vocabulary!(SignOffDecision {
    Approve => "approve",
    RequestChanges => "request_changes",
    Reject => "reject",
});

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    Submit,
    Withdraw,
    Review(ReviewDecision),
    SignOff(SignOffDecision),
}

impl Action {
    /// The name of the step in the history and the events.
    pub fn name(self) -> &'static str {
        match self {
            Action::Submit => "submit",
            Action::Withdraw => "withdraw",
            Action::Review(ReviewDecision::Recommend) => "review:recommend",
            Action::Review(ReviewDecision::RequestChanges) => "review:request_changes",
            Action::Review(ReviewDecision::Reject) => "review:reject",
            Action::SignOff(SignOffDecision::Approve) => "sign_off:approve",
            Action::SignOff(SignOffDecision::RequestChanges) => "sign_off:request_changes",
            Action::SignOff(SignOffDecision::Reject) => "sign_off:reject",
        }
    }

    /// Decisions must say why.
    pub fn needs_comment(self) -> bool {
        matches!(self, Action::Review(_) | Action::SignOff(_))
    }
}

/// What is known of the person acting and of the submission.
#[derive(Clone, Copy, Debug)]
pub struct Facts {
    pub role: Role,
    /// the actor is a quality officer of the submitting school
    pub officer_of_school: bool,
    /// the actor belongs to the school's province (reviewers, province admins)
    pub of_province: bool,
    /// the actor recommended this submission
    pub is_recommender: bool,
    /// the current round has at least one evidence file
    pub has_evidence: bool,
}

/// Why a step is refused; the store maps each to its HTTP answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// the role may not take this step (403)
    NotYourRole,
    /// the person who recommended may not sign off (403)
    FourEyes,
    /// not possible from the current state (409 `invalid_transition`)
    WrongState { from: SubmissionStatus },
    /// a submission needs evidence (409 `evidence_required`)
    NoEvidence,
}

pub fn transition(
    from: SubmissionStatus,
    action: Action,
    facts: Facts,
) -> Result<SubmissionStatus, Refusal> {
    use SubmissionStatus::*;
    let reviewer = matches!(facts.role, Role::Reviewer | Role::ProvinceAdmin) && facts.of_province;
    let signer = facts.role == Role::ProvinceAdmin && facts.of_province;
    match action {
        Action::Submit | Action::Withdraw
            if !(facts.role == Role::QualityOfficer && facts.officer_of_school) =>
        {
            Err(Refusal::NotYourRole)
        }
        Action::Submit => match from {
            Draft | ChangesRequested if !facts.has_evidence => Err(Refusal::NoEvidence),
            Draft | ChangesRequested => Ok(Submitted),
            _ => Err(Refusal::WrongState { from }),
        },
        Action::Withdraw => match from {
            Draft | ChangesRequested => Ok(Withdrawn),
            _ => Err(Refusal::WrongState { from }),
        },
        Action::Review(_) if !reviewer => Err(Refusal::NotYourRole),
        Action::Review(decision) => match from {
            Submitted => Ok(match decision {
                ReviewDecision::Recommend => Recommended,
                ReviewDecision::RequestChanges => ChangesRequested,
                ReviewDecision::Reject => Rejected,
            }),
            _ => Err(Refusal::WrongState { from }),
        },
        Action::SignOff(_) if !signer => Err(Refusal::NotYourRole),
        Action::SignOff(_) if from == Recommended && facts.is_recommender => Err(Refusal::FourEyes),
        Action::SignOff(decision) => match from {
            Recommended => Ok(match decision {
                SignOffDecision::Approve => Approved,
                SignOffDecision::RequestChanges => ChangesRequested,
                SignOffDecision::Reject => Rejected,
            }),
            _ => Err(Refusal::WrongState { from }),
        },
    }
}

/// A submission in one of these states can no longer change.
pub fn is_final(status: SubmissionStatus) -> bool {
    matches!(
        status,
        SubmissionStatus::Approved | SubmissionStatus::Rejected | SubmissionStatus::Withdrawn
    )
}

/// The submission holds what the school handed in (with the province, or approved): what
/// it was handed in with, such as the annual report's written sections, stays as it is
/// until changes are requested.
pub fn holds_handed_in(status: SubmissionStatus) -> bool {
    matches!(
        status,
        SubmissionStatus::Submitted | SubmissionStatus::Recommended | SubmissionStatus::Approved
    )
}

/// Evidence may be added while the school is preparing the submission.
pub fn accepts_evidence(status: SubmissionStatus) -> bool {
    matches!(
        status,
        SubmissionStatus::Draft | SubmissionStatus::ChangesRequested
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use SubmissionStatus::*;

    fn facts(role: Role) -> Facts {
        Facts {
            role,
            officer_of_school: role == Role::QualityOfficer,
            of_province: matches!(role, Role::Reviewer | Role::ProvinceAdmin),
            is_recommender: false,
            has_evidence: true,
        }
    }

    fn all_actions() -> Vec<Action> {
        let mut actions = vec![Action::Submit, Action::Withdraw];
        actions.extend(ReviewDecision::ALL.iter().map(|d| Action::Review(*d)));
        actions.extend(SignOffDecision::ALL.iter().map(|d| Action::SignOff(*d)));
        actions
    }

    #[test]
    fn the_happy_path() {
        let officer = facts(Role::QualityOfficer);
        let reviewer = facts(Role::Reviewer);
        let head = facts(Role::ProvinceAdmin);
        let s = transition(Draft, Action::Submit, officer).unwrap();
        let s = transition(s, Action::Review(ReviewDecision::Recommend), reviewer).unwrap();
        let s = transition(s, Action::SignOff(SignOffDecision::Approve), head).unwrap();
        assert_eq!(s, Approved);
    }

    #[test]
    fn changes_requested_goes_back_to_the_school() {
        let officer = facts(Role::QualityOfficer);
        let s = transition(
            Submitted,
            Action::Review(ReviewDecision::RequestChanges),
            facts(Role::Reviewer),
        )
        .unwrap();
        assert_eq!(s, ChangesRequested);
        assert_eq!(transition(s, Action::Submit, officer), Ok(Submitted));
        let s = transition(
            Recommended,
            Action::SignOff(SignOffDecision::RequestChanges),
            facts(Role::ProvinceAdmin),
        );
        assert_eq!(s, Ok(ChangesRequested));
    }

    #[test]
    fn four_eyes() {
        let mut head = facts(Role::ProvinceAdmin);
        head.is_recommender = true;
        for d in SignOffDecision::ALL {
            assert_eq!(
                transition(Recommended, Action::SignOff(*d), head),
                Err(Refusal::FourEyes)
            );
        }
        // A province admin may still recommend (as a reviewer would).
        assert_eq!(
            transition(Submitted, Action::Review(ReviewDecision::Recommend), head),
            Ok(Recommended)
        );
    }

    #[test]
    fn evidence_is_required_to_submit() {
        let mut officer = facts(Role::QualityOfficer);
        officer.has_evidence = false;
        assert_eq!(
            transition(Draft, Action::Submit, officer),
            Err(Refusal::NoEvidence)
        );
        assert_eq!(transition(Draft, Action::Withdraw, officer), Ok(Withdrawn));
    }

    #[test]
    fn other_tenants_and_roles_are_refused() {
        let mut stranger = facts(Role::QualityOfficer);
        stranger.officer_of_school = false;
        assert_eq!(
            transition(Draft, Action::Submit, stranger),
            Err(Refusal::NotYourRole)
        );
        let mut foreign_reviewer = facts(Role::Reviewer);
        foreign_reviewer.of_province = false;
        assert_eq!(
            transition(
                Submitted,
                Action::Review(ReviewDecision::Recommend),
                foreign_reviewer
            ),
            Err(Refusal::NotYourRole)
        );
        assert_eq!(
            transition(
                Recommended,
                Action::SignOff(SignOffDecision::Approve),
                facts(Role::Reviewer)
            ),
            Err(Refusal::NotYourRole),
            "reviewers never sign off"
        );
    }

    /// Every (state, role, action): the answer is decided, and only the allowed pairs
    /// move. This is the whole table of the diagram above.
    #[test]
    fn exhaustive_table() {
        let mut moves = Vec::new();
        for &from in SubmissionStatus::ALL {
            for &role in Role::ALL {
                for action in all_actions() {
                    if let Ok(to) = transition(from, action, facts(role)) {
                        moves.push((from, role, action.name(), to));
                    }
                }
            }
        }
        let expected = [
            (Draft, Role::QualityOfficer, "submit", Submitted),
            (Draft, Role::QualityOfficer, "withdraw", Withdrawn),
            (Submitted, Role::Reviewer, "review:recommend", Recommended),
            (
                Submitted,
                Role::Reviewer,
                "review:request_changes",
                ChangesRequested,
            ),
            (Submitted, Role::Reviewer, "review:reject", Rejected),
            (
                Submitted,
                Role::ProvinceAdmin,
                "review:recommend",
                Recommended,
            ),
            (
                Submitted,
                Role::ProvinceAdmin,
                "review:request_changes",
                ChangesRequested,
            ),
            (Submitted, Role::ProvinceAdmin, "review:reject", Rejected),
            (
                Recommended,
                Role::ProvinceAdmin,
                "sign_off:approve",
                Approved,
            ),
            (
                Recommended,
                Role::ProvinceAdmin,
                "sign_off:request_changes",
                ChangesRequested,
            ),
            (
                Recommended,
                Role::ProvinceAdmin,
                "sign_off:reject",
                Rejected,
            ),
            (ChangesRequested, Role::QualityOfficer, "submit", Submitted),
            (
                ChangesRequested,
                Role::QualityOfficer,
                "withdraw",
                Withdrawn,
            ),
        ];
        assert_eq!(moves, expected);
        for &from in SubmissionStatus::ALL {
            if is_final(from) {
                assert!(moves.iter().all(|(f, ..)| *f != from), "{from} is final");
            }
        }
    }
}
