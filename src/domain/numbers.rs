//! Numbers as people write them: whole numbers without `.0`, thousands grouped, units in
//! the reader's language, and spans of days said in days, months or years.

use crate::domain::lang::Lang;

/// A figure with at most `decimals` places, trailing zeros dropped and thousands grouped:
/// `4200.0` → `4,200`, `12.50` → `12.5`, `-5995.0` → `-5,995`.
pub fn grouped(value: f64, decimals: usize) -> String {
    if !value.is_finite() {
        return "—".into();
    }
    let fixed = format!("{:.*}", decimals, value.abs());
    let (whole, fraction) = match fixed.split_once('.') {
        Some((w, f)) => (w.to_owned(), f.trim_end_matches('0').to_owned()),
        None => (fixed.clone(), String::new()),
    };
    let mut out = String::with_capacity(whole.len() + whole.len() / 3 + fraction.len() + 2);
    let negative = value < 0.0 && (whole != "0" || !fraction.is_empty());
    if negative {
        out.push('-');
    }
    for (i, digit) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(digit);
    }
    if !fraction.is_empty() {
        out.push('.');
        out.push_str(&fraction);
    }
    out
}

/// A figure as a table shows it: whole numbers whole, others to two places.
pub fn figure(value: f64) -> String {
    grouped(value, 2)
}

/// A size in bytes, in the binary units people see in file managers.
pub fn bytes(n: u64) -> String {
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    if n < 1024 {
        return format!("{n} bytes");
    }
    let mut value = n as f64;
    let mut unit = "bytes";
    for u in UNITS {
        if value < 1024.0 {
            break;
        }
        value /= 1024.0;
        unit = u;
    }
    format!("{} {unit}", grouped(value, 1))
}

/// A span of days as people say it: days up to two months, then months, then years.
pub fn span(days: i64, lang: Lang) -> String {
    let days = days.abs();
    let (n, zh, en) = if days < 60 {
        (days, "天", if days == 1 { "day" } else { "days" })
    } else if days < 730 {
        let months = days / 30;
        (months, "个月", "months")
    } else {
        let years = days / 365;
        (years, "年", "years")
    };
    match lang {
        Lang::ZhCn => format!("{n} {zh}"),
        Lang::En => format!("{n} {en}"),
    }
}

/// How far away a due date is: "in 3 months" / "3 个月后", "overdue by 16 years" /
/// "已逾期 16 年", "due today" / "今天到期".
pub fn due_in(days: i64, lang: Lang) -> String {
    let span = span(days, lang);
    match (days.signum(), lang) {
        (0, Lang::ZhCn) => "今天到期".into(),
        (0, Lang::En) => "due today".into(),
        (1, Lang::ZhCn) => format!("{span}后到期"),
        (1, Lang::En) => format!("due in {span}"),
        (_, Lang::ZhCn) => format!("已逾期 {span}"),
        (_, Lang::En) => format!("overdue by {span}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_numbers_are_whole_and_grouped() {
        assert_eq!(figure(4.0), "4");
        assert_eq!(figure(4200.0), "4,200");
        assert_eq!(figure(3_000_000.0), "3,000,000");
        assert_eq!(figure(-5995.0), "-5,995");
        assert_eq!(figure(12.5), "12.5");
        assert_eq!(figure(33.333), "33.33");
        assert_eq!(figure(0.004), "0");
        assert_eq!(figure(-0.001), "0");
        assert_eq!(figure(999.999), "1,000");
        assert_eq!(figure(f64::NAN), "—");
        assert_eq!(grouped(1234567.891, 1), "1,234,567.9");
    }

    #[test]
    fn sizes() {
        assert_eq!(bytes(512), "512 bytes");
        assert_eq!(bytes(52_428_800), "50 MiB");
        assert_eq!(bytes(1_536), "1.5 KiB");
    }

    #[test]
    fn spans_and_due_dates() {
        assert_eq!(due_in(-5995, Lang::En), "overdue by 16 years");
        assert_eq!(due_in(-5995, Lang::ZhCn), "已逾期 16 年");
        assert_eq!(due_in(90, Lang::En), "due in 3 months");
        assert_eq!(due_in(1, Lang::En), "due in 1 day");
        assert_eq!(due_in(0, Lang::ZhCn), "今天到期");
        assert_eq!(due_in(45, Lang::ZhCn), "45 天后到期");
    }
}
