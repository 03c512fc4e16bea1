//! The history's hash chain. Each entry's hash covers the previous entry's hash and the
//! entry's own content, so that editing or deleting any entry breaks the chain from there on.

use serde::Serialize;
use sha2::{Digest, Sha256};

/// The "previous hash" of the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What an entry says, exactly as stored (timestamps as RFC 3339 text in UTC, with
/// microseconds; before and after as the JSON text stored).
#[derive(Debug, Serialize)]
pub struct EntryContent<'a> {
    pub id: i64,
    pub at: &'a str,
    pub actor_id: Option<i64>,
    pub school_id: Option<i64>,
    pub action: &'a str,
    pub entity: &'a str,
    pub entity_id: i64,
    pub before: Option<&'a str>,
    pub after: Option<&'a str>,
}

/// The hash of an entry following `previous`: SHA-256 over the previous hash and the
/// entry's canonical JSON, in lower-case hex.
pub fn entry_hash(previous: &str, content: &EntryContent<'_>) -> String {
    let mut hasher = Sha256::new();
    hasher.update(previous.as_bytes());
    hasher.update(b"\n");
    // Field order is fixed by the struct, so the text is canonical.
    hasher.update(
        serde_json::to_string(content)
            .unwrap_or_default()
            .as_bytes(),
    );
    hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

crate::vocabulary!(
    /// What a history entry is about: the kind of record its `entity_id` names.
    Entity {
        School => "school",
        SchoolTitle => "school_title",
        Certificate => "certificate",
        Audit => "audit",
        Finding => "finding",
        StatusData => "status_data",
        Submission => "submission",
        Evidence => "evidence",
        Programme => "programme",
        ConsultingGrant => "consulting_grant",
        CollectionRound => "collection_round",
        AnnualReport => "annual_report",
        Standard => "standard",
        Evaluation => "evaluation",
        Notice => "notice",
        Objection => "objection",
    }
);

/// What was done, as the history names it. Each action belongs to one kind of record
/// (`entity`); the words stored are those of the entries written before these types, so
/// that old chains verify unchanged.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    SchoolCreate,
    SchoolUpdate,
    /// a read of a school's record under a consulting grant
    GrantRead,
    TitleAward,
    TitleUpdate,
    TitleReevaluate,
    CertificateSet,
    AuditCreate,
    AuditUpdate,
    AuditVerify,
    FindingCreate,
    FindingUpdate,
    FindingVerify,
    StatusDataSet,
    StatusDataLock,
    StatusDataReopen,
    SubmissionCreate,
    /// a step of the workflow
    Submission(crate::domain::workflow::Action),
    EvidenceAdd,
    ProgrammeUpdate,
    ProgrammeClose,
    ProgrammeReopen,
    GrantCreate,
    GrantRevoke,
    RoundOpen,
    RoundUpdate,
    RoundClose,
    RoundReopen,
    AnnualReportWrite,
    /// an evaluation standard written (national or a province's)
    StandardCreate,
    /// an evaluation begun with its submission, against the standard in force
    EvaluationStart,
    /// another standard chosen for an evaluation
    EvaluationStandard,
    /// the school's self-assessment of one item
    EvaluationSelfAssess,
    /// an evaluation's expert panel formed or changed
    PanelForm,
    /// a panel member's score of one item
    PanelScore,
    /// a panel member's sheet sealed
    PanelSeal,
    /// the lead's consensus of one item
    PanelConsensus,
    /// a public notice of evaluation results published
    NoticePublish,
    /// an objection to a published result received (from anyone)
    ObjectionReceive,
    /// an objection resolved by the province
    ObjectionResolve,
    /// the school merged into its successor (on the merged school's record)
    SchoolMerge,
    /// a school merged into this one (on the successor's record)
    SchoolAbsorb,
    /// the school marked for closure
    SchoolClose,
    /// a closure called off before it took effect
    SchoolReopen,
    /// a title of a merged school moved to its successor (on the merged school's record)
    TitleTransfer,
    /// a title received from a merged school (on the successor's record)
    TitleReceive,
    /// a title of a merged or closed school ended with it
    TitleEnd,
    /// a title of a merged or closed school kept on its record as history
    TitleKeep,
}

