//! The batch engine: the feature definition of one table interpreted with
//! polars over the whole file (and its child tables' files).
//!
//! For a table: its child tables are read, coded and reduced per parent row
//! (rollups); the table is read with only the columns the definition uses,
//! each text column as positions in its dictionary
//! ([`super::dictionary`]); its vocabularies are recorded from those
//! dictionaries (or taken from a fixed schema); the definition is resolved
//! with them and the category columns replaced by codes ([`Codes`]). The
//! computed numbers become one `with_columns`; the indicators of a category
//! are not materialised as columns: their means
//! (category shares) are counted from the codes ([`super::shares`]) where
//! the rows are in memory, and any other reduction computes them from the
//! codes; each family is a filter and a group-by per client. Every other
//! node becomes the polars expression of [`super::translate`]. The result is
//! a list of parts keyed by client (a family's reductions, its counted
//! shares), each placed on the applicants' rows by [`super::align`] rather
//! than joined to the others.

use std::path::Path;

use polars::prelude::*;
use scoring_core::features::{
    Agg, CLIENT_ID, ColumnValue, FeatureDefinition, Filter, PlanGroup, PlanValue, RowExpr, TARGET,
    Table, TablePlan,
};

use super::codes::Codes;
use super::dictionary::LoadedTable;
use super::load::read_table;
use super::shares::{Kept, Share, shares};
use super::translate::{aggregate, filter, row_expr};
use super::vocabularies::Vocabularies;
use super::{Built, collect_streaming};
use crate::{Error, Result};
use synth::tables::Table as File;

