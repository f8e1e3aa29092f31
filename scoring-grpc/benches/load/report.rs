//! What the load bench measures and how it prints it.

use std::time::Duration;

use hdrhistogram::Histogram;

/// Latencies of one RPC, in microseconds (see the module documentation).
#[derive(Clone)]
pub(crate) struct Latencies {
    call: Histogram<u64>,
    schedule: Histogram<u64>,
}

impl Latencies {
    pub(crate) fn new() -> Self {
        let histogram = || Histogram::<u64>::new(3).expect("histogram");
        Self {
            call: histogram(),
            schedule: histogram(),
        }
    }

    pub(crate) fn record(&mut self, call: Duration, schedule: Duration) {
        let micros = |d: Duration| (d.as_micros() as u64).max(1);
        let _ = self.call.record(micros(call));
        let _ = self.schedule.record(micros(schedule));
    }

    pub(crate) fn add(&mut self, other: &Self) {
        self.call.add(&other.call).expect("same histogram shape");
        self.schedule
            .add(&other.schedule)
            .expect("same histogram shape");
    }
}

/// Totals of the measured run.
pub(crate) struct Outcome {
    pub(crate) score: Latencies,
    pub(crate) explain: Latencies,
    pub(crate) calls: u64,
    pub(crate) errors: u64,
    /// Answers that refused the applicant.
    pub(crate) refused: u64,
}

impl Outcome {
    pub(crate) fn new() -> Self {
        Self {
            score: Latencies::new(),
            explain: Latencies::new(),
            calls: 0,
            errors: 0,
            refused: 0,
        }
    }

    pub(crate) fn add(&mut self, other: &Self) {
        self.score.add(&other.score);
        self.explain.add(&other.explain);
        self.calls += other.calls;
        self.errors += other.errors;
        self.refused += other.refused;
    }
}

pub(crate) fn report(total: &Outcome, seconds: f64) {
    let ms = |h: &Histogram<u64>, q: f64| h.value_at_quantile(q) as f64 / 1000.0;
    for (name, latencies) in [("Score", &total.score), ("Explain", &total.explain)] {
        if latencies.call.is_empty() {
            continue;
        }
        println!(
            "{name}: {} calls, {:.1}/s",
            latencies.call.len(),
            latencies.call.len() as f64 / seconds
        );
        for (kind, h) in [("call", &latencies.call), ("schedule", &latencies.schedule)] {
            println!(
                "  {kind:9} p50 {:>8.2} ms  p99 {:>8.2} ms  p999 {:>8.2} ms  max {:>8.2} ms",
                ms(h, 0.5),
                ms(h, 0.99),
                ms(h, 0.999),
                h.max() as f64 / 1000.0,
            );
        }
    }
    println!(
        "errors {} of {} calls; {:.1}% of the answers refused the applicant",
        total.errors,
        total.calls,
        100.0 * total.refused as f64 / total.calls.max(1) as f64
    );
}

pub(crate) fn report_rss(before_warmup: u64, samples: &[u64]) {
    let (Some(&start), Some(&end), Some(&peak)) =
        (samples.first(), samples.last(), samples.iter().max())
    else {
        return;
    };
    let mib = |kib: u64| kib as f64 / 1024.0;
    println!(
        "server RSS {:.1} MiB before the warm-up, {:.1} MiB at the start of the measured load -> {:.1} MiB at its end ({:+.1}%), peak {:.1} MiB",
        mib(before_warmup),
        mib(start),
        mib(end),
        100.0 * (end as f64 - start as f64) / start as f64,
        mib(peak),
    );
}
