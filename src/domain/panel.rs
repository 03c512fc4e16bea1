//! The expert panel's rules, without IO: who may not sit on a panel (conflicts of
//! interest), the median the consensus starts from and when it departs from it, when the
//! experts disagree, the outcome, and who sees which score at each stage.

use std::collections::HashSet;

use crate::domain::standard::Points;

/// How long after a consulting grant ended its schools still count as related.
pub const CONSULTING_YEARS: i32 = 3;

/// The first day on which a consulting grant that ended still relates two schools.
pub fn consulting_since(today: time::Date) -> time::Date {
    today
        .replace_year(today.year() - CONSULTING_YEARS)
        .unwrap_or_else(|_| today - time::Duration::days(365 * i64::from(CONSULTING_YEARS)))
}

/// The share of an item's points by which the sealed scores may spread before the item is
/// flagged as a disagreement.
pub const SPREAD_PERCENT: u32 = 15;

/// Why someone may not sit on a school's panel.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Conflict {
    /// their home school is the school evaluated
    OwnSchool,
    /// their home school gave the school, or was given by it, a consulting grant in force or
    /// ended within three years
    Consulting,
    /// they prepared or handed in the submission
    Submitter,
    /// they declared a conflict with the school
    Declared,
}

/// What is known of the school and the submission when a panel is formed.
#[derive(Clone, Debug, Default)]
pub struct ConflictFacts {
    pub school_id: i64,
    /// schools on either side of a consulting grant with the school, in force or ended
    /// within `CONSULTING_YEARS`
    pub consulting: HashSet<i64>,
    /// the users who prepared or handed in the submission
    pub submitters: HashSet<i64>,
    /// users who declared a conflict with the school
    pub declared: HashSet<i64>,
}

/// A person proposed for the panel.
#[derive(Clone, Copy, Debug)]
pub struct Candidate {
    pub user_id: i64,
    pub home_school: Option<i64>,
}

/// Every conflict of a candidate with the school, in a fixed order (none: they may sit).
pub fn conflicts(candidate: Candidate, facts: &ConflictFacts) -> Vec<Conflict> {
    let mut found = Vec::new();
    if candidate.home_school == Some(facts.school_id) {
        found.push(Conflict::OwnSchool);
    }
    if candidate
        .home_school
        .is_some_and(|s| facts.consulting.contains(&s))
    {
        found.push(Conflict::Consulting);
    }
    if facts.submitters.contains(&candidate.user_id) {
        found.push(Conflict::Submitter);
    }
    if facts.declared.contains(&candidate.user_id) {
        found.push(Conflict::Declared);
    }
    found
}

/// The median of sealed scores: one score for an odd count, the two middle ones for an
/// even count (any score between them counts as the median).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Median {
    pub low: Points,
    pub high: Points,
}

impl Median {
    /// The score the consensus starts from: the middle, down to a step of 0.5.
    pub fn start(self) -> Points {
        Points::from_halves((self.low.halves() + self.high.halves()) / 2)
    }

    /// Does a consensus score depart from the median (and so need a note)?
    pub fn departs(self, score: Points) -> bool {
        score < self.low || score > self.high
    }
}

/// The median of `scores` (none when there are none).
pub fn median(scores: &[Points]) -> Option<Median> {
    let mut sorted = scores.to_vec();
    sorted.sort_unstable();
    let n = sorted.len();
    if n == 0 {
        return None;
    }
    let (low, high) = if n % 2 == 1 {
        (sorted[n / 2], sorted[n / 2])
    } else {
        (sorted[n / 2 - 1], sorted[n / 2])
    };
    Some(Median { low, high })
}

/// The majority judgement of a veto item (none when the experts split evenly).
pub fn majority(judgements: &[bool]) -> Option<bool> {
    let met = judgements.iter().filter(|m| **m).count();
    let not = judgements.len() - met;
    match met.cmp(&not) {
        std::cmp::Ordering::Greater => Some(true),
        std::cmp::Ordering::Less => Some(false),
        std::cmp::Ordering::Equal => None,
    }
}

