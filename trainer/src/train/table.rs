//! Reading the table a model is trained on: a feature table made by
//! `trainer features` (a folder with `features.parquet` and its schema) or
//! any single `.csv` / `.parquet` file with an id column and a 0/1 target
//! column named by flags. For a plain file the schema is inferred: every
//! other numeric or boolean column is a numeric feature, every text column
//! a category code (its distinct values sorted, the code is the position;
//! missing stays missing), with the vocabulary kept in the schema.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use polars::prelude::*;
use scoring_core::{CategoryEncoding, CategoryVocabulary, FeatureKind, FeatureSchema, FeatureSpec};

use crate::features::{FEATURES_FILE, SCHEMA_FILE};
use crate::{Error, Result};

/// The clients of a training table, split by whether they have a label.
#[derive(Debug, Clone)]
pub struct TrainingTable {
    /// The file the rows were read from.
    pub path: PathBuf,
    pub schema: FeatureSchema,
    pub labelled: Rows,
    pub labels: Vec<u8>,
    /// Clients without a target (applications still to decide).
    pub unlabelled: Rows,
}

/// Client ids and their features, row-major, NaN = missing.
#[derive(Debug, Clone, Default)]
pub struct Rows {
    pub ids: Vec<i64>,
    pub values: Vec<f64>,
}

impl Rows {
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// The rows at `indices`, in that order.
    pub fn gather(&self, indices: &[usize], n_features: usize) -> Vec<f64> {
        let mut out = Vec::with_capacity(indices.len() * n_features);
        for &i in indices {
            out.extend_from_slice(&self.values[i * n_features..(i + 1) * n_features]);
        }
        out
    }
}

/// Reads `input` (a `trainer features` folder, or a .csv / .parquet file).
pub fn read_training_table(
    input: &Path,
    id_column: &str,
    target_column: &str,
) -> Result<TrainingTable> {
    let (path, table, schema) = if input.is_dir() {
        let path = input.join(FEATURES_FILE);
        let schema = FeatureSchema::load(&input.join(SCHEMA_FILE))?;
        (path.clone(), read_file(&path)?, schema)
    } else {
        let table = read_file(input)?;
        let schema = infer_schema(input, &table, id_column, target_column)?;
        (input.to_owned(), table, schema)
    };
    split_rows(path, &table, schema, id_column, target_column)
}

/// Every row of `input` (a `trainer features` folder or a file) as the
/// features of `schema`, for scoring: columns are matched by name, text
/// columns coded with the schema's vocabularies.
pub fn read_for_scoring(input: &Path, schema: &FeatureSchema, id_column: &str) -> Result<Rows> {
    let path = if input.is_dir() {
        input.join(FEATURES_FILE)
    } else {
        input.to_owned()
    };
    let table = read_file(&path)?;
    let ids = client_ids(&path, &table, id_column)?;
    let n = schema.features.len();
    let mut values = vec![f64::NAN; ids.len() * n];
    for j in 0..n {
        for (r, v) in feature_values(&path, &table, schema, j)?
            .into_iter()
            .enumerate()
        {
            values[r * n + j] = v;
        }
    }
    Ok(Rows { ids, values })
}

fn read_file(path: &Path) -> Result<DataFrame> {
    let table_error = |source| Error::TrainFeatureTable {
        path: path.to_owned(),
        source,
    };
    let extension = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    match extension.to_ascii_lowercase().as_str() {
        "parquet" => {
            let file = std::fs::File::open(path).map_err(|source| Error::Io {
                path: path.to_owned(),
                action: "opening the feature table",
                source,
            })?;
            ParquetReader::new(file).finish().map_err(table_error)
        }
        "csv" => CsvReadOptions::default()
            .with_has_header(true)
            .with_infer_schema_length(Some(100_000))
            .try_into_reader_with_file_path(Some(path.to_owned()))
            .and_then(|reader| reader.finish())
            .map_err(table_error),
        _ => Err(Error::TrainUnknownInput {
            path: path.to_owned(),
        }),
    }
}

fn infer_schema(
    path: &Path,
    table: &DataFrame,
    id_column: &str,
    target_column: &str,
) -> Result<FeatureSchema> {
    let table_name = path
        .file_stem()
        .map_or_else(|| "table".to_owned(), |s| s.to_string_lossy().into_owned());
    let mut features = Vec::new();
    let mut vocabularies = Vec::new();
    for column in table.columns() {
        let name = column.name().as_str();
        if name == id_column || name == target_column {
            continue;
        }
        let kind = if column.dtype().is_string() {
            let values = column.str().map_err(column_error(path, name))?;
            let mut distinct: Vec<String> = values
                .iter()
                .flatten()
                .map(str::to_owned)
                .collect::<HashSet<_>>()
                .into_iter()
                .collect();
            distinct.sort();
            vocabularies.push(CategoryVocabulary {
                table: table_name.clone(),
                column: name.to_owned(),
                encoding: CategoryEncoding::Code,
                values: distinct,
            });
            FeatureKind::CategoryCode
        } else if column.dtype().is_primitive_numeric() || column.dtype().is_bool() {
            FeatureKind::Numeric
        } else {
            continue; // dates, lists...: not model inputs
        };
        features.push(FeatureSpec {
            name: name.to_owned(),
            kind,
            source_table: table_name.clone(),
            source_column: name.to_owned(),
            aggregation: "none".to_owned(),
            category: None,
            description: format!("{name} ({table_name})"),
        });
    }
    if features.is_empty() {
        return Err(Error::TrainNoFeatures {
            path: path.to_owned(),
            id_column: id_column.to_owned(),
            target_column: target_column.to_owned(),
        });
    }
    let schema = FeatureSchema {
        format_version: scoring_core::schema::SCHEMA_FORMAT_VERSION,
        id_column: id_column.to_owned(),
        target_column: Some(target_column.to_owned()),
        features,
        vocabularies,
        columns: None,
    };
    schema.validate()?;
    Ok(schema)
}

