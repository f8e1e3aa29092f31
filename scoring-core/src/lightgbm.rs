//! Reader for LightGBM's text model format (`Booster.save_model`).
//!
//! Only what a served binary classifier needs is read: the header
//! (`version`, `num_class`, `num_tree_per_iteration`, `max_feature_idx`,
//! `objective=binary sigmoid:1`, `feature_names`, `tree_sizes`) and each
//! `Tree=` block (`num_leaves`, `split_feature`, `threshold`,
//! `decision_type`, `left_child`, `right_child`, `leaf_value`,
//! `internal_count`, `leaf_count`, `num_cat`, `cat_boundaries`,
//! `cat_threshold`, `is_linear`). Leaf values already include the shrinkage
//! and, with `boost_from_average`, the initial score, so the base score is 0.
//! Linear trees, multi-class models, random-forest averaging and a sigmoid
//! other than 1 are refused. Every problem is an [`Error`] naming the line and
//! the field; nothing here panics on bad input.

use std::collections::HashMap;

use crate::error::{Error, Result};
use crate::model::{BoostedTrees, Estimator, Model, Tree, TreeParts};

/// One `key=value` line.
struct Field<'a> {
    line: usize,
    value: &'a str,
}

/// The fields of one section, by key.
struct Section<'a> {
    /// Line of the section's first line (for missing-field errors).
    line: usize,
    fields: HashMap<&'a str, Field<'a>>,
}

impl<'a> Section<'a> {
    fn new(line: usize) -> Self {
        Self {
            line,
            fields: HashMap::new(),
        }
    }