/// Do sealed scores of an item worth `max` spread by more than `SPREAD_PERCENT` of it?
pub fn spread_too_wide(scores: &[Points], max: Points) -> bool {
    let (Some(low), Some(high)) = (scores.iter().min(), scores.iter().max()) else {
        return false;
    };
    // In half-points, times 100, to stay in whole numbers.
    (high.halves() - low.halves()) * 100 > max.halves() * SPREAD_PERCENT
}

/// Do the experts split on a veto item?
pub fn split(judgements: &[bool]) -> bool {
    judgements.iter().any(|m| *m) && judgements.iter().any(|m| !*m)
}

/// Why an evaluation fails.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Shortfall {
    /// the consensus total is below the pass mark
    BelowPass { total: Points, pass: Points },
    /// a veto item is judged not met
    VetoNotMet { reference: String },
}

/// Pass when the consensus total reaches the pass mark and every veto item is met; else
/// fail, with every reason.
pub fn outcome(
    total: Points,
    pass: Points,
    vetoes: &[(String, bool)],
) -> Result<(), Vec<Shortfall>> {
    let mut reasons = Vec::new();
    if total < pass {
        reasons.push(Shortfall::BelowPass { total, pass });
    }
    for (reference, met) in vetoes {
        if !met {
            reasons.push(Shortfall::VetoNotMet {
                reference: reference.clone(),
            });
        }
    }
    if reasons.is_empty() {
        Ok(())
    } else {
        Err(reasons)
    }
}

/// Who reads an evaluation, as far as the experts' scores go.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reader {
    /// a member of the panel, who has sealed their own sheet or not
    Member { sealed: bool },
    /// the province's reviewers and admins (and the operator), not on the panel
    Province,
    /// the school's own people, and those reading under a consulting grant
    School,
}

/// How far the evaluation has come.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    /// the school is still assessing itself
    SelfAssessment,
    /// with the panel: scoring, agreeing, or awaiting the decision
    Panel,
    /// approved or rejected
    Decided,
}

/// Which experts' scores a reader sees.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScoresSeen {
    /// none at all
    None,
    /// their own sheet only, sealed or not
    OwnOnly,
    /// their own and every sealed sheet
    OwnAndSealed,
    /// every sealed sheet
    Sealed,
}

