//! The model page's curves: the business cost by threshold and the
//! reliability diagram of the calibration.

use std::fmt::Write;

use super::{INK, Labels, Mark, NEUTRAL, RED, esc, num, open};

/// The cost curve (cost per client by threshold) with vertical threshold lines.
pub fn cost_curve(labels: &Labels<'_>, curve: &[(f64, f64)], marks: &[Mark<'_>]) -> String {
    let (w, h, pad) = (640.0, 300.0, 50.0);
    let mut out = String::new();
    open(&mut out, labels, w as u32, h as u32);
    let lo = curve.iter().map(|p| p.1).fold(f64::INFINITY, f64::min);
    let hi = curve.iter().map(|p| p.1).fold(f64::NEG_INFINITY, f64::max);
    let (lo, hi) = if lo.is_finite() && hi > lo {
        (lo, hi)
    } else {
        (0.0, 1.0)
    };
    let sx = |t: f64| pad + (w - 2.0 * pad) * t.clamp(0.0, 1.0);
    let sy = |c: f64| h - pad - (h - 2.0 * pad) * ((c - lo) / (hi - lo)).clamp(0.0, 1.0);
    let path: Vec<String> = curve
        .iter()
        .map(|(t, c)| format!("{:.1},{:.1}", sx(*t), sy(*c)))
        .collect();
    let _ = write!(
        out,
        "<rect x=\"{pad}\" y=\"{pad}\" width=\"{}\" height=\"{}\" fill=\"none\" stroke=\"{INK}\"/><polyline class=\"cost\" points=\"{}\" fill=\"none\" stroke=\"{NEUTRAL}\" stroke-width=\"2\"/>",
        w - 2.0 * pad,
        h - 2.0 * pad,
        path.join(" ")
    );
    for (i, m) in marks.iter().enumerate() {
        let x = sx(m.value);
        let _ = write!(
            out,
            "<line class=\"threshold\" x1=\"{x:.1}\" y1=\"{pad}\" x2=\"{x:.1}\" y2=\"{:.1}\" stroke=\"{RED}\" stroke-dasharray=\"5 3\"/><text x=\"{x:.1}\" y=\"{:.1}\" font-size=\"12\" text-anchor=\"middle\" fill=\"{INK}\">{}</text>",
            h - pad,
            pad - 8.0 - 14.0 * (i % 2) as f64,
            esc(m.label)
        );
    }
    let _ = write!(
        out,
        "<text x=\"{pad}\" y=\"{:.1}\" font-size=\"12\" fill=\"{INK}\">0</text><text x=\"{:.1}\" y=\"{:.1}\" font-size=\"12\" text-anchor=\"end\" fill=\"{INK}\">1</text><text x=\"4\" y=\"{:.1}\" font-size=\"12\" fill=\"{INK}\">{}</text><text x=\"4\" y=\"{:.1}\" font-size=\"12\" fill=\"{INK}\">{}</text></svg>",
        h - pad + 16.0,
        w - pad,
        h - pad + 16.0,
        h - pad,
        num(lo, labels.lang),
        pad + 4.0,
        num(hi, labels.lang)
    );
    out
}

/// One point of the reliability diagram: the clients of one bin.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CalibrationPoint {
    /// Mean predicted probability of default.
    pub predicted: f64,
    /// Share of them who defaulted.
    pub observed: f64,
    /// How many.
    pub clients: u64,
}

