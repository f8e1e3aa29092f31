//! A resolved [`Plan`] compiled for the online engine: every column an
//! operation on slots, every family a list of accumulators and the output
//! positions of its features.

use super::row::{Layout, Op, Row};
use crate::features::definition::Agg;
use crate::features::resolve::{Plan, PlanColumn, PlanGroup, PlanValue, TablePlan};
use crate::features::tables::Table;
use crate::{Error, FeatureSchema, Result};

/// One table, compiled.
#[derive(Debug)]
pub(super) struct CompiledTable {
    pub(super) layout: Layout,
    /// The computed columns of a row.
    pub(super) columns: Vec<Compiled>,
    /// Output position of the first column, when the columns are features.
    pub(super) columns_at: Option<usize>,
    pub(super) families: Vec<CompiledFamily>,
    /// The accumulators over the child rows of one parent row, when the
    /// parent reduces this table's rows.
    pub(super) rollup: Option<Reduction>,
    /// The child tables (by index) reduced into this table's rows.
    pub(super) children: Vec<usize>,
    /// The identifiers checked against the records above.
    pub(super) links: Vec<Link>,
}

/// How one column of a row is computed.
#[derive(Debug)]
pub(super) enum Compiled {
    Row(Op),
    /// `agg` of the accumulator `column` of the child table `child`'s rollup.
    Rollup {
        child: usize,
        column: usize,
        agg: Agg,
    },
}

/// The columns a reduction accumulates (one accumulator each).
#[derive(Debug, Default)]
pub(super) struct Reduction {
    pub(super) columns: Vec<usize>,
    /// Whether the distinct values of each are kept (for `nunique`).
    pub(super) distinct: Vec<bool>,
}

/// One family, compiled.
#[derive(Debug)]
pub(super) struct CompiledFamily {
    /// Text column position and category id a row must have.
    pub(super) filter: Option<(usize, u32)>,
    pub(super) reduction: Reduction,
    /// Accumulator, reduction and output position of each feature.
    pub(super) outputs: Vec<(usize, Agg, usize)>,
    /// Output position of the row count, if the family has one.
    pub(super) count_at: Option<usize>,
}

/// An identifier column that must agree with the records above.
#[derive(Debug)]
pub(super) struct Link {
    pub(super) column: &'static str,
    pub(super) position: usize,
    /// The tables above (nearest first) that have the column, with its position.
    pub(super) ancestors: Vec<(usize, usize)>,
}

impl Reduction {
    /// The accumulator of `column`, added if new.
    fn accumulator(&mut self, column: usize, agg: Agg) -> usize {
        let i = match self.columns.iter().position(|c| *c == column) {
            Some(i) => i,
            None => {
                self.columns.push(column);
                self.distinct.push(false);
                self.columns.len() - 1
            }
        };
        if agg == Agg::NUnique {
            self.distinct[i] = true;
        }
        i
    }
}

impl CompiledFamily {
    /// Whether the family keeps `row`.
    #[inline]
    pub(super) fn keeps(&self, row: &Row) -> bool {
        self.filter
            .is_none_or(|(position, id)| row.texts[position] == id)
    }
}

fn index(table: Table) -> usize {
    super::table_index(table)
}

fn invalid(table: Table, reason: String) -> Error {
    Error::InvalidFeatureDefinition { table, reason }
}

/// Compiles every table of `plan`; tables it does not use are still read
/// (and checked), and add nothing.
pub(super) fn compile(plan: &Plan) -> Result<Vec<CompiledTable>> {
    let mut tables: Vec<CompiledTable> = Table::ALL.iter().map(|t| empty(*t)).collect();
    let mut compiled_from: Vec<Option<&[PlanColumn]>> = vec![None; tables.len()];
    let mut offset = 0;
    for table_plan in &plan.tables {
        compile_columns(table_plan, &mut tables, &mut compiled_from)?;
        let compiled = &mut tables[index(table_plan.table)];
        for group in &table_plan.groups {
            match group {
                PlanGroup::Columns => {
                    compiled.columns_at = Some(offset);
                    offset += table_plan.columns.len();
                }
                PlanGroup::Family(family) => {
                    let filter = match &family.filter {
                        Some(filter) => {
                            let position =
                                compiled.layout.position(&filter.column).ok_or_else(|| {
                                    invalid(
                                        table_plan.table,
                                        format!("no column `{}`", filter.column),
                                    )
                                })?;
                            Some((position, compiled.layout.intern(position, &filter.equals)))
                        }
                        None => None,
                    };
                    let mut reduction = Reduction::default();
                    let mut outputs = Vec::with_capacity(family.features.len());
                    for &(column, agg) in &family.features {
                        outputs.push((reduction.accumulator(column, agg), agg, offset));
                        offset += 1;
                    }
                    let count_at = family.count.then(|| {
                        offset += 1;
                        offset - 1
                    });
                    compiled.families.push(CompiledFamily {
                        filter,
                        reduction,
                        outputs,
                        count_at,
                    });
                }
            }
        }
    }
    Ok(tables)
}

