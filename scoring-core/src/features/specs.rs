//! The schema entry of every resolved feature: name, kind, source and the
//! description built from its column's.

use super::definition::Agg;
use super::resolve::PlanColumn;
use super::tables::{CLIENT_ID, Table};
use crate::schema::{FeatureKind, FeatureSpec};

/// Keeps only `[A-Za-z0-9_]`, as the kernel does before training LightGBM.
pub fn clean_name(name: &str) -> String {
    name.chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect()
}

pub(super) fn column_spec(table: Table, column: &PlanColumn) -> FeatureSpec {
    FeatureSpec {
        name: column.name.clone(),
        kind: column.kind,
        source_table: table.name().to_owned(),
        source_column: column.source_column.clone(),
        aggregation: match column.kind {
            FeatureKind::Indicator => "one_hot",
            FeatureKind::CategoryCode => "code",
            FeatureKind::Numeric => "none",
        }
        .to_owned(),
        category: column.category.clone(),
        description: column.description.clone(),
    }
}

pub(super) fn family_spec(
    table: Table,
    prefix: &str,
    rows: &str,
    column: &PlanColumn,
    agg: Agg,
) -> FeatureSpec {
    let description = match (agg, column.kind) {
        (Agg::Size, _) => format!("Number of the client's {rows}"),
        (Agg::Mean, FeatureKind::Indicator) => format!(
            "Share of the client's {rows} where {}",
            lowercase_first(&column.description)
        ),
        _ => format!(
            "{} over the client's {rows} of: {}",
            agg.words(),
            column.description
        ),
    };
    FeatureSpec {
        name: format!("{prefix}{}_{}", column.name, agg.suffix()),
        kind: if agg == Agg::Mean {
            column.kind
        } else {
            FeatureKind::Numeric
        },
        source_table: table.name().to_owned(),
        source_column: column.source_column.clone(),
        aggregation: agg.name().to_owned(),
        category: column.category.clone(),
        description,
    }
}

pub(super) fn count_spec(table: Table, name: &str, rows: &str) -> FeatureSpec {
    FeatureSpec {
        name: name.to_owned(),
        kind: FeatureKind::Numeric,
        source_table: table.name().to_owned(),
        source_column: CLIENT_ID.to_owned(),
        aggregation: "count".to_owned(),
        category: None,
        description: format!("Number of the client's {rows}"),
    }
}

/// `text` with a lower-case first letter, unless it starts with a code or
/// an acronym (`STATUS`, `EXT_SOURCE_1`), which stays as it is.
pub(super) fn lowercase_first(text: &str) -> String {
    let mut chars = text.chars();
    let second = text.chars().nth(1);
    if second.is_some_and(|c| c.is_uppercase() || c.is_ascii_digit() || c == '_') {
        return text.to_owned();
    }
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}
