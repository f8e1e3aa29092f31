//! Ranking and probability metrics of a probability-of-default model.
//!
//! Ties in the scores are handled exactly: clients with equal probabilities
//! form one point of the ROC / precision-recall curves, as in scikit-learn.

use super::{DefaultLabel, require_both_classes, validate};
use crate::{Error, Result};

/// Probabilities are clipped to `[LOG_LOSS_EPSILON, 1 - LOG_LOSS_EPSILON]`
/// in [`log_loss`] so that a confident mistake costs a large but finite
/// amount.
pub const LOG_LOSS_EPSILON: f64 = 1e-15;

/// Groups of tied scores, from the highest score to the lowest: for each
/// group, the number of defaulters and of good payers in it.
fn tie_groups_descending(probabilities: &[f64], defaulted: &[bool]) -> Vec<(usize, usize)> {
    let mut order: Vec<usize> = (0..probabilities.len()).collect();
    order.sort_by(|&a, &b| probabilities[b].total_cmp(&probabilities[a]));
    let mut groups: Vec<(usize, usize)> = Vec::new();
    let mut previous: Option<f64> = None;
    for &i in &order {
        if previous != Some(probabilities[i]) {
            groups.push((0, 0));
            previous = Some(probabilities[i]);
        }
        if let Some(group) = groups.last_mut() {
            if defaulted[i] {
                group.0 += 1;
            } else {
                group.1 += 1;
            }
        }
    }
    groups
}

fn count_defaulters(defaulted: &[bool]) -> usize {
    defaulted.iter().filter(|&&d| d).count()
}

/// Area under the ROC curve, exact: the Mann–Whitney statistic with average
/// ranks for tied scores, which equals the trapezoidal area under the ROC
/// curve. Needs both classes.
pub fn roc_auc<L: DefaultLabel>(probabilities: &[f64], labels: &[L]) -> Result<f64> {
    const METRIC: &str = "ROC AUC";
    let defaulted = validate(METRIC, probabilities, labels)?;
    require_both_classes(METRIC, &defaulted)?;
    let mut order: Vec<usize> = (0..probabilities.len()).collect();
    order.sort_by(|&a, &b| probabilities[a].total_cmp(&probabilities[b]));
    let mut rank_sum = 0.0;
    let mut start = 0;
    while start < order.len() {
        let mut end = start;
        while end + 1 < order.len() && probabilities[order[end + 1]] == probabilities[order[start]]
        {
            end += 1;
        }
        // Ranks start + 1 ..= end + 1 share their average.
        let average_rank = (start + end + 2) as f64 / 2.0;
        let positives = order[start..=end].iter().filter(|&&i| defaulted[i]).count();
        rank_sum += average_rank * positives as f64;
        start = end + 1;
    }
    let positives = count_defaulters(&defaulted) as f64;
    let negatives = defaulted.len() as f64 - positives;
    Ok((rank_sum - positives * (positives + 1.0) / 2.0) / (positives * negatives))
}

/// Area under the precision-recall curve as scikit-learn's
/// `average_precision_score`: `Σ (R_k − R_{k−1}) · P_k` over the distinct
/// thresholds from the highest, without interpolation. Needs at least one
/// defaulter (recall is undefined otherwise).
pub fn average_precision<L: DefaultLabel>(probabilities: &[f64], labels: &[L]) -> Result<f64> {
    const METRIC: &str = "average precision";
    let defaulted = validate(METRIC, probabilities, labels)?;
    let total_defaulters = count_defaulters(&defaulted);
    if total_defaulters == 0 {
        return Err(Error::SingleClass {
            metric: METRIC,
            class: 0,
        });
    }
    let (mut true_positives, mut false_positives) = (0usize, 0usize);
    let mut previous_recall = 0.0;
    let mut area = 0.0;
    for (defaulters, payers) in tie_groups_descending(probabilities, &defaulted) {
        true_positives += defaulters;
        false_positives += payers;
        let recall = true_positives as f64 / total_defaulters as f64;
        let precision = true_positives as f64 / (true_positives + false_positives) as f64;
        area += (recall - previous_recall) * precision;
        previous_recall = recall;
    }
    Ok(area)
}

/// Kolmogorov–Smirnov statistic: the largest gap `|TPR − FPR|` between the
/// score distributions of defaulters and good payers, over all thresholds.
/// Needs both classes.
pub fn ks_statistic<L: DefaultLabel>(probabilities: &[f64], labels: &[L]) -> Result<f64> {
    const METRIC: &str = "KS statistic";
    let defaulted = validate(METRIC, probabilities, labels)?;
    require_both_classes(METRIC, &defaulted)?;
    let positives = count_defaulters(&defaulted) as f64;
    let negatives = defaulted.len() as f64 - positives;
    let (mut true_positives, mut false_positives) = (0usize, 0usize);
    let mut best: f64 = 0.0;
    for (defaulters, payers) in tie_groups_descending(probabilities, &defaulted) {
        true_positives += defaulters;
        false_positives += payers;
        let gap = true_positives as f64 / positives - false_positives as f64 / negatives;
        best = best.max(gap.abs());
    }
    Ok(best)
}

/// Brier score: the mean squared difference between the probability and
/// the label (0 is perfect, 0.25 is a constant 0.5).
pub fn brier_score<L: DefaultLabel>(probabilities: &[f64], labels: &[L]) -> Result<f64> {
    let defaulted = validate("Brier score", probabilities, labels)?;
    let sum: f64 = probabilities
        .iter()
        .zip(&defaulted)
        .map(|(p, &d)| (p - f64::from(u8::from(d))).powi(2))
        .sum();
    Ok(sum / probabilities.len() as f64)
}

/// Log loss (binary cross-entropy, natural log), with probabilities clipped
/// to `[LOG_LOSS_EPSILON, 1 − LOG_LOSS_EPSILON]`.
pub fn log_loss<L: DefaultLabel>(probabilities: &[f64], labels: &[L]) -> Result<f64> {
    let defaulted = validate("log loss", probabilities, labels)?;
    let sum: f64 = probabilities
        .iter()
        .zip(&defaulted)
        .map(|(&p, &d)| {
            let p = p.clamp(LOG_LOSS_EPSILON, 1.0 - LOG_LOSS_EPSILON);
            if d { -p.ln() } else { -(1.0 - p).ln() }
        })
        .sum();
    Ok(sum / probabilities.len() as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn perfect_and_reversed_ranking() {
        let p = [0.1, 0.2, 0.8, 0.9];
        let y = [false, false, true, true];
        assert_eq!(roc_auc(&p, &y).expect("valid"), 1.0);
        assert_eq!(ks_statistic(&p, &y).expect("valid"), 1.0);
        let reversed = [true, true, false, false];
        assert_eq!(roc_auc(&p, &reversed).expect("valid"), 0.0);
    }

    #[test]
    fn all_scores_tied_give_half_auc() {
        let p = [0.3; 5];
        let y = [0u8, 1, 0, 1, 0];
        assert_eq!(roc_auc(&p, &y).expect("valid"), 0.5);
        // One threshold: precision 2/5 at recall 1.
        assert!((average_precision(&p, &y).expect("valid") - 0.4).abs() < 1e-12);
    }
}
