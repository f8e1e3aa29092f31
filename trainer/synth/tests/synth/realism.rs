//! Realism: the default rate, the risk signal, missing values and sentinels.

use super::*;

#[test]
fn default_rate_and_true_pd_are_realistic() {
    let dir = shared();
    let targets = targets(dir);
    let defaults = targets.values().filter(|t| **t).count() as f64 / targets.len() as f64;
    assert!((0.06..=0.10).contains(&defaults), "default rate {defaults}");

    let mut scored = Vec::new();
    let header = for_each_row(&dir.join(TRUE_PD_FILE), |row| {
        let pd: f64 = row[1].parse().expect("pd");
        assert!((0.0..=1.0).contains(&pd));
        if let Some(&t) = targets.get(&row[0].parse().expect("id")) {
            scored.push((pd, t));
        }
    });
    assert_eq!(header.len(), 2);
    assert_eq!(
        scored.len(),
        targets.len(),
        "every train applicant has a TRUE_PD"
    );
    // AUC by ranking: share of (default, non-default) pairs ordered correctly.
    scored.sort_by(|a, b| a.0.total_cmp(&b.0));
    let (mut negatives_below, mut correct) = (0.0, 0.0);
    for &(_, t) in &scored {
        if t {
            correct += negatives_below
        } else {
            negatives_below += 1.0
        }
    }
    let positives = scored.iter().filter(|(_, t)| *t).count() as f64;
    let auc = correct / (positives * negatives_below);
    assert!((0.75..=0.90).contains(&auc), "AUC of TRUE_PD {auc}");
}

#[test]
fn repayment_history_carries_signal() {
    let dir = shared();
    let targets = targets(dir);
    let mut late: HashMap<i64, (u32, u32)> = HashMap::new();
    for_each_row(&dir.join(Table::InstallmentsPayments.file_name()), |row| {
        let entry = late.entry(row[1].parse().expect("id")).or_default();
        let (due, paid) = (row[4].parse::<f64>().ok(), row[5].parse::<f64>().ok());
        entry.0 += u32::from(matches!((due, paid), (Some(d), Some(p)) if p > d));
        entry.1 += 1;
    });
    let mut risky: HashSet<i64> = late
        .iter()
        .filter(|(_, (l, n))| f64::from(*l) > 0.2 * f64::from(*n))
        .map(|(id, _)| *id)
        .collect();
    for_each_row(&dir.join(Table::Bureau.file_name()), |row| {
        if row[5] != "0" {
            risky.insert(row[0].parse().expect("id"));
        }
    });
    let (inside, outside) = (rate(&risky, &targets, true), rate(&risky, &targets, false));
    assert!(
        inside > 1.8 * outside,
        "default rate {inside} with late instalments or overdue credits, {outside} without"
    );
}

#[test]
fn missing_rates_and_sentinels_follow_the_profiles() {
    let dir = shared();
    let (mut n, mut missing, mut pensioners) = (0.0, [0.0; 4], 0.0);
    let path = dir.join(Table::ApplicationTrain.file_name());
    let header = for_each_row(&path, |_| {});
    let at: Vec<usize> = [
        "EXT_SOURCE_1",
        "EXT_SOURCE_3",
        "OCCUPATION_TYPE",
        "OWN_CAR_AGE",
    ]
    .iter()
    .map(|c| column(&header, c))
    .collect();
    let (employed, organization) = (
        column(&header, "DAYS_EMPLOYED"),
        column(&header, "ORGANIZATION_TYPE"),
    );
    for_each_row(&path, |row| {
        n += 1.0;
        for (count, &i) in missing.iter_mut().zip(&at) {
            *count += f64::from(u8::from(row[i].is_empty()));
        }
        if row[employed] == "365243" {
            pensioners += 1.0;
            assert_eq!(row[organization], "XNA");
        }
    });
    for (count, profile) in missing.iter().zip([0.5647, 0.1966, 0.3161, 0.6616]) {
        assert!(
            (count / n - profile).abs() < 0.03,
            "missing rate {} vs profile {profile}",
            count / n
        );
    }
    assert!(
        (0.15..0.22).contains(&(pensioners / n)),
        "DAYS_EMPLOYED sentinel share {}",
        pensioners / n
    );

    let path = dir.join(Table::PreviousApplication.file_name());
    let header = for_each_row(&path, |_| {});
    let drawing = column(&header, "DAYS_FIRST_DRAWING");
    let mut sentinels = 0;
    for_each_row(&path, |row| {
        sentinels += usize::from(row[drawing] == "365243.0")
    });
    assert!(sentinels > 0, "DAYS_FIRST_DRAWING has the 365243 sentinel");
}
