//! The charts, drawn as inline SVG on the server so the pages need no
//! JavaScript. Each chart carries a `<title>` and `<desc>` for screen
//! readers; the pages add the data as a table beside it.

use std::fmt::Write;

use crate::i18n::Lang;
use crate::numbers::localize;

mod curves;

pub use curves::{CalibrationPoint, cost_curve, reliability};

/// Raises the risk (red, 6.6:1 on white).
pub const RED: &str = "#b00020";
/// Lowers the risk (green, 7.9:1 on white).
pub const GREEN: &str = "#1b5e20";
const INK: &str = "#1a1a1a";
const NEUTRAL: &str = "#1f4e8c";

/// Escapes text for XML content and attributes.
pub fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Accessible name and description of a chart, and a page-unique id.
pub struct Labels<'a> {
    /// Unique id prefix on the page.
    pub id: &'a str,
    /// Short name (`<title>`).
    pub title: &'a str,
    /// What the chart shows, in a sentence (`<desc>`).
    pub desc: &'a str,
    /// How the chart writes its numbers.
    pub lang: Lang,
}

fn open(out: &mut String, labels: &Labels<'_>, width: u32, height: u32) {
    let id = esc(labels.id);
    let _ = write!(
        out,
        r#"<svg class="chart" id="{id}" role="img" aria-labelledby="{id}-t {id}-d" viewBox="0 0 {width} {height}" width="100%" preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg"><title id="{id}-t">{}</title><desc id="{id}-d">{}</desc>"#,
        esc(labels.title),
        esc(labels.desc)
    );
}

/// One threshold mark on the gauge.
pub struct Mark<'a> {
    /// Label drawn beside it.
    pub label: &'a str,
    /// Probability in [0, 1].
    pub value: f64,
    /// Whether it is the threshold of the chosen strategy.
    pub active: bool,
}

/// A horizontal gauge from 0 to 100 % with the client's probability and the
/// strategy thresholds.
pub fn gauge(labels: &Labels<'_>, probability: f64, marks: &[Mark<'_>]) -> String {
    let percent = |p: f64| localize(&format!("{:.1}", p * 100.0), labels.lang);
    let (w, x0, span) = (600.0, 20.0, 560.0);
    let x = |p: f64| x0 + span * p.clamp(0.0, 1.0);
    let mut out = String::new();
    open(&mut out, labels, w as u32, 100);
    let _ = write!(
        out,
        "<rect x=\"{x0}\" y=\"40\" width=\"{span}\" height=\"20\" fill=\"#e6e6e6\" stroke=\"{INK}\"/>"
    );
    let color = if marks.iter().any(|m| m.active && probability >= m.value) {
        RED
    } else {
        GREEN
    };
    let _ = write!(
        out,
        "<rect class=\"gauge-fill\" x=\"{x0}\" y=\"40\" width=\"{:.1}\" height=\"20\" fill=\"{color}\"/>",
        x(probability) - x0
    );
    for (i, m) in marks.iter().enumerate() {
        let mx = x(m.value);
        let (stroke, width) = if m.active { (INK, 4) } else { ("#555", 2) };
        // Labels above the bar, alternating rows so close thresholds do not
        // overlap; the client's marker and value sit below.
        let ty = if i % 2 == 0 { 30.0 } else { 14.0 };
        let _ = write!(
            out,
            "<line class=\"threshold{}\" x1=\"{mx:.1}\" y1=\"34\" x2=\"{mx:.1}\" y2=\"66\" stroke=\"{stroke}\" stroke-width=\"{width}\"/><text x=\"{mx:.1}\" y=\"{ty}\" font-size=\"12\" text-anchor=\"middle\" fill=\"{INK}\"{}>{} {} %</text>",
            if m.active { " active" } else { "" },
            if m.active {
                " font-weight=\"bold\""
            } else {
                ""
            },
            esc(m.label),
            percent(m.value)
        );
    }
    let px = x(probability);
    let _ = write!(
        out,
        "<path d=\"M{px:.1} 62 l-6 10 h12 z\" fill=\"{INK}\"/><text x=\"{px:.1}\" y=\"90\" font-size=\"13\" text-anchor=\"middle\" font-weight=\"bold\" fill=\"{INK}\">{} %</text></svg>",
        percent(probability)
    );
    out
}

/// One horizontal bar.
pub struct Bar {
    /// Label drawn left of the bar.
    pub label: String,
    /// Signed length; positive raises the risk.
    pub value: f64,
}