fn column_error(path: &Path, column: &str) -> impl FnOnce(PolarsError) -> Error {
    let (path, column) = (path.to_owned(), column.to_owned());
    move |source| Error::TrainColumn {
        path,
        column,
        source,
    }
}

/// One feature column as f64 (category codes for text columns).
fn feature_values(
    path: &Path,
    table: &DataFrame,
    schema: &FeatureSchema,
    j: usize,
) -> Result<Vec<f64>> {
    let spec = &schema.features[j];
    let column = table
        .column(&spec.name)
        .map_err(column_error(path, &spec.name))?;
    if column.dtype().is_string() {
        let vocabulary = schema
            .vocabularies
            .iter()
            .find(|v| v.column == spec.name && v.encoding == CategoryEncoding::Code);
        let values = column.str().map_err(column_error(path, &spec.name))?;
        return Ok(values
            .iter()
            .map(|v| {
                v.and_then(|v| vocabulary.and_then(|voc| voc.values.iter().position(|c| c == v)))
                    .map_or(f64::NAN, |code| code as f64)
            })
            .collect());
    }
    let cast = column
        .cast(&DataType::Float64)
        .map_err(column_error(path, &spec.name))?;
    let values = cast.f64().map_err(column_error(path, &spec.name))?;
    Ok(values.iter().map(|v| v.unwrap_or(f64::NAN)).collect())
}

/// The id column as whole numbers, each checked (not yet for uniqueness).
fn client_ids(path: &Path, table: &DataFrame, id_column: &str) -> Result<Vec<i64>> {
    let ids = table
        .column(id_column)
        .and_then(|c| c.cast(&DataType::Float64))
        .map_err(column_error(path, id_column))?;
    let ids = ids.f64().map_err(column_error(path, id_column))?;
    ids.iter()
        .enumerate()
        .map(|(row, id)| match id {
            Some(v) if v.fract() == 0.0 && v.abs() < 9.0e15 => Ok(v as i64),
            other => Err(invalid_id(path, id_column, row, other)),
        })
        .collect()
}

/// `row` is 0-based; the error counts data rows from 1.
fn invalid_id(path: &Path, id_column: &str, row: usize, value: Option<f64>) -> Error {
    Error::TrainInvalidId {
        path: path.to_owned(),
        column: id_column.to_owned(),
        row: row + 1,
        value: value.map_or_else(|| "missing".to_owned(), |v| v.to_string()),
    }
}

fn split_rows(
    path: PathBuf,
    table: &DataFrame,
    schema: FeatureSchema,
    id_column: &str,
    target_column: &str,
) -> Result<TrainingTable> {
    let target = table
        .column(target_column)
        .and_then(|c| c.cast(&DataType::Float64))
        .map_err(column_error(&path, target_column))?;
    let target = target.f64().map_err(column_error(&path, target_column))?;
    let ids = client_ids(&path, table, id_column)?;
    let mut seen = HashSet::with_capacity(table.height());
    let mut labelled = Vec::new();
    let mut unlabelled = Vec::new();
    let mut labels = Vec::new();
    for (row, (&id, label)) in ids.iter().zip(target.iter()).enumerate() {
        if !seen.insert(id) {
            return Err(invalid_id(&path, id_column, row, Some(id as f64)));
        }
        match label {
            None => unlabelled.push((row, id)),
            Some(v) if v == 0.0 || v == 1.0 => {
                labelled.push((row, id));
                labels.push(v as u8);
            }
            Some(v) => {
                return Err(Error::TrainInvalidTarget {
                    path,
                    column: target_column.to_owned(),
                    row: row + 1,
                    value: v.to_string(),
                });
            }
        }
    }
    if labels.is_empty() {
        return Err(Error::TrainNoLabelledRows {
            path,
            column: target_column.to_owned(),
        });
    }
    let n = schema.features.len();
    let mut labelled_rows = Rows {
        ids: labelled.iter().map(|&(_, id)| id).collect(),
        values: vec![f64::NAN; labelled.len() * n],
    };
    let mut unlabelled_rows = Rows {
        ids: unlabelled.iter().map(|&(_, id)| id).collect(),
        values: vec![f64::NAN; unlabelled.len() * n],
    };
    for j in 0..n {
        let column = feature_values(&path, table, &schema, j)?;
        for (rows, positions) in [
            (&mut labelled_rows, &labelled),
            (&mut unlabelled_rows, &unlabelled),
        ] {
            for (r, &(row, _)) in positions.iter().enumerate() {
                rows.values[r * n + j] = column[row];
            }
        }
    }
    Ok(TrainingTable {
        path,
        schema,
        labelled: labelled_rows,
        labels,
        unlabelled: unlabelled_rows,
    })
}
