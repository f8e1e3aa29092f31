//! The feature definition as data: which columns are computed on each row of
//! each table, and how a client's rows are reduced into features.
//!
//! A [`FeatureDefinition`] does not depend on the data: category columns are
//! declared by their encoding, and their values come from the vocabularies of
//! a [`FeatureSchema`](crate::FeatureSchema) when the definition is resolved
//! ([`super::resolve`]). Every node has one meaning, written here, that each
//! engine implements: the batch engine as a polars expression, the online
//! engine on one applicant's records.
//!
//! Semantics shared by all nodes, those of the pandas code the features come
//! from: a missing value is skipped by every reduction; a reduction over a
//! client (or a parent row) that has no rows gives missing, whatever the
//! reduction; a sum over rows whose values are all missing is 0; a division
//! whose result is not a number (0/0) is missing, x/0 is ±∞.

use serde::{Deserialize, Serialize};

use super::tables::Table;

/// Every feature of a model, grouped by the table it is computed from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeatureDefinition {
    /// The tables in the order their features appear. A table whose rows are
    /// only reduced into another's (`bureau_balance`) has no features.
    pub tables: Vec<TableDefinition>,
}

/// The columns computed on each row of one table and the features made of them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TableDefinition {
    pub table: Table,
    /// Plain words for the rows ("Credit Bureau credits"), for descriptions.
    pub rows: String,
    /// Columns computed for every row, from the row's own columns and from
    /// the reductions of its child rows.
    pub columns: Vec<ColumnDef>,
    /// The features, in order.
    pub features: Vec<FeatureGroup>,
}

/// A column computed for every row of a table (or, for a category, a group
/// of columns: one per value of its vocabulary).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ColumnDef {
    /// How families and reductions refer to the column; the feature name of a
    /// single column. A group's members are named after it (see
    /// [`ColumnValue`]).
    pub name: String,
    pub value: ColumnValue,
    /// The input columns the value is computed from, as shown to people.
    pub source_column: String,
    /// What the column means. For a group, the text each member's own
    /// description is built from (see [`ColumnValue`]).
    pub description: String,
}

/// What a [`ColumnDef`] computes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ColumnValue {
    /// One number per row.
    Number(RowExpr),
    /// One 0/1 indicator per value of the vocabulary of `column`, named
    /// `{column}_{value}` (only `[A-Za-z0-9_]` kept), plus `{column}_nan` for
    /// a missing value when `with_missing` (`pd.get_dummies`). A value outside
    /// the vocabulary sets none of them. Member descriptions: "{description}:
    /// is {value}", "{description}: is missing".
    OneHot { column: String, with_missing: bool },
    /// The position of the value in the vocabulary of `column` (first
    /// appearance order, `excluded` values left out when the vocabulary is
    /// read), -1 for a missing, excluded or unknown value (`pd.factorize`).
    Code {
        column: String,
        excluded: Vec<String>,
    },
    /// `agg` over the rows of the child table `child` that belong to this
    /// row (missing when it has none). Over a group, one member per member
    /// of the child's group, named `{member}_{AGG}` and described as
    /// "{description} {member's description}".
    Rollup {
        child: Table,
        column: String,
        agg: Agg,
    },
}

/// A number computed from one row's input columns.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RowExpr {
    /// A numeric input column (or a rollup column of the row), missing when
    /// absent.
    Column(String),
    Constant(f64),
    Add(Box<RowExpr>, Box<RowExpr>),
    Sub(Box<RowExpr>, Box<RowExpr>),
    Mul(Box<RowExpr>, Box<RowExpr>),
    /// The quotient; 0/0 is missing, x/0 is ±∞, as in pandas.
    Div(Box<RowExpr>, Box<RowExpr>),
    /// Missing where `input` equals `sentinel` (365243 stands for "no date").
    MissingIf {
        input: Box<RowExpr>,
        sentinel: f64,
    },
    /// `x if x > 0 else 0`: a missing `x` gives 0, as the Python lambda of
    /// the kernel does.
    PositivePart(Box<RowExpr>),
    /// 1 where the text column `column` holds `value`, else 0 (missing: 0).
    Equals {
        column: String,
        value: String,
    },
    /// 1 where the column `column` is missing, else 0.
    IsMissing {
        column: String,
    },
    /// The position of the text of `column` in `values`, -1 for a missing or
    /// unknown value.
    CodeOf {
        column: String,
        values: Vec<String>,
    },
}

/// The features a table contributes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FeatureGroup {
    /// Every column of the table is a feature as it is: for the table that
    /// has exactly one row per client (`application`).
    Columns,
    /// The client's rows reduced into features.
    Family(Family),
}

/// A client's rows of a table (all of them, or those a filter keeps) reduced
/// into features named `{prefix}{column}_{AGG}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Family {
    /// Prefix of every feature name (`BURO_`, `ACTIVE_`…).
    pub prefix: String,
    /// Only the rows whose text column equals a value, when set.
    pub filter: Option<Filter>,
    /// Plain words for the rows kept, when not the table's own.
    pub rows: Option<String>,
    /// Column by column, the reductions in order.
    pub items: Vec<Item>,
    /// Name of a last feature counting the client's rows, when set.
    pub count: Option<String>,
}

