//! iCalendar (RFC 5545) text for deadlines: one all-day event per deadline, stable UIDs,
//! escaped text, lines folded at 75 octets and ended with CRLF.

use time::{Date, PrimitiveDateTime};

/// One all-day event.
pub struct CalendarEvent<'a> {
    pub uid: &'a str,
    pub on: Date,
    pub summary: &'a str,
    pub description: &'a str,
}

fn escape(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace(';', "\\;")
        .replace(',', "\\,")
        .replace("\r\n", "\\n")
        .replace('\n', "\\n")
}

/// Folds a content line: no line longer than 75 octets, continuation lines start with a space,
/// never splitting a UTF-8 character.
fn fold(line: &str, out: &mut String) {
    let mut width = 0;
    for c in line.chars() {
        let len = c.len_utf8();
        if width + len > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += len;
    }
    out.push_str("\r\n");
}

fn day(d: Date) -> String {
    format!("{:04}{:02}{:02}", d.year(), d.month() as u8, d.day())
}

/// The lines before the events (a calendar written a part at a time: `head`, `push_event`
/// for each, `tail`).
pub fn head(name: &str) -> String {
    let mut out = String::new();
    for line in [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//accredit//deadlines//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
    ] {
        fold(line, &mut out);
    }
    fold(&format!("X-WR-CALNAME:{}", escape(name)), &mut out);
    out
}

/// One event, stamped `stamp` (when the calendar was written).
pub fn push_event(event: &CalendarEvent<'_>, stamp: PrimitiveDateTime, out: &mut String) {
    let stamp = format!(
        "{}T{:02}{:02}{:02}Z",
        day(stamp.date()),
        stamp.hour(),
        stamp.minute(),
        stamp.second()
    );
    fold("BEGIN:VEVENT", out);
    fold(&format!("UID:{}", escape(event.uid)), out);
    fold(&format!("DTSTAMP:{stamp}"), out);
    fold(&format!("DTSTART;VALUE=DATE:{}", day(event.on)), out);
    fold(
        &format!(
            "DTEND;VALUE=DATE:{}",
            day(event.on.next_day().unwrap_or(event.on))
        ),
        out,
    );
    fold(&format!("SUMMARY:{}", escape(event.summary)), out);
    fold(&format!("DESCRIPTION:{}", escape(event.description)), out);
    fold("TRANSP:TRANSPARENT", out);
    fold("END:VEVENT", out);
}

/// The line after the events.
pub fn tail() -> String {
    let mut out = String::new();
    fold("END:VCALENDAR", &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};

    #[test]
    fn events_are_escaped_folded_and_dated() {
        let long = "福州第二高级技工学校 · National Key Technical School re-evaluation, with a long description";
        let mut text = head("accredit");
        push_event(
            &CalendarEvent {
                uid: "reevaluation-1@accredit",
                on: date!(2010 - 06 - 30),
                summary: long,
                description: "a;b,c\nd",
            },
            datetime!(2026-06-01 08:00:00),
            &mut text,
        );
        text.push_str(&tail());
        assert!(text.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"));
        assert!(text.ends_with("END:VCALENDAR\r\n"));
        assert!(text.contains("DTSTART;VALUE=DATE:20100630\r\n"));
        assert!(text.contains("DTEND;VALUE=DATE:20100701\r\n"));
        assert!(text.contains("DESCRIPTION:a\\;b\\,c\\nd\r\n"));
        assert!(text.contains("DTSTAMP:20260601T080000Z"));
        for line in text.split("\r\n") {
            assert!(line.len() <= 75, "{line:?} is {} octets", line.len());
        }
        // Unfolding gives the summary back whole.
        let unfolded = text.replace("\r\n ", "");
        assert!(unfolded.contains(&format!("SUMMARY:{}", long.replace(',', "\\,"))));
    }
}
