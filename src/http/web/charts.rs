//! Small charts drawn on the server as SVG: where a school stands within its province's
//! spread of one figure. No script; the markup is built here with escaped text.

/// Peers whose dots would be closer than this (in pixels) share one.
const DOT_SPACING: f64 = 3.0;

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A strip from the smallest to the largest value: the peers as grey dots, the school a
/// larger accented dot with its value. Peers closer than a dot's width share one dot, so a
/// province of a thousand schools draws no more than about a hundred and forty. `None` when
/// nobody has the figure.
pub fn strip(label: &str, own: Option<f64>, peers: &[f64]) -> Option<String> {
    let values: Vec<f64> = peers
        .iter()
        .copied()
        .chain(own)
        .filter(|v| v.is_finite())
        .collect();
    if values.is_empty() {
        return None;
    }
    let (min, max) = values
        .iter()
        .fold((f64::MAX, f64::MIN), |(lo, hi), v| (lo.min(*v), hi.max(*v)));
    let (width, left, right) = (420.0, 12.0, 12.0);
    let x = |v: f64| {
        if max > min {
            left + (v - min) / (max - min) * (width - left - right)
        } else {
            width / 2.0
        }
    };
    let number = |v: f64| crate::domain::numbers::grouped(v, 1);
    let mut svg = format!(
        r#"<svg class="strip" role="img" viewBox="0 0 {width} 46" width="{width}" height="46" xmlns="http://www.w3.org/2000/svg"><title>{}</title><line x1="{left}" y1="20" x2="{}" y2="20" class="axis"/>"#,
        escape(label),
        width - right
    );
    let mut drawn = std::collections::BTreeSet::new();
    for p in peers.iter().filter(|v| v.is_finite()) {
        let cx = x(*p);
        if drawn.insert((cx / DOT_SPACING).round() as i64) {
            svg.push_str(&format!(
                r#"<circle cx="{cx:.1}" cy="20" r="4" class="peer"/>"#
            ));
        }
    }
    if let Some(v) = own.filter(|v| v.is_finite()) {
        svg.push_str(&format!(
            r#"<circle cx="{cx:.1}" cy="20" r="7" class="own"/><text x="{cx:.1}" y="9" class="own-label" text-anchor="middle">{}</text>"#,
            number(v),
            cx = x(v)
        ));
    }
    svg.push_str(&format!(
        r#"<text x="{left}" y="42" class="scale">{}</text><text x="{}" y="42" class="scale" text-anchor="end">{}</text></svg>"#,
        number(min),
        width - right,
        number(max)
    ));
    Some(svg)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_the_school_within_the_spread() {
        let svg = strip("Students <all>", Some(4200.0), &[1000.0, 3000.0, 8000.0]).unwrap();
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert_eq!(svg.matches("class=\"peer\"").count(), 3);
        assert!(
            svg.contains("class=\"own\"") && svg.contains(">4,200<"),
            "grouped"
        );
        assert!(svg.contains("&lt;all&gt;"), "labels are escaped");
        assert!(svg.contains(">1,000<") && svg.contains(">8,000<"));
        assert!(strip("x", None, &[]).is_none());
        // A thousand peers on a 420-pixel strip: no more dots than there is room for.
        let many: Vec<f64> = (0..1000).map(f64::from).collect();
        let svg = strip("many", Some(10.0), &many).unwrap();
        let dots = svg.matches("class=\"peer\"").count();
        assert!((100..=140).contains(&dots), "{dots} dots");
        assert!(
            strip("x", Some(5.0), &[5.0])
                .unwrap()
                .contains("cx=\"210.0\""),
            "a single value sits in the middle"
        );
    }
}
