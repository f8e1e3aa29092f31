//! The batch engine: the feature definition of one table interpreted with
//! polars over the whole file (and its child tables' files).
//!
//! For a table: its child tables are read and reduced per parent row
//! (rollups) and joined on; the table is read with only the columns the
//! definition uses; its vocabularies are recorded (or taken from a fixed
//! schema); the definition is resolved with them; the row columns become one
//! `with_columns`, each family a filter and a group-by per client. Every
//! node becomes the polars expression of [`super::translate`].

use std::path::Path;

use polars::prelude::*;
use scoring_core::features::{
    CLIENT_ID, ColumnValue, FeatureDefinition, PlanGroup, PlanValue, RowExpr, TARGET, Table,
    TablePlan,
};

use super::Built;
use super::load::read_table;
use super::translate::{aggregate, row_expr};
use super::vocabularies::Vocabularies;
use crate::{Error, Result};
use synth::tables::Table as File;

/// The per-client rows of the features of `table`.
pub(crate) fn build_table(
    data_dir: &Path,
    definition: &FeatureDefinition,
    table: Table,
    vocabularies: &mut Vocabularies,
) -> Result<Built> {
    let own = definition.table(table).ok_or_else(|| {
        Error::Core(scoring_core::Error::InvalidFeatureDefinition {
            table,
            reason: "it has no definition".to_owned(),
        })
    })?;
    // Child tables first, so their vocabularies come first, as
    // FeatureDefinition::categories lists them.
    let mut children: Vec<(Table, DataFrame)> = Vec::new();
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

    let mut rows = frame.lazy();
    for (index, (child_plan, (child, child_frame))) in
        plan.children.iter().zip(children).enumerate()
    {
        let key = child.parent().map_or(CLIENT_ID, |(_, key)| key);
        let reductions: Vec<Expr> = plan
            .columns
            .iter()
            .filter_map(|c| match &c.value {
                PlanValue::Rollup { child, column, agg } if *child == index => Some(
                    aggregate(col(child_plan.columns[*column].name.as_str()), *agg)
                        .alias(c.name.as_str()),
                ),
                _ => None,
            })
            .collect();
        let per_parent = child_frame
            .lazy()
            .with_columns(computed_columns(child_plan))
            .group_by([col(key)])
            .agg(reductions);
        rows = rows.join(
            per_parent,
            [col(key)],
            [col(key)],
            JoinArgs::new(JoinType::Left),
        );
    }

    let mut built: Option<Built> = None;
    let mut spec = 0;
    let with_columns = rows.clone().with_columns(computed_columns(&plan));
    for group in &plan.groups {
        let frame = match group {
            PlanGroup::Columns => {
                // Every expression reads the input columns, as the definition says.
                let mut exprs = vec![col(CLIENT_ID)];
                if table == Table::Application {
                    exprs.push(col(TARGET).cast(DataType::Int32));
                }
                exprs.extend(plan.columns.iter().map(|c| {
                    match &c.value {
                        PlanValue::Row(expr) => row_expr(expr)
                            .cast(DataType::Float64)
                            .alias(c.name.as_str()),
                        PlanValue::Rollup { .. } => col(c.name.as_str()).cast(DataType::Float64),
                    }
                }));
                spec += plan.columns.len();
                rows.clone().select(exprs)
            }
            PlanGroup::Family(family) => {
                let mut exprs: Vec<Expr> = family
                    .features
                    .iter()
                    .map(|&(column, agg)| {
                        let name = plan.specs[spec].name.as_str();
                        spec += 1;
                        aggregate(col(plan.columns[column].name.as_str()), agg).alias(name)
                    })
                    .collect();
                if family.count {
                    let name = plan.specs[spec].name.as_str();
                    spec += 1;
                    exprs.push(len().cast(DataType::Float64).alias(name));
                }
                let kept = match &family.filter {
                    Some(filter) => with_columns
                        .clone()
                        .filter(col(filter.column.as_str()).eq(lit(filter.equals.clone()))),
                    None => with_columns.clone(),
                };
                kept.group_by([col(CLIENT_ID)]).agg(exprs)
            }
        };
        let part = Built {
            frame,
            specs: Vec::new(),
        };
        built = Some(match built {
            None => part,
            Some(earlier) => earlier.join(part),
        });
    }
    let mut built = built.ok_or_else(|| {
        Error::Core(scoring_core::Error::InvalidFeatureDefinition {
            table,
            reason: "it has no features".to_owned(),
        })
    })?;
    built.specs = plan.specs;
    Ok(built)
}

/// The row columns of `plan` that are not an input column as it is.
fn computed_columns(plan: &TablePlan) -> Vec<Expr> {
    plan.columns
        .iter()
        .filter_map(|c| match &c.value {
            PlanValue::Row(RowExpr::Column(input)) if *input == c.name => None,
            PlanValue::Row(expr) => Some(row_expr(expr).alias(c.name.as_str())),
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
) -> Result<DataFrame> {
    let inputs = definition
        .table(table)
        .map(|t| t.inputs())
        .unwrap_or_default();
    let mut columns: Vec<&str> = Vec::new();
    for column in table.columns().iter().map(|(c, _)| *c).filter(|c| {
        (*c == CLIENT_ID && table.has_client_id())
            || (*c == TARGET && table == Table::Application)
            || keys.contains(c)
            || inputs.contains(c)
    }) {
        columns.push(column);
    }
    if table != Table::Application {
        return read_table(data_dir, file_of(table), &columns);
    }
    let train = read_table(data_dir, File::ApplicationTrain, &columns)?;
    let test_columns: Vec<&str> = columns.iter().copied().filter(|c| *c != TARGET).collect();
    let test = read_table(data_dir, File::ApplicationTest, &test_columns)?;
    let stage = |source| Error::Polars {
        stage: "combining application train and test",
        source,
    };
    let test = test
        .lazy()
        .with_column(lit(NULL).cast(DataType::Float64).alias(TARGET))
        .select(columns.iter().map(|c| col(*c)).collect::<Vec<_>>())
        .collect()
        .map_err(stage)?;
    train.vstack(&test).map_err(stage)
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