/// The reliability diagram: observed default rate against predicted
/// probability per bin (dot area by clients), over the diagonal of a
/// perfectly calibrated model. Both axes run from 0 to a round share
/// above the largest value, since default probabilities sit near 0.
pub fn reliability(labels: &Labels<'_>, axes: [&str; 2], points: &[CalibrationPoint]) -> String {
    let (size, pad) = (380.0, 56.0);
    let mut out = String::new();
    open(&mut out, labels, size as u32, size as u32);
    let points: Vec<&CalibrationPoint> = points
        .iter()
        .filter(|p| p.clients > 0 && p.predicted.is_finite() && p.observed.is_finite())
        .collect();
    let largest = points
        .iter()
        .map(|p| p.predicted.max(p.observed))
        .fold(0.0, f64::max);
    // The axes end at the next multiple of 5 % (at most 100 %).
    let top = ((largest / 0.05).ceil() * 0.05).clamp(0.05, 1.0);
    let span = size - 2.0 * pad;
    let sx = |p: f64| pad + span * (p / top).clamp(0.0, 1.0);
    let sy = |p: f64| size - pad - span * (p / top).clamp(0.0, 1.0);
    let _ = write!(
        out,
        "<rect x=\"{pad}\" y=\"{pad}\" width=\"{span}\" height=\"{span}\" fill=\"none\" stroke=\"{INK}\"/><line class=\"diagonal\" x1=\"{:.1}\" y1=\"{:.1}\" x2=\"{:.1}\" y2=\"{:.1}\" stroke=\"{INK}\" stroke-dasharray=\"4 4\"/>",
        sx(0.0),
        sy(0.0),
        sx(top),
        sy(top)
    );
    let path: Vec<String> = points
        .iter()
        .map(|p| format!("{:.1},{:.1}", sx(p.predicted), sy(p.observed)))
        .collect();
    let _ = write!(
        out,
        "<polyline points=\"{}\" fill=\"none\" stroke=\"{NEUTRAL}\" stroke-width=\"1.5\"/>",
        path.join(" ")
    );
    let most = points.iter().map(|p| p.clients).max().unwrap_or(1).max(1) as f64;
    for p in &points {
        let radius = 2.5 + 5.5 * (p.clients as f64 / most).sqrt();
        let _ = write!(
            out,
            "<circle class=\"bin\" cx=\"{:.1}\" cy=\"{:.1}\" r=\"{radius:.1}\" fill=\"{NEUTRAL}\" fill-opacity=\"0.7\"/>",
            sx(p.predicted),
            sy(p.observed)
        );
    }
    let middle = pad + span / 2.0;
    let _ = write!(
        out,
        "<text x=\"{middle:.1}\" y=\"{:.1}\" font-size=\"12\" text-anchor=\"middle\" fill=\"{INK}\">{}</text><text transform=\"translate(16 {middle:.1}) rotate(-90)\" font-size=\"12\" text-anchor=\"middle\" fill=\"{INK}\">{}</text>",
        size - pad + 32.0,
        esc(axes[0]),
        esc(axes[1])
    );
    let percent = |v: f64| format!("{} %", num((v * 100.0 * 10.0).round() / 10.0, labels.lang));
    let _ = write!(
        out,
        "<text x=\"{pad}\" y=\"{:.1}\" font-size=\"12\" fill=\"{INK}\">0</text><text x=\"{:.1}\" y=\"{:.1}\" font-size=\"12\" text-anchor=\"end\" fill=\"{INK}\">{}</text><text x=\"4\" y=\"{:.1}\" font-size=\"12\" fill=\"{INK}\">{}</text></svg>",
        size - pad + 16.0,
        size - pad,
        size - pad + 16.0,
        percent(top),
        pad + 4.0,
        percent(top)
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;

    const L: Labels<'static> = Labels {
        id: "calibration",
        title: "Calibration",
        desc: "Observed against predicted",
        lang: Lang::En,
    };

    #[test]
    fn one_dot_per_bin_with_clients_over_the_diagonal() {
        let points = [
            CalibrationPoint {
                predicted: 0.02,
                observed: 0.018,
                clients: 900,
            },
            CalibrationPoint {
                predicted: 0.10,
                observed: 0.12,
                clients: 90,
            },
            CalibrationPoint {
                predicted: 0.30,
                observed: 0.0,
                clients: 0,
            },
        ];
        let svg = reliability(&L, ["Predicted", "Observed"], &points);
        assert!(svg.contains(">Predicted</text>") && svg.contains(">Observed</text>"));
        assert_eq!(
            svg.matches("class=\"bin\"").count(),
            2,
            "the empty bin is not drawn"
        );
        assert_eq!(svg.matches("class=\"diagonal\"").count(), 1);
        // The axes end at 15 %, the next 5 % above the largest share (12 %).
        assert!(svg.contains(">15 %</text>"), "{svg}");
        assert!(svg.ends_with("</svg>"));
    }

    #[test]
    fn no_bins_or_odd_values_still_draw() {
        for points in [
            vec![],
            vec![CalibrationPoint {
                predicted: f64::NAN,
                observed: 0.1,
                clients: 3,
            }],
            vec![CalibrationPoint {
                predicted: 2.0,
                observed: 1.5,
                clients: 3,
            }],
        ] {
            let svg = reliability(&L, ["x", "y"], &points);
            assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"), "{svg}");
        }
    }
}