/// The rows whose text column `column` holds `equals`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Filter {
    pub column: String,
    pub equals: String,
}

/// The reductions of one column (or of each member of a group) of a family.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Item {
    /// Name of a [`ColumnDef`] of the table.
    pub column: String,
    pub aggs: Vec<Agg>,
}

/// A reduction of a client's rows, named as pandas names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Agg {
    Min,
    Max,
    Mean,
    Sum,
    /// Sample variance (n − 1); missing for fewer than two values.
    Var,
    /// Number of rows, missing values included.
    Size,
    /// Number of distinct non-missing values.
    #[serde(rename = "nunique")]
    NUnique,
}

impl Agg {
    /// The suffix of the feature names (`MEAN`).
    pub fn suffix(self) -> &'static str {
        match self {
            Agg::Min => "MIN",
            Agg::Max => "MAX",
            Agg::Mean => "MEAN",
            Agg::Sum => "SUM",
            Agg::Var => "VAR",
            Agg::Size => "SIZE",
            Agg::NUnique => "NUNIQUE",
        }
    }

    /// The name in a feature schema's `aggregation` (`mean`).
    pub fn name(self) -> &'static str {
        match self {
            Agg::Min => "min",
            Agg::Max => "max",
            Agg::Mean => "mean",
            Agg::Sum => "sum",
            Agg::Var => "var",
            Agg::Size => "size",
            Agg::NUnique => "nunique",
        }
    }

    /// The reduction in words, for descriptions.
    pub fn words(self) -> &'static str {
        match self {
            Agg::Min => "Minimum",
            Agg::Max => "Maximum",
            Agg::Mean => "Mean",
            Agg::Sum => "Sum",
            Agg::Var => "Sample variance",
            Agg::Size => "Number",
            Agg::NUnique => "Number of distinct values",
        }
    }
}

impl RowExpr {
    /// The input column `name`.
    pub fn column(name: &str) -> Self {
        RowExpr::Column(name.to_owned())
    }

    /// Missing where `self` equals `sentinel`.
    pub fn missing_if(self, sentinel: f64) -> Self {
        RowExpr::MissingIf {
            input: Box::new(self),
            sentinel,
        }
    }

    /// `self if self > 0 else 0`.
    pub fn positive_part(self) -> Self {
        RowExpr::PositivePart(Box::new(self))
    }

    /// Calls `visit` on every input column the expression reads.
    pub fn for_each_input(&self, visit: &mut impl FnMut(&str)) {
        match self {
            RowExpr::Column(c) | RowExpr::IsMissing { column: c } => visit(c),
            RowExpr::Equals { column, .. } | RowExpr::CodeOf { column, .. } => visit(column),
            RowExpr::Constant(_) => {}
            RowExpr::Add(a, b) | RowExpr::Sub(a, b) | RowExpr::Mul(a, b) | RowExpr::Div(a, b) => {
                a.for_each_input(visit);
                b.for_each_input(visit);
            }
            RowExpr::MissingIf { input, .. } | RowExpr::PositivePart(input) => {
                input.for_each_input(visit)
            }
        }
    }
}

macro_rules! arithmetic {
    ($trait:ident, $method:ident, $variant:ident) => {
        impl std::ops::$trait for RowExpr {
            type Output = RowExpr;

            fn $method(self, other: RowExpr) -> RowExpr {
                RowExpr::$variant(Box::new(self), Box::new(other))
            }
        }
    };
}

arithmetic!(Add, add, Add);
arithmetic!(Sub, sub, Sub);
arithmetic!(Mul, mul, Mul);
arithmetic!(Div, div, Div);

impl FeatureDefinition {
    /// The definition of `table`, if the definition has one.
    pub fn table(&self, table: Table) -> Option<&TableDefinition> {
        self.tables.iter().find(|t| t.table == table)
    }
}

impl TableDefinition {
    /// The input columns of the table that its columns and family filters
    /// read, in file order (the identifiers that link rows are not
    /// included unless read).
    pub fn inputs(&self) -> Vec<&'static str> {
        let mut read: Vec<String> = Vec::new();
        for def in &self.columns {
            match &def.value {
                ColumnValue::Number(expr) => expr.for_each_input(&mut |c| read.push(c.to_owned())),
                ColumnValue::OneHot { column, .. } | ColumnValue::Code { column, .. } => {
                    read.push(column.clone())
                }
                ColumnValue::Rollup { .. } => {}
            }
        }
        for group in &self.features {
            if let FeatureGroup::Family(Family {
                filter: Some(filter),
                ..
            }) = group
            {
                read.push(filter.column.clone());
            }
        }
        self.table
            .columns()
            .iter()
            .map(|(name, _)| *name)
            .filter(|name| read.iter().any(|r| r == name))
            .collect()
    }

    /// The column definition called `name`.
    pub fn column(&self, name: &str) -> Option<&ColumnDef> {
        self.columns.iter().find(|c| c.name == name)
    }
}
