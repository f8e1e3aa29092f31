//! The monitoring flags (drift window, gauges, shadow challenger), part of
//! the service's [`Cli`](crate::config::Cli), and the settings they check
//! into.

use std::time::Duration;

use clap::Args;
use clap::builder::BoolishValueParser;
use scoring_core::drift::WindowSettings;

use crate::error::ConfigError;

const DEFAULT_WINDOW_APPLICANTS: u64 = 10_000;
const DEFAULT_WINDOW_SECS: u64 = 86_400;
const DEFAULT_SUB_WINDOWS: usize = 24;
const DEFAULT_TOP_FEATURES: usize = 10;
const DEFAULT_UPDATE_SECS: f64 = 15.0;
const DEFAULT_CHALLENGER_ALIAS: &str = "challenger";
const DEFAULT_CHALLENGER_QUEUE: usize = 1_024;
/// Most features with a `scoring_drift_psi` gauge.
pub const MAX_TOP_FEATURES: usize = 100;

/// Drift tracking and the shadow challenger.
#[derive(Debug, Clone, Args)]
pub struct MonitoringFlags {
    /// Do not track drift (GetDrift then answers FAILED_PRECONDITION).
    #[arg(long, env = "SCORING_NO_DRIFT", value_parser = BoolishValueParser::new())]
    pub no_drift: bool,
    /// Drift window: about the last this many applicants; 0 for no count
    /// bound (then --drift-window-secs bounds it).
    #[arg(long, env = "SCORING_DRIFT_WINDOW_APPLICANTS", default_value_t = DEFAULT_WINDOW_APPLICANTS)]
    pub drift_window_applicants: u64,
    /// Drift window: the applicants of the last this many seconds; 0 for no
    /// time bound (then --drift-window-applicants bounds it).
    #[arg(long, env = "SCORING_DRIFT_WINDOW_SECS", default_value_t = DEFAULT_WINDOW_SECS)]
    pub drift_window_secs: u64,
    /// Sub-windows the drift window is cut into: old applicants leave it one
    /// sub-window at a time.
    #[arg(long, env = "SCORING_DRIFT_SUB_WINDOWS", default_value_t = DEFAULT_SUB_WINDOWS as u64,
          value_parser = clap::value_parser!(u64).range(1..=1_000))]
    pub drift_sub_windows: u64,
    /// Features (the model's most important) with a `scoring_drift_psi`
    /// gauge, at most 100.
    #[arg(long, env = "SCORING_DRIFT_TOP_FEATURES", default_value_t = DEFAULT_TOP_FEATURES)]
    pub drift_top_features: usize,
    /// Seconds between two updates of the drift and challenger gauges.
    #[arg(long, env = "SCORING_DRIFT_UPDATE_SECS", default_value_t = DEFAULT_UPDATE_SECS)]
    pub drift_update_secs: f64,
    /// Also track applicants given by snapshot `client_id` (clients already
    /// known, by default left out of the drift window).
    #[arg(long, env = "SCORING_DRIFT_INCLUDE_SNAPSHOT", value_parser = BoolishValueParser::new())]
    pub drift_include_snapshot: bool,
    /// Registry alias of the shadow challenger, scored beside the live
    /// version off the request path; empty for none.
    #[arg(long, env = "SCORING_CHALLENGER_ALIAS", default_value = DEFAULT_CHALLENGER_ALIAS)]
    pub challenger_alias: String,
    /// Applicants waiting for the challenger at most; beyond, they are not
    /// shadowed (counted in `scoring_challenger_dropped_total`).
    #[arg(long, env = "SCORING_CHALLENGER_QUEUE", default_value_t = DEFAULT_CHALLENGER_QUEUE as u64,
          value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    pub challenger_queue: u64,
}

/// Validated monitoring settings.
#[derive(Debug, Clone, PartialEq)]
pub struct MonitoringSettings {
    /// `None`: drift is not tracked.
    pub window: Option<WindowSettings>,
    pub top_features: usize,
    pub update_interval: Duration,
    pub include_snapshot: bool,
    /// `None`: no challenger.
    pub challenger_alias: Option<String>,
    pub challenger_queue: usize,
}

