//! What the load bench measures and how it prints it.

use std::time::Duration;

use hdrhistogram::Histogram;

use crate::calls::{Answered, Rpc};

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
    score: Latencies,
    explain: Latencies,
    batch: Latencies,
    calls: u64,
    errors: u64,
    /// Applicants answered, and of them refused.
    answered: u64,
    refused: u64,
    /// Applicants answered by ScoreBatch calls.
    batched: u64,
}

impl Outcome {
    pub(crate) fn new() -> Self {
        Self {
            score: Latencies::new(),
            explain: Latencies::new(),
            batch: Latencies::new(),
            calls: 0,
            errors: 0,
            answered: 0,
            refused: 0,
            batched: 0,
        }
    }

    /// One measured call.
    pub(crate) fn record(
        &mut self,
        rpc: Rpc,
        answer: Option<Answered>,
        call: Duration,
        schedule: Duration,
    ) {
        self.calls += 1;
        self.errors += u64::from(answer.is_none());
        let answer = answer.unwrap_or_default();
        self.answered += answer.applicants;
        self.refused += answer.refused;
        let latencies = match rpc {
            Rpc::Score => &mut self.score,
            Rpc::Explain => &mut self.explain,
            Rpc::Batch => {
                self.batched += answer.applicants;
                &mut self.batch
            }
        };
        latencies.record(call, schedule);
    }

    pub(crate) fn add(&mut self, other: &Self) {
        self.score.add(&other.score);
        self.explain.add(&other.explain);
        self.batch.add(&other.batch);
        self.calls += other.calls;
        self.errors += other.errors;
        self.answered += other.answered;
        self.refused += other.refused;
        self.batched += other.batched;
    }
}

pub(crate) fn report(total: &Outcome, seconds: f64) {
    let ms = |h: &Histogram<u64>, q: f64| h.value_at_quantile(q) as f64 / 1000.0;
    // Each RPC's latencies, and the applicants its calls answered when a
    // call answers many.
    let rpcs = [
        ("Score", &total.score, None),
        ("Explain", &total.explain, None),
        ("ScoreBatch", &total.batch, Some(total.batched)),
    ];
    for (name, latencies, batched) in rpcs {
        if latencies.call.is_empty() {
            continue;
        }
        let applicants = batched.map_or_else(String::new, |n| {
            format!(" ({n} applicants, {:.1}/s)", n as f64 / seconds)
        });
        println!(
            "{name}: {} calls, {:.1}/s{applicants}",
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
        "errors {} of {} calls; {:.1}% of the applicants answered were refused",
        total.errors,
        total.calls,
        100.0 * total.refused as f64 / total.answered.max(1) as f64
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