/// Horizontal bars around a zero axis. `signed`: red for positive values,
/// green for negative; otherwise one neutral colour.
pub fn bars(labels: &Labels<'_>, items: &[Bar], signed: bool) -> String {
    let row = 26.0;
    let (w, label_w) = (760.0, 380.0);
    let h = 20.0 + row * items.len() as f64;
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
    for (i, b) in items.iter().enumerate() {
        let y = 10.0 + row * i as f64;
        let len = b.value.abs() * scale;
        let (x, color, class) = match (signed, b.value >= 0.0) {
            (false, _) => (zero, NEUTRAL, "bar"),
            (true, true) => (zero, RED, "bar up"),
            (true, false) => (zero - len, GREEN, "bar down"),
        };
        let _ = write!(
            out,
            "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"12\" text-anchor=\"end\" fill=\"{INK}\">{}</text><rect class=\"{class}\" x=\"{x:.1}\" y=\"{y:.1}\" width=\"{len:.1}\" height=\"18\" fill=\"{color}\"><title>{}: {}</title></rect>",
            label_w - 8.0,
            y + 13.0,
            esc(&truncate(&b.label, 60)),
            esc(&b.label),
            localize(&format!("{:+.3}", b.value), labels.lang)
        );
    }
    let _ = write!(
        out,
        "<line x1=\"{zero:.1}\" y1=\"4\" x2=\"{zero:.1}\" y2=\"{:.1}\" stroke=\"{INK}\"/></svg>",
        h - 4.0
    );
    out
}

fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_owned()
    } else {
        let mut t: String = text.chars().take(max - 1).collect();
        t.push('…');
        t
    }
}

/// A histogram with an optional vertical line at the client's value.
pub fn histogram(
    labels: &Labels<'_>,
    edges: &[f64],
    counts: &[u64],
    marker: Option<f64>,
) -> String {
    let (w, h, left, bottom) = (640.0, 240.0, 50.0, 200.0);
    let mut out = String::new();
    open(&mut out, labels, w as u32, h as u32);
    let (lo, hi) = match (edges.first(), edges.last()) {
        (Some(lo), Some(hi)) if hi > lo => (*lo, *hi),
        _ => {
            out.push_str("</svg>");
            return out;
        }
    };
    let max = counts.iter().copied().max().unwrap_or(0).max(1) as f64;
    let x = |v: f64| left + (w - left - 20.0) * ((v - lo) / (hi - lo)).clamp(0.0, 1.0);
    for (i, c) in counts.iter().enumerate() {
        let (Some(a), Some(b)) = (edges.get(i), edges.get(i + 1)) else {
            break;
        };
        let bh = (bottom - 20.0) * (*c as f64) / max;
        let _ = write!(
            out,
            "<rect class=\"hbin\" x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{bh:.1}\" fill=\"{NEUTRAL}\" stroke=\"#fff\"/>",
            x(*a),
            bottom - bh,
            (x(*b) - x(*a)).max(0.5)
        );
    }
    let _ = write!(
        out,
        "<line x1=\"{left}\" y1=\"{bottom}\" x2=\"{:.1}\" y2=\"{bottom}\" stroke=\"{INK}\"/><text x=\"{left}\" y=\"220\" font-size=\"12\" fill=\"{INK}\">{}</text><text x=\"{:.1}\" y=\"220\" font-size=\"12\" text-anchor=\"end\" fill=\"{INK}\">{}</text>",
        w - 20.0,
        num(lo, labels.lang),
        w - 20.0,
        num(hi, labels.lang)
    );
    if let Some(v) = marker {
        let mx = x(v);
        let _ = write!(
            out,
            "<line class=\"client-marker\" x1=\"{mx:.1}\" y1=\"10\" x2=\"{mx:.1}\" y2=\"{bottom}\" stroke=\"{RED}\" stroke-width=\"3\" stroke-dasharray=\"6 3\"/><text x=\"{mx:.1}\" y=\"236\" font-size=\"12\" text-anchor=\"middle\" fill=\"{RED}\">{}</text>",
            num(v, labels.lang)
        );
    }
    out.push_str("</svg>");
    out
}