/// What a reader sees of the panel's work at a stage: the experts' scores, and whether the
/// consensus (and the outcome) is shown.
pub fn sight(reader: Reader, stage: Stage) -> (ScoresSeen, bool) {
    match (reader, stage) {
        (_, Stage::SelfAssessment) => (ScoresSeen::None, false),
        (Reader::Member { sealed: false }, _) => (ScoresSeen::OwnOnly, true),
        (Reader::Member { sealed: true }, _) => (ScoresSeen::OwnAndSealed, true),
        (Reader::Province, _) => (ScoresSeen::Sealed, true),
        (Reader::School, Stage::Panel) => (ScoresSeen::None, false),
        (Reader::School, Stage::Decided) => (ScoresSeen::None, true),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(v: f64) -> Points {
        Points::parse(v).unwrap()
    }

    fn facts() -> ConflictFacts {
        ConflictFacts {
            school_id: 1,
            consulting: [7].into_iter().collect(),
            submitters: [30].into_iter().collect(),
            declared: [40].into_iter().collect(),
        }
    }

    #[test]
    fn conflicts_are_found_not_only_declared() {
        let f = facts();
        let c = |user_id, home_school| {
            conflicts(
                Candidate {
                    user_id,
                    home_school,
                },
                &f,
            )
        };
        assert_eq!(c(10, None), []);
        assert_eq!(c(10, Some(2)), [], "another school, unrelated");
        assert_eq!(c(10, Some(1)), [Conflict::OwnSchool]);
        assert_eq!(c(10, Some(7)), [Conflict::Consulting]);
        assert_eq!(c(30, None), [Conflict::Submitter]);
        assert_eq!(c(40, Some(1)), [Conflict::OwnSchool, Conflict::Declared]);
    }

    #[test]
    fn the_median_of_odd_and_even_counts() {
        assert_eq!(median(&[]), None);
        let m = median(&[p(8.0), p(6.0), p(9.5)]).unwrap();
        assert_eq!((m.low, m.high, m.start()), (p(8.0), p(8.0), p(8.0)));
        assert!(!m.departs(p(8.0)));
        assert!(m.departs(p(7.5)) && m.departs(p(8.5)));
        let m = median(&[p(6.0), p(9.0), p(7.0), p(8.5)]).unwrap();
        assert_eq!((m.low, m.high), (p(7.0), p(8.5)));
        assert_eq!(m.start(), p(7.5), "the middle, down to a step of 0.5");
        assert!(!m.departs(p(7.0)) && !m.departs(p(8.0)) && !m.departs(p(8.5)));
        assert!(m.departs(p(6.5)) && m.departs(p(9.0)));
    }

    #[test]
    fn the_majority_of_veto_judgements() {
        assert_eq!(majority(&[true, true, false]), Some(true));
        assert_eq!(majority(&[false, false, true]), Some(false));
        assert_eq!(majority(&[true, false]), None);
        assert_eq!(majority(&[]), None);
    }

    #[test]
    fn a_spread_beyond_fifteen_percent_is_a_disagreement() {
        // 10 points: 1.5 apart is 15 % (fine), 2 apart is more.
        assert!(!spread_too_wide(&[p(8.0), p(9.5)], p(10.0)));
        assert!(spread_too_wide(&[p(8.0), p(10.0)], p(10.0)));
        assert!(!spread_too_wide(&[p(3.0)], p(4.0)));
        assert!(spread_too_wide(&[p(3.0), p(4.0)], p(4.0)), "1 of 4 is 25 %");
        assert!(!spread_too_wide(&[], p(4.0)));
        assert!(split(&[true, false, true]));
        assert!(!split(&[true, true]));
    }

    #[test]
    fn the_outcome_needs_the_pass_mark_and_every_veto_item() {
        assert_eq!(outcome(p(85.0), p(85.0), &[("3".into(), true)]), Ok(()));
        assert_eq!(
            outcome(p(84.5), p(85.0), &[("3".into(), true)]),
            Err(vec![Shortfall::BelowPass {
                total: p(84.5),
                pass: p(85.0)
            }])
        );
        assert_eq!(
            outcome(p(99.0), p(85.0), &[("3".into(), false), ("6".into(), true)]),
            Err(vec![Shortfall::VetoNotMet {
                reference: "3".into()
            }])
        );
        assert_eq!(
            outcome(p(10.0), p(85.0), &[("3".into(), false)])
                .unwrap_err()
                .len(),
            2
        );
    }

    /// Who sees which score at each stage: reader × stage × (experts' scores, consensus).
    #[test]
    fn who_sees_which_score_at_each_stage() {
        use Reader::*;
        use ScoresSeen as S;
        use Stage::*;
        let table = [
            (Member { sealed: false }, SelfAssessment, S::None, false),
            (Member { sealed: false }, Panel, S::OwnOnly, true),
            (Member { sealed: false }, Decided, S::OwnOnly, true),
            (Member { sealed: true }, Panel, S::OwnAndSealed, true),
            (Member { sealed: true }, Decided, S::OwnAndSealed, true),
            (Province, SelfAssessment, S::None, false),
            (Province, Panel, S::Sealed, true),
            (Province, Decided, S::Sealed, true),
            (School, SelfAssessment, S::None, false),
            (School, Panel, S::None, false),
            (School, Decided, S::None, true),
        ];
        for (reader, stage, scores, consensus) in table {
            assert_eq!(
                sight(reader, stage),
                (scores, consensus),
                "{reader:?} at {stage:?}"
            );
        }
    }
}
