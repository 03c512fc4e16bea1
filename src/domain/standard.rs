//! An evaluation standard (评估标准) as data: a tree of criteria whose leaves are scored
//! items (points in steps of 0.5) or veto items (否决项: met or not met, no points). A
//! group's points are the sum of its children's; the standard's total is the sum of its
//! leaves. Points are kept as whole half-points, so that no sum is a float's rounding.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use crate::domain::message::Msg;

/// A number of points in steps of 0.5, kept as half-points.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Points(u32);

/// The most points an item or a standard may carry (a standard of 1,000 points is large).
pub const MAX_POINTS: u32 = 10_000;

impl Points {
    pub const ZERO: Points = Points(0);

    /// Reads points as people type them: a non-negative number in steps of 0.5, at most
    /// `MAX_POINTS`.
    pub fn parse(value: f64) -> Result<Points, Msg> {
        if !value.is_finite() {
            return Err(Msg::NotNumber);
        }
        if value < 0.0 {
            return Err(Msg::NotNegative);
        }
        if value > f64::from(MAX_POINTS) {
            return Err(Msg::AtMost {
                max: MAX_POINTS.to_string(),
            });
        }
        let halves = value * 2.0;
        if halves.fract() != 0.0 {
            return Err(Msg::HalfPoints);
        }
        Ok(Points(halves as u32))
    }

    pub fn from_halves(halves: u32) -> Points {
        Points(halves)
    }

    pub fn halves(self) -> u32 {
        self.0
    }

    pub fn value(self) -> f64 {
        f64::from(self.0) / 2.0
    }

    /// As people write it: `5`, `2.5`.
    pub fn text(self) -> String {
        if self.0.is_multiple_of(2) {
            (self.0 / 2).to_string()
        } else {
            format!("{}.5", self.0 / 2)
        }
    }
}

impl std::ops::Add for Points {
    type Output = Points;
    fn add(self, other: Points) -> Points {
        Points(self.0.saturating_add(other.0))
    }
}

impl std::iter::Sum for Points {
    fn sum<I: Iterator<Item = Points>>(iter: I) -> Points {
        iter.fold(Points::ZERO, |a, b| a + b)
    }
}

impl Serialize for Points {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_f64(self.value())
    }
}

/// A criterion as it is typed or read from a sheet, before the tree is checked.
#[derive(Clone, Debug, Default)]
pub struct CriterionDraft {
    pub reference: String,
    pub parent_ref: Option<String>,
    pub name: String,
    pub name_zh: Option<String>,
    /// `None`: not given (a group's are computed; a veto item has none)
    pub max_points: Option<Points>,
    pub veto: bool,
    pub guidance: Option<String>,
    pub evidence_expected: Option<String>,
}

/// A checked criterion: its place in the tree, and its points (a group's computed).
#[derive(Clone, Debug, PartialEq)]
pub struct Criterion {
    pub reference: String,
    pub parent_ref: Option<String>,
    pub name: String,
    pub name_zh: Option<String>,
    /// a scored item's points, a group's sum; `None` for a veto item
    pub max_points: Option<Points>,
    pub veto: bool,
    pub guidance: Option<String>,
    pub evidence_expected: Option<String>,
    /// 0 for a top-level group or item
    pub depth: u32,
    /// true for an item without sub-items (scored or veto)
    pub leaf: bool,
}

/// A problem with one criterion: its index in the list, the field, what is wrong.
#[derive(Clone, Debug, PartialEq)]
pub struct CriterionProblem {
    pub index: usize,
    pub field: &'static str,
    pub problem: Msg,
}

/// The deepest a tree may go: standard, group, item, sub-item and a little more.
pub const MAX_DEPTH: u32 = 6;

/// The most criteria a standard may hold.
pub const MAX_CRITERIA: usize = 2_000;

/// Whether a criterion's reference is well formed: 1 to 20 letters, digits, dots or hyphens
/// (`2`, `2.3`, `A1-4`).
pub fn valid_ref(reference: &str) -> bool {
    !reference.is_empty()
        && reference.chars().count() <= 20
        && reference
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
}