/// Points coloured from blue (low probability) to orange (high).
pub fn scatter(
    labels: &Labels<'_>,
    points: &[(f64, f64, f64)],
    highlight: Option<(f64, f64)>,
) -> String {
    let (w, h, pad) = (640.0, 400.0, 50.0);
    let mut out = String::new();
    open(&mut out, labels, w as u32, h as u32);
    let range = |f: fn(&(f64, f64, f64)) -> f64| {
        let lo = points.iter().map(f).fold(f64::INFINITY, f64::min);
        let hi = points.iter().map(f).fold(f64::NEG_INFINITY, f64::max);
        if lo.is_finite() && hi > lo {
            (lo, hi)
        } else {
            (lo.min(0.0), lo.max(0.0) + 1.0)
        }
    };
    let (xl, xh) = range(|p| p.0);
    let (yl, yh) = range(|p| p.1);
    let sx = |v: f64| pad + (w - 2.0 * pad) * ((v - xl) / (xh - xl)).clamp(0.0, 1.0);
    let sy = |v: f64| h - pad - (h - 2.0 * pad) * ((v - yl) / (yh - yl)).clamp(0.0, 1.0);
    let _ = write!(
        out,
        "<rect x=\"{pad}\" y=\"{pad}\" width=\"{}\" height=\"{}\" fill=\"none\" stroke=\"{INK}\"/>",
        w - 2.0 * pad,
        h - 2.0 * pad
    );
    for (x, y, p) in points {
        let p = p.clamp(0.0, 1.0);
        // Blue (#1f4e8c) to orange (#e66100): colour-blind safe ends.
        let r = (31.0 + (230.0 - 31.0) * p) as u8;
        let g = (78.0 + (97.0 - 78.0) * p) as u8;
        let b = (140.0 - 140.0 * p) as u8;
        let _ = write!(
            out,
            "<circle class=\"pt\" cx=\"{:.1}\" cy=\"{:.1}\" r=\"3\" fill=\"#{r:02x}{g:02x}{b:02x}\" fill-opacity=\"0.75\"/>",
            sx(*x),
            sy(*y)
        );
    }
    if let Some((x, y)) = highlight {
        let _ = write!(
            out,
            "<circle class=\"client-point\" cx=\"{:.1}\" cy=\"{:.1}\" r=\"7\" fill=\"none\" stroke=\"{INK}\" stroke-width=\"3\"/>",
            sx(x),
            sy(y)
        );
    }
    let _ = write!(
        out,
        "<text x=\"{pad}\" y=\"{:.1}\" font-size=\"12\" fill=\"{INK}\">{}</text><text x=\"{:.1}\" y=\"{:.1}\" font-size=\"12\" text-anchor=\"end\" fill=\"{INK}\">{}</text><text x=\"8\" y=\"{:.1}\" font-size=\"12\" fill=\"{INK}\">{}</text><text x=\"8\" y=\"{:.1}\" font-size=\"12\" fill=\"{INK}\">{}</text></svg>",
        h - pad + 16.0,
        num(xl, labels.lang),
        w - pad,
        h - pad + 16.0,
        num(xh, labels.lang),
        h - pad,
        num(yl, labels.lang),
        pad + 4.0,
        num(yh, labels.lang)
    );
    out
}

/// [`fmt_num`] written as `lang` writes numbers.
pub fn num(v: f64, lang: Lang) -> String {
    localize(&fmt_num(v), lang)
}

/// A number for display: integers without decimals, others with up to 3.
pub fn fmt_num(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{v:.0}")
    } else if v.abs() >= 1000.0 {
        format!("{v:.1}")
    } else {
        let s = format!("{v:.3}");
        s.trim_end_matches('0').trim_end_matches('.').to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const L: Labels<'static> = Labels {
        id: "c",
        title: "T <x>",
        desc: "D",
        lang: Lang::En,
    };

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
    fn empty_or_degenerate_inputs_draw_without_panicking() {
        assert!(histogram(&L, &[], &[], Some(1.0)).ends_with("</svg>"));
        assert!(histogram(&L, &[1.0, 1.0], &[3], None).ends_with("</svg>"));
        assert!(scatter(&L, &[], None).ends_with("</svg>"));
        assert!(cost_curve(&L, &[], &[]).ends_with("</svg>"));
        assert!(bars(&L, &[], true).ends_with("</svg>"));
    }

    #[test]
    fn numbers_read_well() {
        assert_eq!(fmt_num(3.0), "3");
        assert_eq!(fmt_num(0.12345), "0.123");
        assert_eq!(fmt_num(-12000.25), "-12000.2");
    }
}