impl Action {
    /// The kind of record the action is about.
    pub fn entity(self) -> Entity {
        use Action::*;
        match self {
            SchoolCreate | SchoolUpdate | GrantRead | SchoolMerge | SchoolAbsorb | SchoolClose
            | SchoolReopen => Entity::School,
            TitleAward | TitleUpdate | TitleReevaluate | TitleTransfer | TitleReceive
            | TitleEnd | TitleKeep => Entity::SchoolTitle,
            CertificateSet => Entity::Certificate,
            AuditCreate | AuditUpdate | AuditVerify => Entity::Audit,
            FindingCreate | FindingUpdate | FindingVerify => Entity::Finding,
            StatusDataSet | StatusDataLock | StatusDataReopen => Entity::StatusData,
            SubmissionCreate | Submission(_) => Entity::Submission,
            EvidenceAdd => Entity::Evidence,
            ProgrammeUpdate | ProgrammeClose | ProgrammeReopen => Entity::Programme,
            GrantCreate | GrantRevoke => Entity::ConsultingGrant,
            RoundOpen | RoundUpdate | RoundClose | RoundReopen => Entity::CollectionRound,
            AnnualReportWrite => Entity::AnnualReport,
            StandardCreate => Entity::Standard,
            EvaluationStart | EvaluationStandard | EvaluationSelfAssess | PanelForm
            | PanelScore | PanelSeal | PanelConsensus => Entity::Evaluation,
            NoticePublish => Entity::Notice,
            ObjectionReceive | ObjectionResolve => Entity::Objection,
        }
    }

    /// The action's words in the history, e.g. `audit.create`, `submission.review:recommend`.
    pub fn name(self) -> std::borrow::Cow<'static, str> {
        use Action::*;
        let word = match self {
            SchoolCreate => "school.create",
            SchoolUpdate => "school.update",
            GrantRead => "grant.read",
            TitleAward => "title.award",
            TitleUpdate => "title.update",
            TitleReevaluate => "title.reevaluate",
            CertificateSet => "certificate.set",
            AuditCreate => "audit.create",
            AuditUpdate => "audit.update",
            AuditVerify => "audit.verify",
            FindingCreate => "finding.create",
            FindingUpdate => "finding.update",
            FindingVerify => "finding.verify",
            StatusDataSet => "status_data.set",
            StatusDataLock => "status_data.lock",
            StatusDataReopen => "status_data.reopen",
            SubmissionCreate => "submission.create",
            Submission(step) => return format!("submission.{}", step.name()).into(),
            EvidenceAdd => "evidence.add",
            ProgrammeUpdate => "programme.update",
            ProgrammeClose => "programme.close",
            ProgrammeReopen => "programme.reopen",
            GrantCreate => "grant.create",
            GrantRevoke => "grant.revoke",
            RoundOpen => "round.open",
            RoundUpdate => "round.update",
            RoundClose => "round.close",
            RoundReopen => "round.reopen",
            AnnualReportWrite => "annual_report.write",
            StandardCreate => "standard.create",
            EvaluationStart => "evaluation.start",
            EvaluationStandard => "evaluation.standard",
            EvaluationSelfAssess => "evaluation.self_assess",
            PanelForm => "evaluation.panel",
            PanelScore => "evaluation.score",
            PanelSeal => "evaluation.seal",
            PanelConsensus => "evaluation.consensus",
            NoticePublish => "notice.publish",
            ObjectionReceive => "objection.receive",
            ObjectionResolve => "objection.resolve",
            SchoolMerge => "school.merge",
            SchoolAbsorb => "school.absorb",
            SchoolClose => "school.close",
            SchoolReopen => "school.reopen",
            TitleTransfer => "title.transfer",
            TitleReceive => "title.receive",
            TitleEnd => "title.end",
            TitleKeep => "title.keep",
        };
        word.into()
    }
}

/// One change to the record, as its writer describes it for the history.
#[derive(Clone, Debug)]
pub struct Change {
    pub actor_id: Option<i64>,
    pub school_id: Option<i64>,
    pub action: Action,
    pub entity_id: i64,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
    pub at: time::PrimitiveDateTime,
}

/// The changes a unit of work made, in order, to be appended to the history and followed
/// by what is derived from them before its transaction commits. Writers in the store
/// describe their changes here; only the use cases' `app::write` settles them.
#[derive(Debug, Default)]
pub struct Journal {
    changes: Vec<Change>,
    /// the unit of work winds a school down (a merger, a closure, a title settled): it may
    /// write to a school whose record is otherwise read-only
    winding_down: bool,
}