/// Checks the criteria as a tree and computes each group's points. The list keeps its
/// order; a parent may come before or after its children. Every problem is reported, each
/// with the index of the criterion and the field.
pub fn build(drafts: &[CriterionDraft]) -> Result<Vec<Criterion>, Vec<CriterionProblem>> {
    let mut problems = Vec::new();
    let mut report = |index: usize, field: &'static str, problem: Msg| {
        problems.push(CriterionProblem {
            index,
            field,
            problem,
        });
    };
    let mut index_of: HashMap<&str, usize> = HashMap::new();
    for (i, d) in drafts.iter().enumerate() {
        if !valid_ref(&d.reference) {
            report(i, "ref", Msg::CriterionRef);
        } else if index_of.insert(d.reference.as_str(), i).is_some() {
            report(i, "ref", Msg::DuplicateRef);
        }
    }
    // Parents, and the depth of each criterion (a cycle never reaches the top).
    let mut parent: Vec<Option<usize>> = vec![None; drafts.len()];
    for (i, d) in drafts.iter().enumerate() {
        if let Some(p) = d.parent_ref.as_deref() {
            match index_of.get(p) {
                Some(&j) if j == i => report(i, "parent_ref", Msg::ParentCycle),
                Some(&j) => parent[i] = Some(j),
                None => report(i, "parent_ref", Msg::NoParent),
            }
        }
    }
    let mut depth = vec![0u32; drafts.len()];
    let mut cyclic = Vec::new();
    for (i, depth) in depth.iter_mut().enumerate() {
        let (mut at, mut steps) = (i, 0u32);
        while let Some(up) = parent[at] {
            steps += 1;
            at = up;
            if steps > drafts.len() as u32 {
                break;
            }
        }
        if steps > drafts.len() as u32 {
            report(i, "parent_ref", Msg::ParentCycle);
            cyclic.push(i);
        } else if steps >= MAX_DEPTH {
            report(
                i,
                "parent_ref",
                Msg::TooDeep {
                    max: MAX_DEPTH as usize,
                },
            );
        }
        *depth = steps;
    }
    for i in cyclic {
        parent[i] = None;
    }
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); drafts.len()];
    for (i, p) in parent.iter().enumerate() {
        if let Some(p) = p {
            children[*p].push(i);
        }
    }
    // Leaves first: each leaf is scored or a veto item.
    for (i, d) in drafts.iter().enumerate() {
        let leaf = children[i].is_empty();
        if leaf {
            match (d.veto, d.max_points) {
                (true, Some(p)) if p != Points::ZERO => report(i, "max_points", Msg::VetoNoPoints),
                (false, None) => report(i, "max_points", Msg::LeafNeedsPoints),
                (false, Some(p)) if p == Points::ZERO => {
                    report(i, "max_points", Msg::LeafNeedsPoints)
                }
                _ => {}
            }
        } else if d.veto {
            report(i, "veto", Msg::GroupVeto);
        }
    }
    // A group's points: the sum of its leaves below it.
    let mut sums: Vec<Points> = vec![Points::ZERO; drafts.len()];
    let mut order: Vec<usize> = (0..drafts.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(depth[i]));
    for &i in &order {
        let own = if children[i].is_empty() {
            if drafts[i].veto {
                Points::ZERO
            } else {
                drafts[i].max_points.unwrap_or(Points::ZERO)
            }
        } else {
            children[i].iter().map(|&c| sums[c]).sum()
        };
        sums[i] = own;
    }
    for (i, d) in drafts.iter().enumerate() {
        if !children[i].is_empty()
            && let Some(given) = d.max_points
            && given != sums[i]
        {
            report(
                i,
                "max_points",
                Msg::GroupPoints {
                    sum: sums[i].text(),
                },
            );
        }
    }
    if !problems.is_empty() {
        problems.sort_by_key(|p| p.index);
        return Err(problems);
    }
    Ok(drafts
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let leaf = children[i].is_empty();
            Criterion {
                reference: d.reference.clone(),
                parent_ref: d.parent_ref.clone(),
                name: d.name.clone(),
                name_zh: d.name_zh.clone(),
                max_points: if leaf && d.veto { None } else { Some(sums[i]) },
                veto: leaf && d.veto,
                guidance: d.guidance.clone(),
                evidence_expected: d.evidence_expected.clone(),
                depth: depth[i],
                leaf,
            }
        })
        .collect())
}