    fn get(&self, key: &str) -> Option<&Field<'a>> {
        self.fields.get(key)
    }

    fn require(&self, key: &str) -> Result<&Field<'a>> {
        self.get(key).ok_or_else(|| Error::LightGbmMissingField {
            line: self.line,
            field: key.to_owned(),
        })
    }

    fn int(&self, key: &str) -> Result<i64> {
        let field = self.require(key)?;
        parse_int(field.line, key, field.value.trim())
    }

    fn floats(&self, key: &str, len: usize) -> Result<Vec<f64>> {
        let field = self.require(key)?;
        let values = field
            .value
            .split_whitespace()
            .map(|v| {
                v.parse::<f64>().map_err(|source| Error::LightGbmFloat {
                    line: field.line,
                    field: key.to_owned(),
                    value: v.to_owned(),
                    source,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        check_len(field.line, key, values.len(), len)?;
        Ok(values)
    }

    /// Integers converted to `T`, each within `T`'s range.
    fn ints<T: TryFrom<i64>>(&self, key: &str, len: Option<usize>) -> Result<Vec<T>> {
        let field = self.require(key)?;
        let values = field
            .value
            .split_whitespace()
            .map(|v| {
                let n = parse_int(field.line, key, v)?;
                T::try_from(n).map_err(|_| Error::LightGbmInvalid {
                    line: field.line,
                    field: key.to_owned(),
                    reason: format!("{n} is out of range"),
                })
            })
            .collect::<Result<Vec<_>>>()?;
        if let Some(len) = len {
            check_len(field.line, key, values.len(), len)?;
        }
        Ok(values)
    }
}

fn parse_int(line: usize, key: &str, value: &str) -> Result<i64> {
    value.parse::<i64>().map_err(|source| Error::LightGbmInt {
        line,
        field: key.to_owned(),
        value: value.to_owned(),
        source,
    })
}

fn check_len(line: usize, key: &str, found: usize, expected: usize) -> Result<()> {
    if found == expected {
        Ok(())
    } else {
        Err(Error::LightGbmInvalid {
            line,
            field: key.to_owned(),
            reason: format!("expected {expected} values, found {found}"),
        })
    }
}

fn unsupported(field: &Field<'_>, key: &str, what: &str) -> Error {
    Error::LightGbmUnsupported {
        line: field.line,
        field: key.to_owned(),
        what: what.to_owned(),
    }
}

/// The most features a model may have: far above any credit model (the
/// kernel's has ~800), low enough that a corrupt `max_feature_idx` cannot
/// make the loader allocate without bound.
pub const MAX_FEATURES: usize = 100_000;

/// Parses a LightGBM text model into our representation.
pub fn parse_lightgbm(text: &str) -> Result<Model> {
    let mut lines = text
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim_end()))
        .filter(|(_, l)| !l.is_empty())
        .peekable();
    match lines.next() {
        Some((_, "tree")) => {}
        other => {
            return Err(Error::LightGbmInvalid {
                line: other.map_or(1, |(n, _)| n),
                field: "tree".to_owned(),
                reason: "not a LightGBM text model (first line is not `tree`)".to_owned(),
            });
        }
    }
    let mut header = Section::new(1);
    let mut trees: Vec<(usize, Section<'_>)> = Vec::new();
    let mut finished = false;
    let mut last_line = 1;
    for (n, line) in lines {
        last_line = n;
        if line == "end of trees" {
            finished = true;
            break;
        }
        let (key, value) = line.split_once('=').unwrap_or((line, ""));
        if key == "Tree" {
            let index = parse_int(n, "Tree", value)?;
            if usize::try_from(index).ok() != Some(trees.len()) {
                return Err(Error::LightGbmInvalid {
                    line: n,
                    field: "Tree".to_owned(),
                    reason: format!("expected tree {}, found {index}", trees.len()),
                });
            }
            trees.push((n, Section::new(n)));
            continue;
        }
        let section = trees.last_mut().map_or(&mut header, |(_, s)| s);
        section.fields.insert(key, Field { line: n, value });
    }
    if !finished {
        return Err(Error::LightGbmTruncated {
            line: last_line,
            expected: "`end of trees` after the last tree".to_owned(),
        });
    }
    let feature_names = read_header(&header)?;
    if let Some(sizes) = header.get("tree_sizes") {
        let expected = sizes.value.split_whitespace().count();
        if expected != trees.len() {
            return Err(Error::LightGbmTruncated {
                line: last_line,
                expected: format!("{expected} trees (tree_sizes), found {}", trees.len()),
            });
        }
    }
    let trees = trees
        .iter()
        .enumerate()
        .map(|(i, (line, section))| {
            let parts = read_tree(section)?;
            Tree::new(parts).map_err(|source| Error::LightGbmTree {
                line: *line,
                tree: i,
                source: Box::new(source),
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let estimator = Estimator::BoostedTrees(BoostedTrees {
        base_score: 0.0,
        trees,
    });
    Model::new(feature_names, estimator)
}

/// Checks the header describes a binary model; returns the feature names.
fn read_header(header: &Section<'_>) -> Result<Vec<String>> {
    for key in ["num_class", "num_tree_per_iteration"] {
        if header.get(key).is_some() && header.int(key)? != 1 {
            return Err(unsupported(
                header.require(key)?,
                key,
                "more than one class",
            ));
        }
    }
    if let Some(field) = header.get("average_output") {
        return Err(unsupported(
            field,
            "average_output",
            "random-forest averaging",
        ));
    }
    let objective = header.require("objective")?;
    let mut words = objective.value.split_whitespace();
    if words.next() != Some("binary") {
        return Err(unsupported(
            objective,
            "objective",
            "objectives other than binary",
        ));
    }
    let mut sigmoids = words.filter_map(|w| w.strip_prefix("sigmoid:"));
    if sigmoids.any(|s| s.parse::<f64>().ok() != Some(1.0)) {
        return Err(unsupported(
            objective,
            "objective",
            "a sigmoid other than 1",
        ));
    }
    let max_index_line = header.require("max_feature_idx")?.line;
    let n_features = header.int("max_feature_idx")? + 1;
    let n_features = usize::try_from(n_features)
        .ok()
        .filter(|&n| n <= MAX_FEATURES)
        .ok_or_else(|| Error::LightGbmInvalid {
            line: max_index_line,
            field: "max_feature_idx".to_owned(),
            reason: format!("{n_features} features is not between 1 and {MAX_FEATURES}"),
        })?;
    match header.get("feature_names") {
        Some(field) => {
            let names: Vec<String> = field.value.split_whitespace().map(str::to_owned).collect();
            check_len(field.line, "feature_names", names.len(), n_features)?;
            Ok(names)
        }
        None => Ok((0..n_features).map(|i| format!("Column_{i}")).collect()),
    }
}

fn read_tree(tree: &Section<'_>) -> Result<TreeParts> {
    if let Some(field) = tree.get("is_linear").filter(|f| f.value.trim() != "0") {
        return Err(unsupported(field, "is_linear", "linear trees"));
    }
    let num_leaves = tree.int("num_leaves")?;
    let leaves = usize::try_from(num_leaves)
        .ok()
        .filter(|&l| l >= 1)
        .ok_or_else(|| Error::LightGbmInvalid {
            line: tree.line,
            field: "num_leaves".to_owned(),
            reason: format!("{num_leaves} is not a positive leaf count"),
        })?;
    let leaf_value = tree.floats("leaf_value", leaves)?;
    if leaves == 1 {
        // A constant tree: only its value matters; its cover is never used.
        return Ok(TreeParts {
            split_feature: vec![],
            threshold: vec![],
            decision_type: vec![],
            left_child: vec![],
            right_child: vec![],
            leaf_value,
            internal_count: vec![],
            leaf_count: vec![1.0],
            cat_boundaries: vec![],
            cat_threshold: vec![],
        });
    }
    let splits = Some(leaves - 1);
    let num_cat = match tree.get("num_cat") {
        Some(_) => tree.int("num_cat")?,
        None => 0,
    };
    let (cat_boundaries, cat_threshold) = if num_cat > 0 {
        let bounds = usize::try_from(num_cat + 1).ok();
        (
            tree.ints("cat_boundaries", bounds)?,
            tree.ints("cat_threshold", None)?,
        )
    } else {
        (vec![], vec![])
    };
    Ok(TreeParts {
        split_feature: tree.ints("split_feature", splits)?,
        threshold: tree.floats("threshold", leaves - 1)?,
        decision_type: tree.ints("decision_type", splits)?,
        left_child: tree.ints("left_child", splits)?,
        right_child: tree.ints("right_child", splits)?,
        leaf_value,
        internal_count: tree.floats("internal_count", leaves - 1)?,
        leaf_count: tree.floats("leaf_count", leaves)?,
        cat_boundaries,
        cat_threshold,
    })
}
