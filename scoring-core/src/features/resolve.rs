//! A definition with its category vocabularies applied: every column a
//! concrete row expression or rollup, every feature named and described.
//!
//! Both engines work from a [`TablePlan`]: the batch engine resolves one table
//! at a time, as soon as it has read that table's vocabularies; the online
//! engine resolves them all from the model's schema.

use std::collections::HashSet;
use std::ops::Range;

use super::definition::{
    Agg, ColumnDef, ColumnValue, FeatureDefinition, FeatureGroup, Filter, RowExpr,
};
use super::specs::{clean_name, column_spec, count_spec, family_spec, lowercase_first};
use super::tables::{ColumnType, Table};
use super::vocabulary::vocabulary;
use crate::schema::{CategoryEncoding, CategoryVocabulary, FeatureKind, FeatureSpec};
use crate::{Error, Result};

/// The features of every table of a definition, resolved.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    /// One per table that has features, in the definition's order.
    pub tables: Vec<TablePlan>,
}

/// One table's columns and features, resolved.
#[derive(Debug, Clone, PartialEq)]
pub struct TablePlan {
    pub table: Table,
    /// Every column computed on the table's rows, groups expanded.
    pub columns: Vec<PlanColumn>,
    /// Each column definition and the range of `columns` it became.
    pub definitions: Vec<PlanDefinition>,
    /// The child tables reduced into [`PlanValue::Rollup`] columns.
    pub children: Vec<TablePlan>,
    /// The features, in order.
    pub groups: Vec<PlanGroup>,
    /// One entry per feature, in the order of the groups.
    pub specs: Vec<FeatureSpec>,
}

/// Where a [`ColumnDef`] went in a [`TablePlan`].
#[derive(Debug, Clone, PartialEq)]
pub struct PlanDefinition {
    pub name: String,
    pub columns: Range<usize>,
    /// True for a group (one-hot categories, or a rollup of them), whose
    /// members are named after themselves rather than after the definition.
    pub group: bool,
}

/// One concrete column of a table's rows.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanColumn {
    pub name: String,
    pub value: PlanValue,
    pub kind: FeatureKind,
    pub source_column: String,
    pub category: Option<String>,
    pub description: String,
}

/// How a [`PlanColumn`] is computed.
#[derive(Debug, Clone, PartialEq)]
pub enum PlanValue {
    /// From the row's own input columns.
    Row(RowExpr),
    /// `agg` of column `column` of the child plan `children[child]` over the
    /// child rows of this row.
    Rollup {
        child: usize,
        column: usize,
        agg: Agg,
    },
}

/// The features of one [`FeatureGroup`].
#[derive(Debug, Clone, PartialEq)]
pub enum PlanGroup {
    /// Every column, as it is.
    Columns,
    /// A client's rows reduced.
    Family(PlanFamily),
}

/// A family with its items expanded: one `(column, agg)` per feature.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanFamily {
    pub filter: Option<Filter>,
    /// Column index and reduction of each feature, in order.
    pub features: Vec<(usize, Agg)>,
    /// Whether a last feature counts the client's rows.
    pub count: bool,
}

impl FeatureDefinition {
    /// Resolves every table that has features.
    pub fn resolve(&self, vocabularies: &[CategoryVocabulary]) -> Result<Plan> {
        let tables = self
            .tables
            .iter()
            .filter(|t| !t.features.is_empty())
            .map(|t| self.resolve_table(t.table, vocabularies))
            .collect::<Result<_>>()?;
        Ok(Plan { tables })
    }

