//! The score gauge: the client's probability of default against the
//! strategy thresholds, on a scale that fits the probabilities a credit
//! model gives (a few percent), with threshold labels that never overlap.

use std::fmt::Write;

use super::{GREEN, INK, Labels, RED, esc, open};
use crate::numbers::localize;

/// One threshold mark on the gauge.
pub struct Mark<'a> {
    /// Label drawn beside it.
    pub label: &'a str,
    /// Probability in [0, 1].
    pub value: f64,
    /// Whether it is the threshold of the chosen strategy.
    pub active: bool,
}

const WIDTH: f64 = 600.0;
const X0: f64 = 20.0;
const SPAN: f64 = 560.0;
/// Height of one row of threshold labels.
const LABEL_ROW: f64 = 16.0;
/// Width of a label character at 12 px, generously (digits and capitals).
const CHAR_WIDTH: f64 = 7.5;

/// The scale's upper end: the smallest round value at or above 1.5 times
/// the largest of the probability and the thresholds (at least 5 %), so the
/// marks spread over the bar instead of crowding its first tenth.
fn scale_max(probability: f64, marks: &[Mark<'_>]) -> f64 {
    const ROUND: [f64; 12] = [
        0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5, 0.6, 0.75, 0.9, 1.0,
    ];
    let top = marks
        .iter()
        .map(|m| m.value)
        .chain([probability])
        .filter(|v| v.is_finite())
        .fold(0.0_f64, f64::max);
    ROUND.into_iter().find(|&r| r >= top * 1.5).unwrap_or(1.0)
}

/// A horizontal gauge from 0 to `scale_max` with the client's probability
/// and the strategy thresholds; threshold labels take as many rows as they
/// need not to overlap.
pub fn gauge(labels: &Labels<'_>, probability: f64, marks: &[Mark<'_>]) -> String {
    let percent = |p: f64| localize(&format!("{:.1}", p * 100.0), labels.lang);
    let max = scale_max(probability, marks);
    let x = |p: f64| X0 + SPAN * (p / max).clamp(0.0, 1.0);
    let texts: Vec<String> = marks
        .iter()
        .map(|m| format!("{} {} %", m.label, percent(m.value)))
        .collect();
    let rows = label_rows(marks.iter().map(|m| x(m.value)).zip(&texts));
    let n_rows = rows.iter().max().map_or(0, |r| r + 1);
    let top = 8.0 + LABEL_ROW * n_rows as f64;
    let height = top + 66.0;
    let mut out = String::new();
    open(&mut out, labels, WIDTH as u32, height as u32);
    let _ = write!(
        out,
        "<rect x=\"{X0}\" y=\"{top}\" width=\"{SPAN}\" height=\"20\" fill=\"#e6e6e6\" stroke=\"{INK}\"/>"
    );
    let color = if marks.iter().any(|m| m.active && probability >= m.value) {
        RED
    } else {
        GREEN
    };
    let _ = write!(
        out,
        "<rect class=\"gauge-fill\" x=\"{X0}\" y=\"{top}\" width=\"{:.1}\" height=\"20\" fill=\"{color}\"/>",
        x(probability) - X0
    );
    for step in 0..=5 {
        let p = max * f64::from(step) / 5.0;
        let _ = write!(
            out,
            "<text class=\"tick\" x=\"{:.1}\" y=\"{:.1}\" font-size=\"11\" text-anchor=\"middle\" fill=\"#555\">{} %</text>",
            x(p),
            top + 34.0,
            localize(&format!("{}", (p * 1000.0).round() / 10.0), labels.lang)
        );
    }
    for ((m, text), row) in marks.iter().zip(&texts).zip(&rows) {
        let mx = x(m.value);
        let (stroke, width) = if m.active { (INK, 4) } else { ("#555", 2) };
        let ty = top - 6.0 - LABEL_ROW * *row as f64;
        let _ = write!(
            out,
            "<line class=\"threshold{}\" x1=\"{mx:.1}\" y1=\"{:.1}\" x2=\"{mx:.1}\" y2=\"{:.1}\" stroke=\"{stroke}\" stroke-width=\"{width}\"/><text class=\"threshold-label\" x=\"{:.1}\" y=\"{ty:.1}\" font-size=\"12\" text-anchor=\"middle\" fill=\"{INK}\"{}>{}</text>",
            if m.active { " active" } else { "" },
            ty + 3.0,
            top + 26.0,
            label_centre(mx, text),
            if m.active {
                " font-weight=\"bold\""
            } else {
                ""
            },
            esc(text),
        );
    }
    let px = x(probability);
    let _ = write!(
        out,
        "<path d=\"M{px:.1} {:.1} l-6 10 h12 z\" fill=\"{INK}\"/><text class=\"client-value\" x=\"{:.1}\" y=\"{:.1}\" font-size=\"13\" text-anchor=\"middle\" font-weight=\"bold\" fill=\"{INK}\">{} %</text></svg>",
        top + 38.0,
        px.clamp(X0 + 20.0, X0 + SPAN - 20.0),
        top + 62.0,
        percent(probability)
    );
    out
}

