//! The latent default risk behind TARGET and TRUE_PD (see the module doc of
//! the crate for the model as users read it).

use scoring_core::sigmoid;

use super::rng::Rng;

/// Weight of the application risk `z_app` in the log-odds of default.
pub(crate) const BETA_APP: f64 = 1.0;
/// Weight of the repayment-behaviour risk `z_hist` in the log-odds.
pub(crate) const BETA_HIST: f64 = 0.85;
/// Correlation of `z_hist` with `z_app`.
pub(crate) const HIST_APP_CORRELATION: f64 = 0.3;
/// Mean default probability the intercept is solved for.
pub(crate) const TARGET_RATE: f64 = 0.08;

/// The latent risk of one applicant.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Latent {
    /// Risk visible in the application (drives EXT_SOURCE_*, age, ...).
    pub(crate) z_app: f64,
    /// Repayment behaviour (drives the history tables).
    pub(crate) z_hist: f64,
    /// True probability of default.
    pub(crate) pd: f64,
}

/// The risk model with its intercept solved for [`TARGET_RATE`].
#[derive(Debug, Clone, Copy)]
pub(crate) struct RiskModel {
    alpha: f64,
}

impl RiskModel {
    pub(crate) fn new() -> Self {
        Self {
            alpha: solve_intercept(TARGET_RATE),
        }
    }

    pub(crate) fn draw(&self, rng: &mut Rng) -> Latent {
        let z_app = rng.normal();
        let rho = HIST_APP_CORRELATION;
        let z_hist = rho * z_app + (1.0 - rho * rho).sqrt() * rng.normal();
        let pd = sigmoid(self.alpha + BETA_APP * z_app + BETA_HIST * z_hist);
        Latent { z_app, z_hist, pd }
    }
}

/// Standard deviation of the log-odds `BETA_APP * z_app + BETA_HIST * z_hist`.
fn log_odds_sd() -> f64 {
    let (a, h, r) = (BETA_APP, BETA_HIST, HIST_APP_CORRELATION);
    (a * a + h * h + 2.0 * a * h * r).sqrt()
}

/// The intercept α with E[sigmoid(α + σ·Z)] = `rate`, Z ~ N(0, 1): bisection
/// over a deterministic quadrature, so it is exact and free of sampling noise.
fn solve_intercept(rate: f64) -> f64 {
    let sd = log_odds_sd();
    let mean_pd = |alpha: f64| {
        let (step, mut sum, mut weight) = (0.01, 0.0, 0.0);
        for k in -800..=800 {
            let z = f64::from(k) * step;
            let density = (-0.5 * z * z).exp();
            sum += density * sigmoid(alpha + sd * z);
            weight += density;
        }
        sum / weight
    };
    let (mut lo, mut hi) = (-20.0, 20.0);
    for _ in 0..100 {
        let mid = 0.5 * (lo + hi);
        if mean_pd(mid) > rate {
            hi = mid
        } else {
            lo = mid
        }
    }
    0.5 * (lo + hi)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mean_pd_is_the_target_rate() {
        let model = RiskModel::new();
        let mut rng = Rng::new(1, 0, 0);
        let n = 200_000;
        let mean = (0..n).map(|_| model.draw(&mut rng).pd).sum::<f64>() / f64::from(n);
        assert!((mean - TARGET_RATE).abs() < 0.002, "{mean}");
    }
}
