use super::*;

fn frame() -> DataFrame {
    df![
        "id" => [Some(1i64), Some(1), Some(2), Some(1), None, Some(2), Some(3), Some(4)],
        "x" => [Some(1.0), Some(f64::NAN), Some(4.0), Some(3.0), Some(9.0), None, None, Some(-2.5)],
        "kind" => [Some(0u32), None, Some(1), Some(0), Some(0), Some(2), Some(1), None],
    ]
    .expect("frame")
}

const EVERY_AGG: [Agg; 7] = [
    Agg::Min,
    Agg::Max,
    Agg::Mean,
    Agg::Sum,
    Agg::Var,
    Agg::Size,
    Agg::NUnique,
];

fn groups(frame: &DataFrame) -> Groups {
    Groups::of(frame.column("id").expect("id").i64().expect("i64")).expect("groups")
}

fn reduction(input: Input<'static>, agg: Agg, name: &str) -> Reduction<'static> {
    Reduction {
        input,
        agg,
        name: name.to_owned(),
    }
}

fn column(frame: &DataFrame, name: &str) -> Vec<Option<f64>> {
    let column = frame.column(name).expect("column");
    column.f64().expect("f64").iter().collect()
}

#[test]
fn numbers_skip_missing_values_and_nan_as_pandas_does() {
    let rows = frame();
    let wanted: Vec<Reduction> = EVERY_AGG
        .into_iter()
        .map(|agg| reduction(Input::Number("x"), agg, &format!("{agg:?}")))
        .collect();
    let out = reduce(&rows, &groups(&rows), "id", &wanted).expect("reduced");
    let ids: Vec<Option<i64>> = out
        .column("id")
        .expect("id")
        .i64()
        .expect("i64")
        .iter()
        .collect();
    assert_eq!(ids, [Some(1), Some(2), Some(3), Some(4)]);
    // id 1: 1, NaN, 3 → two values; id 2: 4 and missing; id 3: only
    // missing; id 4: one value. The row with no id is in no group.
    assert_eq!(
        column(&out, "Min"),
        [Some(1.0), Some(4.0), None, Some(-2.5)]
    );
    assert_eq!(
        column(&out, "Max"),
        [Some(3.0), Some(4.0), None, Some(-2.5)]
    );
    assert_eq!(
        column(&out, "Mean"),
        [Some(2.0), Some(4.0), None, Some(-2.5)]
    );
    assert_eq!(
        column(&out, "Sum"),
        [Some(4.0), Some(4.0), Some(0.0), Some(-2.5)]
    );
    assert_eq!(column(&out, "Var"), [Some(2.0), None, None, None]);
    assert_eq!(
        column(&out, "Size"),
        [Some(3.0), Some(2.0), Some(1.0), Some(1.0)]
    );
}

#[test]
fn an_indicator_counts_its_code_or_missing_and_is_never_missing() {
    let rows = frame();
    let wanted = [
        reduction(
            Input::Indicator {
                column: "kind",
                code: Some(0),
            },
            Agg::Sum,
            "zero",
        ),
        reduction(
            Input::Indicator {
                column: "kind",
                code: None,
            },
            Agg::Max,
            "missing",
        ),
        reduction(
            Input::Indicator {
                column: "kind",
                code: Some(0),
            },
            Agg::Var,
            "zero var",
        ),
    ];
    let out = reduce(&rows, &groups(&rows), "id", &wanted).expect("reduced");
    assert_eq!(
        column(&out, "zero"),
        [Some(2.0), Some(0.0), Some(0.0), Some(0.0)]
    );
    assert_eq!(
        column(&out, "missing"),
        [Some(1.0), Some(0.0), Some(0.0), Some(1.0)]
    );
    // id 1: 1, 0, 1 → mean 2/3, squares 1/9 + 4/9 + 1/9 over 2.
    let var = column(&out, "zero var")[0].expect("var");
    assert!((var - 1.0 / 3.0).abs() < 1e-15, "{var}");
}

#[test]
fn kept_groups_reduce_only_their_rows() {
    let rows = frame();
    let codes = rows
        .column("kind")
        .expect("kind")
        .u32()
        .expect("u32")
        .clone();
    let kept = groups(&rows).kept(&codes, 0);
    let wanted = [
        reduction(Input::Number("x"), Agg::Sum, "sum"),
        reduction(Input::Number("x"), Agg::Size, "rows"),
    ];
    let out = reduce(&rows, &kept, "id", &wanted).expect("reduced");
    // Only id 1 has rows of kind 0 (the fifth row has no id).
    assert_eq!(out.height(), 1);
    assert_eq!(column(&out, "sum"), [Some(4.0)]);
    assert_eq!(column(&out, "rows"), [Some(2.0)]);
}

/// Random groups, values, gaps and NaN: every reduction equals polars'
/// group-by of the same rows with NaN made missing.
#[test]
fn every_reduction_equals_polars_on_random_rows() {
    let n = 20_000;
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut ids = Vec::with_capacity(n);
    let mut xs = Vec::with_capacity(n);
    for _ in 0..n {
        ids.push(Some((next() % 997) as i64));
        xs.push(match next() % 10 {
            0 => None,
            1 => Some(f64::NAN),
            // Repeated values for the distinct counts, -0.0 as well as 0.0.
            2 => Some(-0.0),
            3 => Some((next() % 5) as f64),
            _ => Some((next() % 2_000_000) as f64 / 7.0 - 100_000.0),
        });
    }
    let rows = df!["id" => ids, "x" => xs].expect("rows");
    let aggs = EVERY_AGG;
    let wanted: Vec<Reduction> = aggs
        .iter()
        .map(|&agg| reduction(Input::Number("x"), agg, &format!("{agg:?}")))
        .collect();
    let ours = reduce(&rows, &groups(&rows), "id", &wanted).expect("reduced");

    let x = col("x").fill_nan(lit(NULL));
    let theirs = rows
        .clone()
        .lazy()
        .group_by([col("id")])
        .agg([
            x.clone().min().alias("Min"),
            x.clone().max().alias("Max"),
            x.clone().mean().alias("Mean"),
            x.clone().sum().alias("Sum"),
            x.clone().var(1).alias("Var"),
            len().cast(DataType::Float64).alias("Size"),
            x.clone()
                .drop_nulls()
                .n_unique()
                .cast(DataType::Float64)
                .alias("NUnique"),
        ])
        .collect()
        .expect("polars");
    let theirs = ours
        .select(["id"])
        .expect("ids")
        .left_join(&theirs, ["id"], ["id"])
        .expect("joined");
    for agg in aggs {
        let name = format!("{agg:?}");
        for (a, b) in column(&ours, &name).iter().zip(column(&theirs, &name)) {
            match (a, b) {
                (Some(a), Some(b)) => assert!(
                    (a - b).abs() <= 1e-9 * b.abs().max(1.0),
                    "{name}: {a} against {b}"
                ),
                (a, b) => assert_eq!(*a, b, "{name}"),
            }
        }
    }
}

#[test]
fn a_column_of_the_wrong_type_or_length_is_an_error() {
    let rows = frame();
    let groups = groups(&rows);
    let text_as_number = [reduction(Input::Number("kind"), Agg::Sum, "s")];
    assert!(reduce(&rows, &groups, "id", &text_as_number).is_err());
    let absent = [reduction(Input::Number("absent"), Agg::Sum, "s")];
    assert!(reduce(&rows, &groups, "id", &absent).is_err());
    let rows_summed = [reduction(Input::Rows, Agg::Sum, "s")];
    assert!(reduce(&rows, &groups, "id", &rows_summed).is_err());
    let other = df!["x" => [1.0, 2.0]].expect("other");
    assert!(
        reduce(
            &other,
            &groups,
            "id",
            &[reduction(Input::Number("x"), Agg::Sum, "s")]
        )
        .is_err()
    );
}