/// The standard's total: the sum of its scored items.
pub fn total(criteria: &[Criterion]) -> Points {
    criteria
        .iter()
        .filter(|c| c.leaf && !c.veto)
        .filter_map(|c| c.max_points)
        .sum()
}

/// Sums each item's score up the tree: every criterion's subtotal of what the items below
/// it (itself, for an item) scored; absent where none was scored yet. `parents` links each
/// criterion to its group; `scores` holds the items' scores.
pub fn subtotals<'a>(
    parents: impl IntoIterator<Item = (&'a str, Option<&'a str>)>,
    scores: &BTreeMap<String, Points>,
) -> BTreeMap<String, Points> {
    let parent_of: HashMap<&str, Option<&str>> = parents.into_iter().collect();
    let mut out: BTreeMap<String, Points> = BTreeMap::new();
    for (item, score) in scores {
        let mut at = Some(item.as_str());
        let mut steps = 0;
        while let Some(r) = at {
            let entry = out.entry(r.to_owned()).or_default();
            *entry = *entry + *score;
            at = parent_of.get(r).copied().flatten();
            steps += 1;
            if steps > parent_of.len() {
                break;
            }
        }
    }
    out
}

/// Which standard a new application uses: of those for the title type, the province's own
/// if it has any, else the national ones; of those, the newest version.
pub fn in_force<S: StandardKey>(standards: &[S], province_id: Option<i64>) -> Option<&S> {
    let provincial = standards
        .iter()
        .filter(|s| province_id.is_some() && s.province_id() == province_id)
        .max_by_key(|s| s.version());
    provincial.or_else(|| {
        standards
            .iter()
            .filter(|s| s.province_id().is_none())
            .max_by_key(|s| s.version())
    })
}

/// What `in_force` needs of a standard.
pub trait StandardKey {
    fn province_id(&self) -> Option<i64>;
    fn version(&self) -> i32;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(r: &str, parent: Option<&str>, points: Option<f64>) -> CriterionDraft {
        CriterionDraft {
            reference: r.into(),
            parent_ref: parent.map(Into::into),
            name: format!("criterion {r}"),
            max_points: points.map(|p| Points::parse(p).unwrap()),
            ..CriterionDraft::default()
        }
    }

    fn veto(r: &str, parent: Option<&str>) -> CriterionDraft {
        CriterionDraft {
            veto: true,
            ..item(r, parent, None)
        }
    }

    #[test]
    fn points_come_in_steps_of_a_half() {
        assert_eq!(Points::parse(2.5).unwrap().halves(), 5);
        assert_eq!(Points::parse(0.0).unwrap(), Points::ZERO);
        assert_eq!(Points::parse(0.25), Err(Msg::HalfPoints));
        assert_eq!(Points::parse(-1.0), Err(Msg::NotNegative));
        assert_eq!(Points::parse(f64::NAN), Err(Msg::NotNumber));
        assert!(Points::parse(10_000.5).is_err());
        assert_eq!(Points::parse(7.5).unwrap().text(), "7.5");
        assert_eq!(Points::parse(12.0).unwrap().text(), "12");
    }