/// The per-client rows of the features of `table`.
pub(crate) fn build_table(
    data_dir: &Path,
    definition: &FeatureDefinition,
    table: Table,
    vocabularies: &mut Vocabularies,
    stage: &'static str,
) -> Result<Built> {
    let failed = |source| Error::Polars { stage, source };
    let own = definition.table(table).ok_or_else(|| {
        Error::Core(scoring_core::Error::InvalidFeatureDefinition {
            table,
            reason: "it has no definition".to_owned(),
        })
    })?;
    // Child tables first, so their vocabularies come first, as
    // FeatureDefinition::categories lists them.
    let mut children: Vec<(Table, LoadedTable)> = Vec::new();
    for column in &own.columns {
        if let ColumnValue::Rollup { child, .. } = &column.value
            && !children.iter().any(|(c, _)| c == child)
        {
            let (_, key) = child.parent().ok_or_else(|| {
                Error::Core(scoring_core::Error::InvalidFeatureDefinition {
                    table,
                    reason: format!("{child} has no parent"),
                })
            })?;
            let frame = read(data_dir, definition, *child, &[key])?;
            vocabularies.record(definition, *child, &frame)?;
            children.push((*child, frame));
        }
    }
    let keys: Vec<&str> = children
        .iter()
        .filter_map(|(child, _)| child.parent().map(|(_, key)| key))
        .collect();
    let frame = read(data_dir, definition, table, &keys)?;
    vocabularies.record(definition, table, &frame)?;
    let plan = definition.resolve_table(table, vocabularies.used())?;
    let codes = Codes::of(&plan);
    let mut rows = codes.encode(frame).map_err(failed)?.lazy();

    for (index, (child_plan, (child, child_frame))) in
        plan.children.iter().zip(children).enumerate()
    {
        let key = child.parent().map_or(CLIENT_ID, |(_, key)| key);
        let child_codes = Codes::of(child_plan);
        let mut reductions: Vec<Expr> = Vec::new();
        let mut counted: Vec<Share> = Vec::new();
        for c in &plan.columns {
            let PlanValue::Rollup { child, column, agg } = &c.value else {
                continue;
            };
            if *child != index {
                continue;
            }
            match share_of(child_plan, *column, *agg, &child_codes, &c.name) {
                Some(share) => counted.push(share),
                None => reductions.push(
                    aggregate(column_expr(child_plan, *column, &child_codes), *agg)
                        .alias(c.name.as_str()),
                ),
            }
        }
        let child_frame = child_codes.encode(child_frame).map_err(failed)?;
        let child_shares = (!counted.is_empty())
            .then(|| shares(&child_frame, key, None, &counted))
            .transpose()
            .map_err(failed)?;
        let mut per_parent = child_frame
            .lazy()
            .with_columns(computed_columns(child_plan, &child_codes))
            .group_by([col(key)])
            .agg(reductions);
        if let Some(child_shares) = child_shares {
            per_parent = per_parent.join(
                child_shares.lazy(),
                [col(key)],
                [col(key)],
                JoinArgs::new(JoinType::Left),
            );
        }
        // Reduced now, so that the child rows are freed before the families.
        let per_parent = collect_streaming(per_parent).map_err(failed)?;
        rows = rows.join(
            per_parent.lazy(),
            [col(key)],
            [col(key)],
            JoinArgs::new(JoinType::Left),
        );
    }
    let rows = rows.with_columns(computed_columns(&plan, &codes));
    let families = plan
        .groups
        .iter()
        .filter(|g| matches!(g, PlanGroup::Family(_)))
        .count();
    // Several families read the same rows: computed (and joined) once.
    let materialized = if families > 1 {
        Some(collect_streaming(rows.clone()).map_err(failed)?)
    } else {
        None
    };
    let rows = materialized.as_ref().map_or(rows, |m| m.clone().lazy());

    let mut parts: Vec<DataFrame> = Vec::new();
    let mut spec = 0;
    for group in &plan.groups {
        match group {
            PlanGroup::Columns => {
                let mut exprs = vec![col(CLIENT_ID)];
                if table == Table::Application {
                    exprs.push(col(TARGET).cast(DataType::Int32));
                }
                exprs.extend((0..plan.columns.len()).map(|index| {
                    column_expr(&plan, index, &codes)
                        .cast(DataType::Float64)
                        .alias(plan.columns[index].name.as_str())
                }));
                spec += plan.columns.len();
                parts.push(rows.clone().select(exprs).collect().map_err(failed)?);
            }
            PlanGroup::Family(family) => {
                let mut exprs: Vec<Expr> = Vec::new();
                let mut counted: Vec<Share> = Vec::new();
                for &(column, agg) in &family.features {
                    let name = plan.specs[spec].name.as_str();
                    spec += 1;
                    // Counted only where the rows are already in memory.
                    match materialized
                        .as_ref()
                        .and_then(|_| share_of(&plan, column, agg, &codes, name))
                    {
                        Some(share) => counted.push(share),
                        None => exprs
                            .push(aggregate(column_expr(&plan, column, &codes), agg).alias(name)),
                    }
                }
                if family.count {
                    let name = plan.specs[spec].name.as_str();
                    spec += 1;
                    exprs.push(len().cast(DataType::Float64).alias(name));
                }
                if !exprs.is_empty() {
                    let kept = match &family.filter {
                        Some(kept) => rows.clone().filter(filter(kept, &codes)),
                        None => rows.clone(),
                    };
                    let reduced = kept.group_by([col(CLIENT_ID)]).agg(exprs);
                    parts.push(collect_streaming(reduced).map_err(failed)?);
                }
                if let Some(rows) = materialized.as_ref().filter(|_| !counted.is_empty()) {
                    let kept = family
                        .filter
                        .as_ref()
                        .map(|f| kept_rows(f, &codes, table))
                        .transpose()?;
                    parts.push(shares(rows, CLIENT_ID, kept, &counted).map_err(failed)?);
                }
            }
        }
    }
    if parts.is_empty() {
        return Err(Error::Core(scoring_core::Error::InvalidFeatureDefinition {
            table,
            reason: "it has no features".to_owned(),
        }));
    }
    Ok(Built {
        parts,
        specs: plan.specs,
    })
}

/// Feature `name`, the reduction `agg` of column `index` of `plan`, as a
/// share counted from the codes, when it is the mean of a coded column's
/// indicator (of a value or of missing).
fn share_of(plan: &TablePlan, index: usize, agg: Agg, codes: &Codes, name: &str) -> Option<Share> {
    if agg != Agg::Mean {
        return None;
    }
    let (column, code) = match &plan.columns[index].value {
        PlanValue::Row(RowExpr::Equals { column, value }) if codes.is_coded(column) => {
            (column, Some(codes.code(column, value)?))
        }
        PlanValue::Row(RowExpr::IsMissing { column }) if codes.is_coded(column) => (column, None),
        _ => return None,
    };
    Some(Share {
        column: column.clone(),
        code,
        name: name.to_owned(),
    })
}