    /// Resolves `table` and the child tables its rollups read.
    pub fn resolve_table(
        &self,
        table: Table,
        vocabularies: &[CategoryVocabulary],
    ) -> Result<TablePlan> {
        let definition = self
            .table(table)
            .ok_or_else(|| invalid(table, "it has no definition"))?;
        let mut plan = TablePlan {
            table,
            columns: Vec::new(),
            definitions: Vec::new(),
            children: Vec::new(),
            groups: Vec::new(),
            specs: Vec::new(),
        };
        for def in &definition.columns {
            if let ColumnValue::Rollup { child, .. } = &def.value
                && !plan.children.iter().any(|c| c.table == *child)
            {
                if child.parent().map(|(parent, _)| parent) != Some(table) {
                    return Err(invalid(table, &format!("{child} is not a child of it")));
                }
                plan.children
                    .push(self.resolve_table(*child, vocabularies)?);
            }
        }
        let mut names = HashSet::new();
        for def in &definition.columns {
            let (members, group) = resolve_column(table, def, &plan.children, vocabularies)?;
            let start = plan.columns.len();
            for member in members {
                if !names.insert(member.name.clone()) {
                    return Err(invalid(
                        table,
                        &format!("two columns are called `{}`", member.name),
                    ));
                }
                plan.columns.push(member);
            }
            plan.definitions.push(PlanDefinition {
                name: def.name.clone(),
                columns: start..plan.columns.len(),
                group,
            });
        }
        for group in &definition.features {
            match group {
                FeatureGroup::Columns => {
                    if table != Table::Application {
                        return Err(invalid(
                            table,
                            "only the application's columns are features",
                        ));
                    }
                    let specs: Vec<FeatureSpec> =
                        plan.columns.iter().map(|c| column_spec(table, c)).collect();
                    plan.specs.extend(specs);
                    plan.groups.push(PlanGroup::Columns);
                }
                FeatureGroup::Family(family) => {
                    if !table.has_client_id() {
                        return Err(invalid(table, "its rows do not name a client"));
                    }
                    if let Some(filter) = &family.filter {
                        check_filter(table, filter, &plan.columns)?;
                    }
                    let rows = family.rows.as_deref().unwrap_or(&definition.rows);
                    let mut features = Vec::new();
                    for item in &family.items {
                        let range = plan.definition(&item.column).ok_or_else(|| {
                            invalid(table, &format!("no column `{}` to reduce", item.column))
                        })?;
                        for index in range.columns.clone() {
                            for &agg in &item.aggs {
                                features.push((index, agg));
                                let column = &plan.columns[index];
                                plan.specs.push(family_spec(
                                    table,
                                    &family.prefix,
                                    rows,
                                    column,
                                    agg,
                                ));
                            }
                        }
                    }
                    if let Some(count) = &family.count {
                        plan.specs.push(count_spec(table, count, rows));
                    }
                    plan.groups.push(PlanGroup::Family(PlanFamily {
                        filter: family.filter.clone(),
                        features,
                        count: family.count.is_some(),
                    }));
                }
            }
        }
        Ok(plan)
    }
}

impl Plan {
    /// Every feature, in order.
    pub fn specs(&self) -> impl Iterator<Item = &FeatureSpec> {
        self.tables.iter().flat_map(|t| t.specs.iter())
    }
}

impl TablePlan {
    /// Where the column definition `name` went.
    pub fn definition(&self, name: &str) -> Option<&PlanDefinition> {
        self.definitions.iter().find(|d| d.name == name)
    }
}

fn invalid(table: Table, reason: &str) -> Error {
    Error::InvalidFeatureDefinition {
        table,
        reason: reason.to_owned(),
    }
}