    #[test]
    fn groups_sum_their_items_and_the_total_sums_the_leaves() {
        let tree = build(&[
            item("1", None, None),
            item("1.1", Some("1"), Some(10.0)),
            item("1.2", Some("1"), Some(5.5)),
            item("2", None, Some(20.0)),
            item("2.1", Some("2"), Some(12.0)),
            item("2.2", Some("2"), Some(8.0)),
            veto("3", None),
        ])
        .unwrap();
        assert_eq!(tree[0].max_points, Some(Points::parse(15.5).unwrap()));
        assert!(!tree[0].leaf && tree[1].leaf);
        assert_eq!(tree[1].depth, 1);
        assert_eq!(tree[6].max_points, None);
        assert!(tree[6].veto);
        assert_eq!(total(&tree), Points::parse(35.5).unwrap());
        let scores: BTreeMap<String, Points> = [
            ("1.1".to_owned(), Points::parse(8.0).unwrap()),
            ("1.2".to_owned(), Points::parse(5.5).unwrap()),
        ]
        .into();
        let parents = tree
            .iter()
            .map(|c| (c.reference.as_str(), c.parent_ref.as_deref()));
        let sub = subtotals(parents, &scores);
        assert_eq!(sub["1"], Points::parse(13.5).unwrap());
        assert!(!sub.contains_key("2"));
    }

    #[test]
    fn every_problem_of_a_tree_is_named_by_index_and_field() {
        let problems = build(&[
            item("1", None, Some(3.0)),
            item("1.1", Some("1"), Some(10.0)),
            item("1.1", Some("1"), Some(2.0)),
            item("2", Some("9"), Some(1.0)),
            item("3", None, None),
            CriterionDraft {
                max_points: Some(Points::parse(2.0).unwrap()),
                ..veto("4", None)
            },
            item("no spaces", None, Some(1.0)),
            item("5", None, None),
            CriterionDraft {
                veto: true,
                ..item("5.1", Some("5"), Some(1.0))
            },
        ])
        .unwrap_err();
        let found: Vec<(usize, &str, &str)> = problems
            .iter()
            .map(|p| (p.index, p.field, p.problem.code()))
            .collect();
        assert_eq!(
            found,
            [
                (0, "max_points", "group_points"),
                (2, "ref", "duplicate_ref"),
                (3, "parent_ref", "no_parent"),
                (4, "max_points", "leaf_needs_points"),
                (5, "max_points", "veto_no_points"),
                (6, "ref", "criterion_ref"),
                (8, "max_points", "veto_no_points"),
            ]
        );
    }

    #[test]
    fn a_group_cannot_be_a_veto_item_nor_its_own_ancestor() {
        let problems = build(&[
            CriterionDraft {
                veto: true,
                ..item("1", None, None)
            },
            item("1.1", Some("1"), Some(2.0)),
            item("a", Some("b"), Some(1.0)),
            item("b", Some("a"), Some(1.0)),
            item("c", Some("c"), Some(1.0)),
        ])
        .unwrap_err();
        let found: Vec<(usize, &str, &str)> = problems
            .iter()
            .map(|p| (p.index, p.field, p.problem.code()))
            .collect();
        assert_eq!(
            found,
            [
                (0, "veto", "group_veto"),
                (2, "parent_ref", "parent_cycle"),
                (3, "parent_ref", "parent_cycle"),
                (4, "parent_ref", "parent_cycle"),
            ]
        );
    }

    struct S(Option<i64>, i32);
    impl StandardKey for S {
        fn province_id(&self) -> Option<i64> {
            self.0
        }
        fn version(&self) -> i32 {
            self.1
        }
    }

    #[test]
    fn the_province_s_newest_standard_is_in_force_before_the_national_one() {
        let all = [
            S(None, 1),
            S(None, 3),
            S(Some(7), 1),
            S(Some(7), 2),
            S(Some(8), 9),
        ];
        let chosen = in_force(&all, Some(7)).unwrap();
        assert_eq!((chosen.0, chosen.1), (Some(7), 2));
        let chosen = in_force(&all, Some(5)).unwrap();
        assert_eq!((chosen.0, chosen.1), (None, 3));
        assert!(in_force(&all[2..4], Some(5)).is_none());
    }
}