impl Default for MonitoringSettings {
    /// The flags' defaults: the last 10,000 applicants within a day in 24
    /// sub-windows, 10 gauges updated every 15 s, a `challenger` alias
    /// followed with a queue of 1,024.
    fn default() -> Self {
        Self {
            window: Some(WindowSettings {
                max_applicants: Some(DEFAULT_WINDOW_APPLICANTS),
                duration: Some(Duration::from_secs(DEFAULT_WINDOW_SECS)),
                sub_windows: DEFAULT_SUB_WINDOWS,
            }),
            top_features: DEFAULT_TOP_FEATURES,
            update_interval: Duration::from_secs_f64(DEFAULT_UPDATE_SECS),
            include_snapshot: false,
            challenger_alias: Some(DEFAULT_CHALLENGER_ALIAS.to_owned()),
            challenger_queue: DEFAULT_CHALLENGER_QUEUE,
        }
    }
}

impl MonitoringFlags {
    /// The settings, or the flag at fault.
    pub fn check(self) -> Result<MonitoringSettings, ConfigError> {
        let invalid = |flag: &'static str, reason: &str| ConfigError::Invalid {
            flag,
            reason: reason.to_owned(),
        };
        let window = if self.no_drift {
            None
        } else {
            if self.drift_window_applicants == 0 && self.drift_window_secs == 0 {
                return Err(invalid(
                    "--drift-window-applicants",
                    "and --drift-window-secs are both 0: give one a bound, or --no-drift",
                ));
            }
            Some(WindowSettings {
                max_applicants: Some(self.drift_window_applicants).filter(|n| *n > 0),
                duration: Some(Duration::from_secs(self.drift_window_secs))
                    .filter(|d| !d.is_zero()),
                sub_windows: self.drift_sub_windows as usize,
            })
        };
        if self.drift_top_features > MAX_TOP_FEATURES {
            return Err(invalid(
                "--drift-top-features",
                "at most 100 (one Prometheus series each)",
            ));
        }
        let update = self.drift_update_secs;
        if !(update.is_finite() && update > 0.0 && update < 1e6) {
            return Err(invalid(
                "--drift-update-secs",
                &format!("{update} is not a positive number of seconds"),
            ));
        }
        let alias = self.challenger_alias.trim();
        Ok(MonitoringSettings {
            window,
            top_features: self.drift_top_features,
            update_interval: Duration::from_secs_f64(update),
            include_snapshot: self.drift_include_snapshot,
            challenger_alias: (!alias.is_empty()).then(|| alias.to_owned()),
            challenger_queue: self.challenger_queue as usize,
        })
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use crate::config::Cli;
    use crate::error::ConfigError;

    fn check(extra: &[&str]) -> Result<super::MonitoringSettings, ConfigError> {
        let mut args = vec!["scoring-grpc", "--registry", "/tmp/r", "--no-auth"];
        args.extend_from_slice(extra);
        Cli::try_parse_from(args)
            .expect("parses")
            .check()
            .map(|s| s.monitoring)
    }

    fn flag_of(error: ConfigError) -> &'static str {
        match error {
            ConfigError::Invalid { flag, .. } => flag,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn defaults_match_the_documented_ones() {
        assert_eq!(
            check(&[]).expect("valid"),
            super::MonitoringSettings::default()
        );
    }

    #[test]
    fn bad_monitoring_flags_are_named() {
        let both_zero = ["--drift-window-applicants", "0", "--drift-window-secs", "0"];
        assert_eq!(
            flag_of(check(&both_zero).unwrap_err()),
            "--drift-window-applicants"
        );
        let many = ["--drift-top-features", "101"];
        assert_eq!(flag_of(check(&many).unwrap_err()), "--drift-top-features");
        let never = ["--drift-update-secs", "0"];
        assert_eq!(flag_of(check(&never).unwrap_err()), "--drift-update-secs");
    }

    #[test]
    fn drift_and_the_challenger_can_be_turned_off() {
        let off = check(&["--no-drift", "--challenger-alias", ""]).expect("valid");
        assert_eq!((off.window, off.challenger_alias), (None, None));
        let count_only = check(&["--drift-window-secs", "0"]).expect("valid");
        let window = count_only.window.expect("on");
        assert_eq!(
            (window.max_applicants, window.duration),
            (Some(10_000), None)
        );
    }
}
