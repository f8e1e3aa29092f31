//! The factors chart: horizontal bars around a zero axis, labels wrapped so
//! that none is clipped.

use std::fmt::Write;

use super::{GREEN, INK, Labels, NEUTRAL, RED, esc, open};
use crate::numbers::localize;

/// One horizontal bar.
pub struct Bar {
    /// Label drawn left of the bar.
    pub label: String,
    /// Signed length; positive raises the risk.
    pub value: f64,
}

/// Characters of a bar label per line: at 12 px a character is at most
/// about 7 px wide, and the label column is 380 px.
const LABEL_LINE_CHARS: usize = 50;
/// Lines of a bar label at most; longer labels end in "…" (the full label
/// is in the bar's tooltip and the data table).
const LABEL_LINES: usize = 3;

/// Horizontal bars around a zero axis. `signed`: red for positive values,
/// green for negative; otherwise one neutral colour. Labels wrap over up to
/// three lines, right-aligned against the axis, so none is clipped.
pub fn bars(labels: &Labels<'_>, items: &[Bar], signed: bool) -> String {
    let line_h = 14.0;
    let (w, label_w) = (760.0, 380.0);
    let wrapped: Vec<Vec<String>> = items
        .iter()
        .map(|b| wrap(&b.label, LABEL_LINE_CHARS, LABEL_LINES))
        .collect();
    let row_h = |lines: usize| (line_h * lines as f64).max(18.0) + 8.0;
    let h = 20.0 + wrapped.iter().map(|l| row_h(l.len())).sum::<f64>();
    let max = items
        .iter()
        .map(|b| b.value.abs())
        .fold(0.0_f64, f64::max)
        .max(1e-9);
    let has_negative = signed && items.iter().any(|b| b.value < 0.0);
    let plot = w - label_w - 20.0;
    let zero = if has_negative {
        label_w + plot / 2.0
    } else {
        label_w
    };
    let scale = if has_negative { plot / 2.0 } else { plot } / max;
    let mut out = String::new();
    open(&mut out, labels, w as u32, h as u32);
    let mut y = 10.0;
    for (b, lines) in items.iter().zip(&wrapped) {
        let height = row_h(lines.len());
        let bar_y = y + (height - 8.0 - 18.0) / 2.0;
        let len = b.value.abs() * scale;
        let (x, color, class) = match (signed, b.value >= 0.0) {
            (false, _) => (zero, NEUTRAL, "bar"),
            (true, true) => (zero, RED, "bar up"),
            (true, false) => (zero - len, GREEN, "bar down"),
        };
        let first_baseline = y + (height - 8.0 - line_h * lines.len() as f64) / 2.0 + 11.0;
        let _ = write!(
            out,
            "<text class=\"bar-label\" x=\"{:.1}\" y=\"{first_baseline:.1}\" font-size=\"12\" text-anchor=\"end\" fill=\"{INK}\">",
            label_w - 8.0,
        );
        for (k, line) in lines.iter().enumerate() {
            let _ = write!(
                out,
                "<tspan x=\"{:.1}\" dy=\"{}\">{}</tspan>",
                label_w - 8.0,
                if k == 0 { 0.0 } else { line_h },
                esc(line)
            );
        }
        let _ = write!(
            out,
            "</text><rect class=\"{class}\" x=\"{x:.1}\" y=\"{bar_y:.1}\" width=\"{len:.1}\" height=\"18\" fill=\"{color}\"><title>{}: {}</title></rect>",
            esc(&b.label),
            localize(&format!("{:+.3}", b.value), labels.lang)
        );
        y += height;
    }
    let _ = write!(
        out,
        "<line x1=\"{zero:.1}\" y1=\"4\" x2=\"{zero:.1}\" y2=\"{:.1}\" stroke=\"{INK}\"/></svg>",
        h - 4.0
    );
    out
}

/// `text` in lines of at most `width` characters, broken at spaces (a word
/// longer than a line is cut), at most `max_lines` of them, the last ending
/// in "…" when text was left out.
fn wrap(text: &str, width: usize, max_lines: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut current = String::new();
    for word in text.split_whitespace() {
        let mut word: String = word.to_owned();
        while word.chars().count() > width {
            let head: String = word.chars().take(width).collect();
            word = word.chars().skip(width).collect();
            if !current.is_empty() {
                lines.push(std::mem::take(&mut current));
            }
            lines.push(head);
        }
        let needed =
            current.chars().count() + usize::from(!current.is_empty()) + word.chars().count();
        if needed > width && !current.is_empty() {
            lines.push(std::mem::take(&mut current));
        }
        if !current.is_empty() {
            current.push(' ');
        }
        current.push_str(&word);
    }
    if !current.is_empty() {
        lines.push(current);
    }
    if lines.len() > max_lines {
        lines.truncate(max_lines);
        let last = &mut lines[max_lines - 1];
        let mut kept: String = last.chars().take(width.saturating_sub(1)).collect();
        kept.push('…');
        *last = kept;
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    const L: Labels<'static> = crate::svg::TEST_LABELS;

    #[test]
    fn bars_are_coloured_by_sign_and_labels_escaped() {
        let svg = bars(
            &L,
            &[
                Bar {
                    label: "a<b".into(),
                    value: 0.5,
                },
                Bar {
                    label: "c".into(),
                    value: -0.25,
                },
            ],
            true,
        );
        assert_eq!(svg.matches("class=\"bar up\"").count(), 1);
        assert_eq!(svg.matches("class=\"bar down\"").count(), 1);
        assert!(svg.contains("a&lt;b") && svg.contains("<title id=\"c-t\">T &lt;x&gt;</title>"));
    }

    #[test]
    fn long_labels_wrap_instead_of_being_cut() {
        let label = "Share of the client's previous applications where NAME_PORTFOLIO is Cash, over all previous applications";
        let lines = wrap(label, 50, 3);
        assert!(lines.len() > 1 && lines.len() <= 3, "{lines:?}");
        assert!(lines.iter().all(|l| l.chars().count() <= 50), "{lines:?}");
        assert_eq!(lines.join(" "), label, "nothing lost when it fits");
        let long = "word ".repeat(60);
        let cut = wrap(&long, 50, 3);
        assert_eq!(cut.len(), 3);
        assert!(cut[2].ends_with('…'));
        assert_eq!(
            wrap("x".repeat(120).as_str(), 50, 3)[0].len(),
            50,
            "a long word is cut"
        );
        let svg = bars(
            &L,
            &[Bar {
                label: label.into(),
                value: 1.0,
            }],
            true,
        );
        assert!(svg.matches("<tspan").count() >= 2, "{svg}");
        assert!(
            svg.contains("NAME_PORTFOLIO") && svg.contains("Share of"),
            "both ends kept"
        );
    }
}