/// The rows a family filter keeps, as codes.
fn kept_rows<'a>(filter: &'a Filter, codes: &Codes, table: Table) -> Result<Kept<'a>> {
    let code = codes.code(&filter.column, &filter.equals).ok_or_else(|| {
        Error::Core(scoring_core::Error::InvalidFeatureDefinition {
            table,
            reason: format!("the filter on {} is not coded", filter.column),
        })
    })?;
    Ok(Kept {
        column: &filter.column,
        code,
    })
}

/// Whether column `index` of `plan` is computed inside each reduction that
/// reads it rather than stored: an indicator or a code, cheap from the codes
/// and as many as a category has values.
fn is_inline(plan: &TablePlan, index: usize) -> bool {
    matches!(
        &plan.columns[index].value,
        PlanValue::Row(RowExpr::Equals { .. } | RowExpr::IsMissing { .. } | RowExpr::CodeOf { .. })
    )
}

/// The expression giving column `index` of `plan`'s rows.
fn column_expr(plan: &TablePlan, index: usize, codes: &Codes) -> Expr {
    let column = &plan.columns[index];
    match &column.value {
        PlanValue::Row(expr) if is_inline(plan, index) => row_expr(expr, codes),
        _ => col(column.name.as_str()),
    }
}

/// The stored row columns of `plan` that are not an input column as it is.
fn computed_columns(plan: &TablePlan, codes: &Codes) -> Vec<Expr> {
    plan.columns
        .iter()
        .enumerate()
        .filter_map(|(index, c)| match &c.value {
            _ if is_inline(plan, index) => None,
            PlanValue::Row(RowExpr::Column(input)) if *input == c.name => None,
            PlanValue::Row(expr) => Some(row_expr(expr, codes).alias(c.name.as_str())),
            PlanValue::Rollup { .. } => None,
        })
        .collect()
}

/// The file(s) of `table`, with the columns its definition reads, the
/// client identifier and `keys`. The application is both files, test
/// applicants with a missing TARGET.
fn read(
    data_dir: &Path,
    definition: &FeatureDefinition,
    table: Table,
    keys: &[&str],
) -> Result<LoadedTable> {
    let inputs = definition
        .table(table)
        .map(|t| t.inputs())
        .unwrap_or_default();
    let columns: Vec<&str> = table
        .columns()
        .iter()
        .map(|(c, _)| *c)
        .filter(|c| {
            (*c == CLIENT_ID && table.has_client_id())
                || (*c == TARGET && table == Table::Application)
                || keys.contains(c)
                || inputs.contains(c)
        })
        .collect();
    if table != Table::Application {
        return read_table(data_dir, file_of(table), &columns);
    }
    let train = read_table(data_dir, File::ApplicationTrain, &columns)?;
    let test_columns: Vec<&str> = columns.iter().copied().filter(|c| *c != TARGET).collect();
    let mut test = read_table(data_dir, File::ApplicationTest, &test_columns)?;
    let stage = |source| Error::Polars {
        stage: "combining application train and test",
        source,
    };
    test.frame = test
        .frame
        .lazy()
        .with_column(lit(NULL).cast(DataType::Float64).alias(TARGET))
        .select(columns.iter().map(|c| col(*c)).collect::<Vec<_>>())
        .collect()
        .map_err(stage)?;
    train.stack(test).map_err(stage)
}

/// The file a table is read from (the application is two).
pub(crate) fn file_of(table: Table) -> File {
    match table {
        Table::Application => File::ApplicationTrain,
        Table::Bureau => File::Bureau,
        Table::BureauBalance => File::BureauBalance,
        Table::PreviousApplication => File::PreviousApplication,
        Table::PosCashBalance => File::PosCashBalance,
        Table::InstallmentsPayments => File::InstallmentsPayments,
        Table::CreditCardBalance => File::CreditCardBalance,
    }
}