/// The concrete columns of one definition, and whether they form a group.
fn resolve_column(
    table: Table,
    def: &ColumnDef,
    children: &[TablePlan],
    vocabularies: &[CategoryVocabulary],
) -> Result<(Vec<PlanColumn>, bool)> {
    let single = |value, kind, description| PlanColumn {
        name: def.name.clone(),
        value,
        kind,
        source_column: def.source_column.clone(),
        category: None,
        description,
    };
    let resolved = match &def.value {
        ColumnValue::Number(expr) => {
            check_inputs(table, expr)?;
            let number = single(
                PlanValue::Row(expr.clone()),
                FeatureKind::Numeric,
                def.description.clone(),
            );
            (vec![number], false)
        }
        ColumnValue::OneHot {
            column,
            with_missing,
        } => {
            check_inputs(
                table,
                &RowExpr::IsMissing {
                    column: column.clone(),
                },
            )?;
            if !table
                .column_type(column)
                .is_some_and(|t| t == ColumnType::Text)
            {
                return Err(invalid(table, &format!("`{column}` is not a text column")));
            }
            let encoding = CategoryEncoding::OneHot {
                with_missing: *with_missing,
            };
            let values = vocabulary(vocabularies, table, column, encoding)?;
            let mut members: Vec<PlanColumn> = values
                .iter()
                .map(|value| PlanColumn {
                    name: clean_name(&format!("{column}_{value}")),
                    value: PlanValue::Row(RowExpr::Equals {
                        column: column.clone(),
                        value: value.clone(),
                    }),
                    kind: FeatureKind::Indicator,
                    source_column: column.clone(),
                    category: Some(value.clone()),
                    description: format!("{}: is {value}", def.description),
                })
                .collect();
            if *with_missing {
                members.push(PlanColumn {
                    name: format!("{column}_nan"),
                    value: PlanValue::Row(RowExpr::IsMissing {
                        column: column.clone(),
                    }),
                    kind: FeatureKind::Indicator,
                    source_column: column.clone(),
                    category: None,
                    description: format!("{}: is missing", def.description),
                });
            }
            (members, true)
        }
        ColumnValue::Code { column, .. } => {
            let values = vocabulary(vocabularies, table, column, CategoryEncoding::Code)?;
            let expr = RowExpr::CodeOf {
                column: column.clone(),
                values: values.to_vec(),
            };
            check_inputs(table, &expr)?;
            let legend: Vec<String> = values
                .iter()
                .enumerate()
                .map(|(i, v)| format!("{i} = {v}"))
                .collect();
            let description = format!(
                "{} (code: {}; -1 = missing)",
                def.description,
                legend.join(", ")
            );
            let code = single(PlanValue::Row(expr), FeatureKind::CategoryCode, description);
            (vec![code], false)
        }
        ColumnValue::Rollup { child, column, agg } => {
            let (index, plan) = children
                .iter()
                .enumerate()
                .find(|(_, c)| c.table == *child)
                .ok_or_else(|| invalid(table, &format!("{child} is not resolved")))?;
            let source = plan.definition(column).ok_or_else(|| {
                invalid(
                    table,
                    &format!("{child} has no column `{column}` to reduce"),
                )
            })?;
            let rollup = |member: usize| PlanValue::Rollup {
                child: index,
                column: member,
                agg: *agg,
            };
            if source.group {
                let members = source
                    .columns
                    .clone()
                    .map(|member| {
                        let from = &plan.columns[member];
                        PlanColumn {
                            name: format!("{}_{}", from.name, agg.suffix()),
                            value: rollup(member),
                            kind: FeatureKind::Numeric,
                            source_column: from.source_column.clone(),
                            category: from.category.clone(),
                            description: format!(
                                "{} {}",
                                def.description,
                                lowercase_first(&from.description)
                            ),
                        }
                    })
                    .collect();
                (members, true)
            } else {
                let value = rollup(source.columns.start);
                let number = single(value, FeatureKind::Numeric, def.description.clone());
                (vec![number], false)
            }
        }
    };
    Ok(resolved)
}

/// Every input column an expression reads exists in the table, with a type
/// the expression can read.
fn check_inputs(table: Table, expr: &RowExpr) -> Result<()> {
    let mut problem = None;
    visit_typed(
        expr,
        &mut |column, wants_text| match (table.column_type(column), wants_text) {
            (None, _) => problem = Some(format!("it has no input column `{column}`")),
            (Some(kind), Some(text)) if text == kind.is_numeric() => {
                problem = Some(format!("input column `{column}` is read as the wrong type"))
            }
            _ => {}
        },
    );
    match problem {
        Some(reason) => Err(invalid(table, &reason)),
        None => Ok(()),
    }
}

/// Calls `visit(column, Some(true))` for text reads, `Some(false)` for numeric
/// reads and `None` for reads of either type.
fn visit_typed(expr: &RowExpr, visit: &mut impl FnMut(&str, Option<bool>)) {
    match expr {
        RowExpr::Column(c) => visit(c, Some(false)),
        RowExpr::IsMissing { column } => visit(column, None),
        RowExpr::Equals { column, .. } | RowExpr::CodeOf { column, .. } => {
            visit(column, Some(true))
        }
        RowExpr::Constant(_) => {}
        RowExpr::Add(a, b) | RowExpr::Sub(a, b) | RowExpr::Mul(a, b) | RowExpr::Div(a, b) => {
            visit_typed(a, visit);
            visit_typed(b, visit);
        }
        RowExpr::MissingIf { input, .. } | RowExpr::PositivePart(input) => {
            visit_typed(input, visit)
        }
    }
}

fn check_filter(table: Table, filter: &Filter, columns: &[PlanColumn]) -> Result<()> {
    if table.column_type(&filter.column) != Some(ColumnType::Text) {
        return Err(invalid(
            table,
            &format!("its filter reads `{}`, not a text column", filter.column),
        ));
    }
    if columns.iter().any(|c| c.name == filter.column) {
        return Err(invalid(
            table,
            &format!(
                "its filter reads `{}`, the name of a computed column",
                filter.column
            ),
        ));
    }
    Ok(())
}
