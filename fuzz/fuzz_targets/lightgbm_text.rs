//! LightGBM model text: parsed, and when it loads, scored and explained.
//! Any input ends in a model or a typed error; never a panic, an abort or
//! unbounded memory.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(model) = scoring_core::parse_lightgbm(&text) {
        for fill in [0.0, -1.5, f64::NAN] {
            let row = vec![fill; model.n_features()];
            let raw = model
                .predict_raw(&row)
                .expect("a row of the model's width scores");
            let (contributions, explained) = model.explain(&row).expect("and explains");
            assert_eq!(contributions.len(), model.n_features());
            if raw.is_finite() {
                let tolerance = 1e-9 * raw.abs().max(1.0);
                assert!(
                    (raw - explained.raw_score).abs() <= tolerance,
                    "{raw} vs {explained:?}"
                );
            }
        }
    }
});
