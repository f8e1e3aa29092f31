//! The drift chart: per bin of the reference, the reference's share and
//! the live window's share side by side, so a shift shows as bars of
//! unequal height.

use std::fmt::Write;

use super::{AMBER, INK, Labels, NEUTRAL, esc, open};
use crate::numbers::localize;

/// One bin: its label and both populations' shares (0 to 1).
pub struct PairedBin {
    pub label: String,
    pub reference: f64,
    pub live: f64,
}

/// Paired bars per bin; `legend` names the reference and the live series.
pub fn paired_histogram(labels: &Labels<'_>, bins: &[PairedBin], legend: [&str; 2]) -> String {
    let (w, h, left, bottom) = (640.0, 250.0, 20.0, 200.0);
    let mut out = String::new();
    open(&mut out, labels, w as u32, h as u32);
    let max = bins
        .iter()
        .flat_map(|b| [b.reference, b.live])
        .filter(|v| v.is_finite())
        .fold(0.0_f64, f64::max)
        .max(1e-9);
    let group = (w - left - 10.0) / bins.len().max(1) as f64;
    let bar = (group - 6.0).max(2.0) / 2.0;
    let pct = |v: f64| localize(&format!("{:.1} %", v * 100.0), labels.lang);
    for (i, b) in bins.iter().enumerate() {
        let x = left + group * i as f64 + 3.0;
        for (k, (value, class, color, series)) in [
            (b.reference, "ref", NEUTRAL, legend[0]),
            (b.live, "live", AMBER, legend[1]),
        ]
        .into_iter()
        .enumerate()
        {
            let height = (bottom - 30.0) * value.clamp(0.0, 1.0) / max;
            let _ = write!(
                out,
                "<rect class=\"{class}\" x=\"{:.1}\" y=\"{:.1}\" width=\"{bar:.1}\" height=\"{height:.1}\" fill=\"{color}\"><title>{}, {}: {}</title></rect>",
                x + bar * k as f64,
                bottom - height,
                esc(&b.label),
                esc(series),
                pct(value)
            );
        }
        let _ = write!(
            out,
            "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"11\" text-anchor=\"middle\" fill=\"{INK}\">{}</text>",
            x + bar,
            bottom + 14.0,
            esc(&b.label)
        );
    }
    let _ = write!(
        out,
        "<line x1=\"{left}\" y1=\"{bottom}\" x2=\"{:.1}\" y2=\"{bottom}\" stroke=\"{INK}\"/>",
        w - 10.0
    );
    for (k, (color, series)) in [(NEUTRAL, legend[0]), (AMBER, legend[1])]
        .into_iter()
        .enumerate()
    {
        let y = 228.0 + 14.0 * k as f64 - 10.0;
        let _ = write!(
            out,
            "<rect x=\"{left}\" y=\"{y:.1}\" width=\"12\" height=\"10\" fill=\"{color}\"/><text x=\"{:.1}\" y=\"{:.1}\" font-size=\"12\" fill=\"{INK}\">{}</text>",
            left + 18.0,
            y + 9.0,
            esc(series)
        );
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::svg::TEST_LABELS;

    #[test]
    fn each_bin_has_a_reference_and_a_live_bar_scaled_to_the_largest_share() {
        let bins = [
            PairedBin {
                label: "1".into(),
                reference: 0.5,
                live: 0.25,
            },
            PairedBin {
                label: "2".into(),
                reference: 0.5,
                live: 0.75,
            },
        ];
        let svg = paired_histogram(&TEST_LABELS, &bins, ["Reference", "Live"]);
        assert_eq!(svg.matches("class=\"ref\"").count(), 2);
        assert_eq!(svg.matches("class=\"live\"").count(), 2);
        // The largest share (75 %) is the full plot height, 170.
        assert!(svg.contains("height=\"170.0\""), "{svg}");
        assert!(svg.contains("<title>2, Live: 75.0 %</title>"), "{svg}");
        assert!(paired_histogram(&TEST_LABELS, &[], ["a", "b"]).ends_with("</svg>"));
    }
}
