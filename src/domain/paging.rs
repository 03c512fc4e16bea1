//! Paging a list: where a page starts (an offset for short lists held in memory, or after a
//! row's key for lists the database pages), how many rows a page holds, and a page with the
//! list's total and where the next one starts. A cursor is this position as base64url text.

use time::Date;

use crate::domain::message::Msg;

/// Rows a page holds unless asked otherwise.
pub const DEFAULT_LIMIT: i64 = 100;
/// The most rows a page may hold.
pub const MAX_LIMIT: i64 = 1_000;

/// Where a page starts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum After {
    /// skip this many rows (small lists, paged in memory)
    Offset(i64),
    /// after the row with this id, in the list's order
    Id(i64),
    /// after the row with this date and id, in the list's order
    DateId(Date, i64),
    /// after the row with this text (a name, an address) and id, in the list's order
    TextId(String, i64),
}

impl After {
    pub fn encode(&self) -> String {
        let plain = match self {
            After::Offset(n) => format!("o{n}"),
            After::Id(id) => format!("i{id}"),
            After::DateId(date, id) => format!("d{date}/{id}"),
            After::TextId(text, id) => format!("t{id}/{text}"),
        };
        base64url(plain.as_bytes())
    }

    pub fn decode(cursor: &str) -> Option<After> {
        let plain = String::from_utf8(unbase64url(cursor)?).ok()?;
        let (kind, rest) = plain.split_at_checked(1)?;
        let number = |s: &str| s.parse::<i64>().ok().filter(|n| *n >= 0);
        match kind {
            "o" => number(rest).map(After::Offset),
            "i" => number(rest).map(After::Id),
            "d" => {
                let (date, id) = rest.split_once('/')?;
                let date = crate::domain::dates::parse_date(date).ok()?;
                Some(After::DateId(date, number(id)?))
            }
            "t" => {
                let (id, text) = rest.split_once('/')?;
                Some(After::TextId(text.to_owned(), number(id)?))
            }
            _ => None,
        }
    }
}

/// A validated page request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Paging {
    pub limit: i64,
    pub after: Option<After>,
}

impl Paging {
    /// Where a list paged by offset starts; another kind of cursor is not one of its.
    pub fn offset(&self) -> Result<i64, Msg> {
        match self.after {
            None => Ok(0),
            Some(After::Offset(n)) => Ok(n),
            Some(_) => Err(Msg::NotCursor),
        }
    }
}

impl Default for Paging {
    fn default() -> Self {
        Paging {
            limit: DEFAULT_LIMIT,
            after: None,
        }
    }
}

/// One page of a list: its rows, how many rows the whole list has, and where the next page
/// starts (none on the last).
#[derive(Clone, Debug)]
pub struct Listing<T> {
    pub rows: Vec<T>,
    pub total: i64,
    pub next: Option<After>,
}

impl<T> Listing<T> {
    /// A page of a list held whole in memory (a short list), by offset.
    pub fn slice(all: Vec<T>, paging: &Paging) -> Result<Listing<T>, Msg> {
        let start = paging.offset()?;
        let total = all.len() as i64;
        let start = usize::try_from(start).unwrap_or(usize::MAX).min(all.len());
        let end = start
            .saturating_add(usize::try_from(paging.limit).unwrap_or(0))
            .min(all.len());
        let next = (end < all.len()).then_some(After::Offset(end as i64));
        Ok(Listing {
            rows: all.into_iter().skip(start).take(end - start).collect(),
            total,
            next,
        })
    }

    /// A page read from the database by key: `limit + 1` rows were asked for, so that a
    /// further row says there is a next page (after the last row kept, by `key`).
    pub fn by_key(
        mut rows: Vec<T>,
        total: i64,
        paging: &Paging,
        key: impl Fn(&T) -> After,
    ) -> Listing<T> {
        let limit = usize::try_from(paging.limit).unwrap_or(0);
        let next = if rows.len() > limit {
            rows.truncate(limit);
            rows.last().map(key)
        } else {
            None
        };
        Listing { rows, total, next }
    }

    /// A page read from the database by `LIMIT` and `OFFSET` (a short list: a school's
    /// audits), of `total` rows in all.
    pub fn by_offset(rows: Vec<T>, total: i64, paging: &Paging) -> Result<Listing<T>, Msg> {
        let end = paging.offset()?.saturating_add(rows.len() as i64);
        let next = (end < total && !rows.is_empty()).then_some(After::Offset(end));
        Ok(Listing { rows, total, next })
    }

    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Listing<U> {
        Listing {
            rows: self.rows.into_iter().map(f).collect(),
            total: self.total,
            next: self.next,
        }
    }
}

fn base64url(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

fn unbase64url(text: &str) -> Option<Vec<u8>> {
    use base64::Engine;
    if text.len() > 2_000 {
        return None;
    }
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(text)
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn cursors_round_trip_and_strangers_are_refused() {
        for after in [
            After::Offset(0),
            After::Id(12345),
            After::DateId(date!(2026 - 06 - 01), 9),
            After::TextId("福州第二高级技工学校 / a/b".into(), 7),
        ] {
            let cursor = after.encode();
            assert!(
                cursor
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
            );
            assert_eq!(After::decode(&cursor), Some(after));
        }
        for bad in [
            "",
            "x",
            "!!!!",
            &base64url(b"i-1"),
            &base64url(b"d2026-02-30/1"),
            &base64url(b"q1"),
            &"A".repeat(2_500),
        ] {
            assert_eq!(After::decode(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_short_list_is_sliced_with_each_row_once() {
        let all: Vec<i32> = (1..=7).collect();
        let mut paging = Paging {
            limit: 3,
            after: None,
        };
        let mut seen = Vec::new();
        loop {
            let page = Listing::slice(all.clone(), &paging).unwrap();
            assert_eq!(page.total, 7);
            seen.extend(page.rows);
            match page.next {
                Some(next) => paging.after = Some(next),
                None => break,
            }
        }
        assert_eq!(seen, all);
    }

    #[test]
    fn a_page_by_key_knows_when_there_is_more() {
        let paging = Paging {
            limit: 2,
            after: None,
        };
        let more = Listing::by_key(vec![10, 11, 12], 5, &paging, |n| After::Id(*n));
        assert_eq!((more.rows, more.next), (vec![10, 11], Some(After::Id(11))));
        let last = Listing::by_key(vec![13], 5, &paging, |n| After::Id(*n));
        assert_eq!(last.next, None);
    }
}