fn empty(table: Table) -> CompiledTable {
    let links = ["SK_ID_CURR", "SK_ID_BUREAU", "SK_ID_PREV"]
        .into_iter()
        .filter_map(|column| {
            let position = table.position(column)?;
            let mut ancestors = Vec::new();
            let mut above = table.parent();
            while let Some((parent, _)) = above {
                if let Some(at) = parent.position(column) {
                    ancestors.push((index(parent), at));
                }
                above = parent.parent();
            }
            (!ancestors.is_empty()).then_some(Link {
                column,
                position,
                ancestors,
            })
        })
        .collect();
    CompiledTable {
        layout: Layout::new(table),
        columns: Vec::new(),
        columns_at: None,
        families: Vec::new(),
        rollup: None,
        children: Vec::new(),
        links,
    }
}

/// Compiles the columns of `plan` (and of its child plans) into `tables`.
fn compile_columns<'a>(
    plan: &'a TablePlan,
    tables: &mut [CompiledTable],
    compiled_from: &mut [Option<&'a [PlanColumn]>],
) -> Result<()> {
    let at = index(plan.table);
    if let Some(columns) = compiled_from[at] {
        return if columns == plan.columns.as_slice() {
            Ok(())
        } else {
            Err(invalid(
                plan.table,
                "resolved twice, differently".to_owned(),
            ))
        };
    }
    compiled_from[at] = Some(&plan.columns);
    for child in &plan.children {
        compile_columns(child, tables, compiled_from)?;
    }
    let mut columns = Vec::with_capacity(plan.columns.len());
    for column in &plan.columns {
        columns.push(match &column.value {
            PlanValue::Row(expr) => {
                let op = Op::compile(expr, &mut tables[at].layout).ok_or_else(|| {
                    invalid(
                        plan.table,
                        format!("`{}` reads an unknown column", column.name),
                    )
                })?;
                Compiled::Row(op)
            }
            PlanValue::Rollup { child, column, agg } => {
                let child_table = plan.children.get(*child).map(|c| c.table).ok_or_else(|| {
                    invalid(plan.table, "a rollup names no child table".to_owned())
                })?;
                let child_at = index(child_table);
                if !tables[at].children.contains(&child_at) {
                    tables[at].children.push(child_at);
                }
                let rollup = tables[child_at]
                    .rollup
                    .get_or_insert_with(Reduction::default);
                Compiled::Rollup {
                    child: child_at,
                    column: rollup.accumulator(*column, *agg),
                    agg: *agg,
                }
            }
        });
    }
    tables[at].columns = columns;
    Ok(())
}

/// The plan's features must be the schema's: same names in the same order,
/// same kinds, sources, reductions and categories.
pub(super) fn check_against_schema(plan: &Plan, schema: &FeatureSchema) -> Result<()> {
    let ours: Vec<_> = plan.specs().collect();
    let theirs = &schema.features;
    let same = |a: &crate::FeatureSpec, b: &crate::FeatureSpec| {
        a.name == b.name
            && a.kind == b.kind
            && a.source_table == b.source_table
            && a.source_column == b.source_column
            && a.aggregation == b.aggregation
            && a.category == b.category
    };
    if ours.len() == theirs.len() && ours.iter().zip(theirs).all(|(a, b)| same(a, b)) {
        return Ok(());
    }
    let difference = match ours.iter().zip(theirs).position(|(a, b)| !same(a, b)) {
        Some(i) => format!(
            "feature {i} is `{}` ({}, {} of {}.{}) in the definition, `{}` ({}, {} of {}.{}) in the schema",
            ours[i].name,
            kind_name(ours[i].kind),
            ours[i].aggregation,
            ours[i].source_table,
            ours[i].source_column,
            theirs[i].name,
            kind_name(theirs[i].kind),
            theirs[i].aggregation,
            theirs[i].source_table,
            theirs[i].source_column,
        ),
        None => format!(
            "{} features in the definition, {} in the schema",
            ours.len(),
            theirs.len()
        ),
    };
    Err(Error::DefinitionSchemaMismatch { difference })
}

fn kind_name(kind: crate::FeatureKind) -> &'static str {
    match kind {
        crate::FeatureKind::Numeric => "numeric",
        crate::FeatureKind::Indicator => "indicator",
        crate::FeatureKind::CategoryCode => "category code",
    }
}
