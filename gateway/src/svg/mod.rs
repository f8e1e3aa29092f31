//! The charts, drawn as inline SVG on the server so the pages need no
//! JavaScript. Each chart carries a `<title>` and `<desc>` for screen
//! readers; the pages add the data as a table beside it.

use std::fmt::Write;

use crate::i18n::Lang;
use crate::numbers::localize;

mod bars;
mod curves;
mod gauge;
mod paired;

pub use bars::{Bar, bars};
pub use curves::{CalibrationPoint, cost_curve, reliability};
pub use gauge::{Mark, gauge};
pub use paired::{PairedBin, paired_histogram};

/// Raises the risk (red, 6.6:1 on white).
pub const RED: &str = "#b00020";
/// Lowers the risk (green, 7.9:1 on white).
pub const GREEN: &str = "#1b5e20";
const INK: &str = "#1a1a1a";
const NEUTRAL: &str = "#1f4e8c";
/// Between the prudent and the aggressive thresholds (amber, 4.6:1 on white).
pub const AMBER: &str = "#8a5a00";

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

pub(crate) fn open(out: &mut String, labels: &Labels<'_>, width: u32, height: u32) {
    let id = esc(labels.id);
    let _ = write!(
        out,
        r#"<svg class="chart" id="{id}" role="img" aria-labelledby="{id}-t {id}-d" viewBox="0 0 {width} {height}" width="100%" preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg"><title id="{id}-t">{}</title><desc id="{id}-d">{}</desc>"#,
        esc(labels.title),
        esc(labels.desc)
    );
}

/// The thresholds a population is coloured against: below the lowest
/// (prudent) every strategy accepts, at or above the highest (aggressive)
/// every strategy refuses, in between it depends on the strategy.
#[derive(Debug, Clone, Copy)]
pub struct Bands {
    /// The lowest refusal threshold.
    pub lowest: f64,
    /// The highest refusal threshold.
    pub highest: f64,
}

impl Bands {
    /// The band of probability `p`: its CSS class and colour.
    pub fn of(self, p: f64) -> (&'static str, &'static str) {
        if p < self.lowest {
            ("band-accept", GREEN)
        } else if p < self.highest {
            ("band-depends", AMBER)
        } else {
            ("band-refuse", RED)
        }
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
    bands: Bands,
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
        let (class, color) = bands.of(*p);
        let _ = write!(
            out,
            "<circle class=\"pt {class}\" cx=\"{:.1}\" cy=\"{:.1}\" r=\"3\" fill=\"{color}\" fill-opacity=\"0.75\"/>",
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

/// The labels the charts' unit tests draw with.
#[cfg(test)]
pub(crate) const TEST_LABELS: Labels<'static> = Labels {
    id: "c",
    title: "T <x>",
    desc: "D",
    lang: Lang::En,
};

#[cfg(test)]
mod tests {
    use super::*;

    const L: Labels<'static> = TEST_LABELS;

    #[test]
    fn empty_or_degenerate_inputs_draw_without_panicking() {
        assert!(histogram(&L, &[], &[], Some(1.0)).ends_with("</svg>"));
        assert!(histogram(&L, &[1.0, 1.0], &[3], None).ends_with("</svg>"));
        let bands = Bands {
            lowest: 0.1,
            highest: 0.2,
        };
        assert!(scatter(&L, &[], bands, None).ends_with("</svg>"));
        assert!(cost_curve(&L, &[], &[]).ends_with("</svg>"));
        assert!(bars(&L, &[], true).ends_with("</svg>"));
    }

    #[test]
    fn scatter_points_are_coloured_by_threshold_band() {
        let bands = Bands {
            lowest: 0.07,
            highest: 0.08,
        };
        let points = [
            (0.0, 0.0, 0.01),
            (1.0, 1.0, 0.075),
            (2.0, 2.0, 0.08),
            (3.0, 3.0, 0.5),
        ];
        let svg = scatter(&L, &points, bands, None);
        assert_eq!(svg.matches("pt band-accept").count(), 1);
        assert_eq!(svg.matches("pt band-depends").count(), 1);
        assert_eq!(svg.matches("pt band-refuse").count(), 2);
    }

    #[test]
    fn numbers_read_well() {
        assert_eq!(fmt_num(3.0), "3");
        assert_eq!(fmt_num(0.12345), "0.123");
        assert_eq!(fmt_num(-12000.25), "-12000.2");
    }
}