impl Journal {
    /// Notes a change made in this unit of work.
    pub fn record(&mut self, change: Change) {
        self.changes.push(change);
    }

    /// The changes noted, in order.
    pub fn into_changes(self) -> Vec<Change> {
        self.changes
    }

    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }

    /// Marks this unit of work as the province winding a school down.
    pub fn wind_down(&mut self) {
        self.winding_down = true;
    }

    pub fn winds_down(&self) -> bool {
        self.winding_down
    }

    /// The schools whose records the changes touch (with repeats).
    pub fn schools(&self) -> impl Iterator<Item = i64> + '_ {
        self.changes.iter().filter_map(|c| c.school_id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn content(after: &str) -> EntryContent<'_> {
        EntryContent {
            id: 1,
            at: "2026-11-21T08:00:00.000000Z",
            actor_id: Some(3),
            school_id: Some(7),
            action: "audit.create",
            entity: "audit",
            entity_id: 12,
            before: None,
            after: Some(after),
        }
    }

    /// Every action, with each workflow step.
    fn every_action() -> Vec<Action> {
        use crate::domain::workflow::{Action as Step, ReviewDecision, SignOffDecision};
        let mut steps = vec![Step::Submit, Step::Withdraw];
        steps.extend(ReviewDecision::ALL.iter().map(|d| Step::Review(*d)));
        steps.extend(SignOffDecision::ALL.iter().map(|d| Step::SignOff(*d)));
        use Action::*;
        let mut all = vec![
            SchoolCreate,
            SchoolUpdate,
            GrantRead,
            TitleAward,
            TitleUpdate,
            TitleReevaluate,
            CertificateSet,
            AuditCreate,
            AuditUpdate,
            AuditVerify,
            FindingCreate,
            FindingUpdate,
            FindingVerify,
            StatusDataSet,
            StatusDataLock,
            StatusDataReopen,
            SubmissionCreate,
            EvidenceAdd,
            ProgrammeUpdate,
            ProgrammeClose,
            ProgrammeReopen,
            GrantCreate,
            GrantRevoke,
            RoundOpen,
            RoundUpdate,
            RoundClose,
            RoundReopen,
            AnnualReportWrite,
            StandardCreate,
            EvaluationStart,
            EvaluationStandard,
            EvaluationSelfAssess,
            PanelForm,
            PanelScore,
            PanelSeal,
            PanelConsensus,
            NoticePublish,
            ObjectionReceive,
            ObjectionResolve,
            SchoolMerge,
            SchoolAbsorb,
            SchoolClose,
            SchoolReopen,
            TitleTransfer,
            TitleReceive,
            TitleEnd,
            TitleKeep,
        ];
        all.extend(steps.into_iter().map(Submission));
        all
    }

    #[test]
    fn the_history_keeps_the_words_it_stored_before_types() {
        let names: Vec<String> = every_action()
            .iter()
            .map(|a| a.name().into_owned())
            .collect();
        let unique: std::collections::BTreeSet<&String> = names.iter().collect();
        assert_eq!(unique.len(), names.len(), "two actions share a name");
        assert!(names.contains(&"submission.sign_off:approve".to_owned()));
        assert!(names.contains(&"status_data.lock".to_owned()));
        assert_eq!(Action::TitleAward.entity().as_str(), "school_title");
        assert_eq!(Action::GrantCreate.entity().as_str(), "consulting_grant");
        assert_eq!(Action::RoundOpen.entity().as_str(), "collection_round");
        // Each action's prefix names its entity, under the words the chain has always used.
        for action in every_action() {
            let name = action.name();
            let prefix = name.split('.').next().unwrap_or_default();
            let entity = match prefix {
                "title" => "school_title",
                "grant" if action != Action::GrantRead => "consulting_grant",
                "grant" => "school",
                "round" => "collection_round",
                other => other,
            };
            assert_eq!(action.entity().as_str(), entity, "{name}");
        }
    }

    #[test]
    fn any_change_changes_the_hash() {
        let a = entry_hash(GENESIS, &content("{\"kind\":\"internal\"}"));
        assert_eq!(a.len(), 64);
        assert_eq!(a, entry_hash(GENESIS, &content("{\"kind\":\"internal\"}")));
        assert_ne!(
            a,
            entry_hash(GENESIS, &content("{\"kind\":\"surveillance\"}"))
        );
        assert_ne!(a, entry_hash(&a, &content("{\"kind\":\"internal\"}")));
    }
}