fn label_width(text: &str) -> f64 {
    text.chars().count() as f64 * CHAR_WIDTH + 8.0
}

/// A label's centre: over its mark, moved inwards to stay inside the chart.
fn label_centre(mark_x: f64, text: &str) -> f64 {
    let half = label_width(text) / 2.0;
    mark_x.clamp(half, WIDTH - half)
}

/// The row of each label (0 next to the bar): the first row where it does
/// not overlap a label already placed, marks taken left to right.
fn label_rows<'a>(labels: impl Iterator<Item = (f64, &'a String)>) -> Vec<usize> {
    let spans: Vec<(f64, f64)> = labels
        .map(|(x, text)| {
            let centre = label_centre(x, text);
            let half = label_width(text) / 2.0;
            (centre - half, centre + half)
        })
        .collect();
    let mut order: Vec<usize> = (0..spans.len()).collect();
    order.sort_by(|&a, &b| spans[a].0.total_cmp(&spans[b].0));
    let mut row_ends: Vec<f64> = Vec::new();
    let mut rows = vec![0; spans.len()];
    for i in order {
        let (start, end) = spans[i];
        let row = match row_ends.iter().position(|&e| e <= start) {
            Some(row) => row,
            None => {
                row_ends.push(f64::NEG_INFINITY);
                row_ends.len() - 1
            }
        };
        row_ends[row] = end;
        rows[i] = row;
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    const L: Labels<'static> = crate::svg::TEST_LABELS;

    fn marks() -> [Mark<'static>; 3] {
        [
            Mark {
                label: "Prudent",
                value: 0.070,
                active: false,
            },
            Mark {
                label: "Normal",
                value: 0.075,
                active: true,
            },
            Mark {
                label: "Aggressive",
                value: 0.080,
                active: false,
            },
        ]
    }

    #[test]
    fn the_scale_fits_the_probabilities() {
        assert_eq!(scale_max(0.04, &marks()), 0.15);
        assert_eq!(scale_max(0.30, &marks()), 0.5);
        assert_eq!(scale_max(0.9, &marks()), 1.0);
        assert_eq!(scale_max(0.001, &[]), 0.05);
        assert_eq!(scale_max(f64::NAN, &marks()), 0.15);
    }

    #[test]
    fn close_thresholds_get_labels_on_separate_rows() {
        let texts: Vec<String> = ["Prudent 7.0 %", "Normal 7.5 %", "Aggressive 8.0 %"]
            .map(str::to_owned)
            .to_vec();
        let xs = [200.0, 215.0, 230.0];
        let rows = label_rows(xs.into_iter().zip(&texts));
        assert_eq!(rows.len(), 3);
        let mut sorted = rows.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), 3, "three close labels, three rows: {rows:?}");
        // Far apart, one row.
        let rows = label_rows([40.0, 300.0, 560.0].into_iter().zip(&texts));
        assert_eq!(rows, [0, 0, 0]);
    }

    #[test]
    fn labels_stay_inside_the_chart() {
        assert!(label_centre(X0, "Prudent 0.1 %") - label_width("Prudent 0.1 %") / 2.0 >= 0.0);
        let right = label_centre(WIDTH, "Aggressive 99.9 %");
        assert!(right + label_width("Aggressive 99.9 %") / 2.0 <= WIDTH);
        let svg = gauge(&L, 0.05, &marks());
        assert_eq!(svg.matches("class=\"threshold-label\"").count(), 3);
        assert!(svg.contains("15 %"), "the scale ends at 15 %: {svg}");
    }
}
