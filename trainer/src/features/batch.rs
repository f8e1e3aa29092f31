//! The batch engine: the feature definition of one table interpreted with
//! polars over the whole file (and its child tables' files).
//!
//! For a table: its child tables are read, coded and reduced per parent row
//! (rollups); the table is read with only the columns the definition uses,
//! each text column as positions in its dictionary
//! ([`super::dictionary`]); its vocabularies are recorded from those
//! dictionaries (or taken from a fixed schema); the definition is resolved
//! with them and the category columns replaced by codes ([`Codes`]). The
//! computed numbers become one `with_columns` (the polars expressions of
//! [`super::translate`]), collected once; the indicators of a category are
//! never stored as columns. The rows are then grouped by client once
//! ([`Groups`]) and each family's reductions computed over those groups
//! ([`Family`]: shares counted from the codes, the other reductions in our
//! own passes, polars for what is left). The result is a list of parts
//! keyed by client, each placed on the applicants' rows by
//! [`super::align`] rather than joined to the others.

use std::borrow::Cow;

use polars::prelude::*;
use scoring_core::features::{
    CLIENT_ID, FeatureDefinition, Filter, PlanGroup, PlanValue, RowExpr, TARGET, Table, TablePlan,
};

use super::codes::{Codes, codes_in};
use super::dictionary::LoadedTable;
use super::family::{Family, column_expr, is_inline};
use super::groups::Groups;
use super::readahead::{ReadAhead, reads_of};
use super::translate::{filter, row_expr};
use super::vocabularies::Vocabularies;
use super::{Built, collect_streaming};
use crate::{Error, Result};

/// The per-client rows of the features of `table`, from the tables its
/// stage reads (see [`reads_of`](super::readahead::reads_of)), taken from
/// `tables` in that order.
pub(crate) fn build_table(
    tables: &mut ReadAhead,
    definition: &FeatureDefinition,
    table: Table,
    vocabularies: &mut Vocabularies,
    stage: &'static str,
) -> Result<Built> {
    let failed = |source| Error::Polars { stage, source };
    // Child tables first, so their vocabularies come first, as
    // FeatureDefinition::categories lists them.
    let mut children: Vec<(Table, LoadedTable)> = Vec::new();
    for read in reads_of(definition, table)? {
        if read.table == table {
            continue;
        }
        let frame = tables.next(read.table)?;
        vocabularies.record(definition, read.table, &frame)?;
        children.push((read.table, frame));
    }
    let frame = tables.next(table)?;
    vocabularies.record(definition, table, &frame)?;
    let plan = definition.resolve_table(table, vocabularies.used())?;
    let codes = Codes::of(&plan);
    let mut rows = codes.encode(frame).map_err(failed)?.lazy();

    for (index, (child_plan, (child, child_frame))) in
        plan.children.iter().zip(children).enumerate()
    {
        let key = child.parent().map_or(CLIENT_ID, |(_, key)| key);
        let child_codes = Codes::of(child_plan);
        let child_rows = with_computed(child_codes.encode(child_frame), child_plan, &child_codes)
            .map_err(failed)?;
        let mut rollups = Family::default();
        for c in &plan.columns {
            let PlanValue::Rollup { child, column, agg } = &c.value else {
                continue;
            };
            if *child == index {
                rollups.add(
                    &child_rows,
                    child_plan,
                    &child_codes,
                    (*column, *agg),
                    &c.name,
                );
            }
        }
        let groups = Groups::of(key_of(&child_rows, key)?).map_err(failed)?;
        // Reduced now, so that the child rows are freed before the families.
        let per_parent = rollups
            .reduce_to_one(&child_rows, &groups, key)
            .map_err(failed)?;
        drop(child_rows);
        rows = rows.join(
            per_parent.lazy(),
            [col(key)],
            [col(key)],
            JoinArgs::new(JoinType::Left),
        );
    }
    let rows = rows.with_columns(computed_columns(&plan, &codes));
    let has_families = plan
        .groups
        .iter()
        .any(|g| matches!(g, PlanGroup::Family(_)));
    let has_columns = plan.groups.iter().any(|g| matches!(g, PlanGroup::Columns));
    // The families' rows, computed (and joined) once, then grouped once.
    let materialized = if has_families {
        let rows = rows.clone().collect().map_err(failed)?;
        let groups = Groups::of(key_of(&rows, CLIENT_ID)?).map_err(failed)?;
        Some((rows, groups))
    } else {
        None
    };
    // The rows as read are freed here unless kept as columns.
    let rows = has_columns.then_some(rows);

    let mut parts: Vec<DataFrame> = Vec::new();
    let mut spec = 0;
    for group in &plan.groups {
        match group {
            PlanGroup::Columns => {
                let Some(rows) = &rows else {
                    continue;
                };
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
                let Some((rows, all)) = &materialized else {
                    continue;
                };
                let mut reductions = Family::default();
                for &feature in &family.features {
                    reductions.add(rows, &plan, &codes, feature, &plan.specs[spec].name);
                    spec += 1;
                }
                if family.count {
                    reductions.add_count(&plan.specs[spec].name);
                    spec += 1;
                }
                let (groups, kept) = match &family.filter {
                    Some(kept) => {
                        let code = kept_code(kept, &codes, table)?;
                        let filter_codes = codes_in(rows, &kept.column).map_err(failed)?;
                        (
                            Cow::Owned(all.kept(&filter_codes, code)),
                            Some(filter(kept, &codes)),
                        )
                    }
                    None => (Cow::Borrowed(all), None),
                };
                parts.extend(
                    reductions
                        .reduce(rows, &groups, CLIENT_ID, kept)
                        .map_err(failed)?,
                );
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

/// The code a family filter keeps.
fn kept_code(filter: &Filter, codes: &Codes, table: Table) -> Result<u32> {
    codes.code(&filter.column, &filter.equals).ok_or_else(|| {
        Error::Core(scoring_core::Error::InvalidFeatureDefinition {
            table,
            reason: format!("the filter on {} is not coded", filter.column),
        })
    })
}

/// The identifiers `key` of `rows`.
fn key_of<'a>(rows: &'a DataFrame, key: &str) -> Result<&'a Int64Chunked> {
    let failed = |source| Error::Polars {
        stage: "grouping rows",
        source,
    };
    rows.column(key)
        .and_then(|c| c.as_materialized_series().i64())
        .map_err(failed)
}

/// The coded rows of a child table with its computed columns.
fn with_computed(
    coded: PolarsResult<DataFrame>,
    plan: &TablePlan,
    codes: &Codes,
) -> PolarsResult<DataFrame> {
    let computed = computed_columns(plan, codes);
    if computed.is_empty() {
        return coded;
    }
    collect_streaming(coded?.lazy().with_columns(computed))
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
