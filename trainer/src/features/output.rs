//! Writing the feature table and its schema so that a crash never leaves a
//! half-written file under the final name.

mod encoder;
mod pages;

use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};

use polars::prelude::*;
use scoring_core::FeatureSchema;

use self::encoder::Encoder;
use crate::{Error, Result};

/// File name of the feature table in the output folder.
pub const FEATURES_FILE: &str = "features.parquet";
/// File name of the feature schema in the output folder.
pub const SCHEMA_FILE: &str = "feature_schema.json";

/// The feature table on its way to `out`: columns are encoded as they are
/// given, the files written by [`TableWriter::finish`].
pub(crate) struct TableWriter {
    out: PathBuf,
    encoder: Encoder,
}

impl TableWriter {
    /// Creates the output folder (so that an unwritable one fails before
    /// any work) and starts the encoder.
    pub(crate) fn start(out: &Path) -> Result<Self> {
        std::fs::create_dir_all(out).map_err(io(out, "creating the output folder"))?;
        let encoder = Encoder::start().map_err(io(out, "starting the encoder thread for"))?;
        Ok(Self {
            out: out.to_owned(),
            encoder,
        })
    }

    /// Adds `columns` to the right of the table.
    pub(crate) fn add(&mut self, columns: Vec<Column>) -> Result<()> {
        self.encoder.add(columns).map_err(encoding_failed)
    }

    /// Writes the table and `schema` through temporary names renamed into
    /// place: the paths of both.
    pub(crate) fn finish(self, schema: &FeatureSchema) -> Result<(PathBuf, PathBuf)> {
        let columns = self.encoder.finish().map_err(encoding_failed)?;
        let out = self.out;
        let features_path = out.join(FEATURES_FILE);
        let schema_path = out.join(SCHEMA_FILE);
        let staged_table = out.join(format!(".{FEATURES_FILE}.partial"));
        let staged_schema = out.join(format!(".{SCHEMA_FILE}.partial"));

        let file = File::create(&staged_table).map_err(io(&staged_table, "creating"))?;
        let mut sink = BufWriter::with_capacity(1 << 20, file);
        pages::write_encoded(&mut sink, columns).map_err(|source| Error::Polars {
            stage: "writing the parquet table",
            source,
        })?;
        let encoded = std::time::Instant::now();
        sink.into_inner()
            .map_err(|e| e.into_error())
            .and_then(|file| file.sync_all())
            .map_err(io(&staged_table, "syncing"))?;
        tracing::debug!(
            seconds = encoded.elapsed().as_secs_f64(),
            "feature table synced to disk"
        );
        schema.save(&staged_schema)?;
        std::fs::rename(&staged_table, &features_path)
            .map_err(io(&features_path, "renaming into place"))?;
        std::fs::rename(&staged_schema, &schema_path)
            .map_err(io(&schema_path, "renaming into place"))?;
        Ok((features_path, schema_path))
    }
}

fn encoding_failed(source: PolarsError) -> Error {
    Error::Polars {
        stage: "encoding the feature table",
        source,
    }
}

fn io<'a>(path: &'a Path, action: &'static str) -> impl FnOnce(std::io::Error) -> Error + 'a {
    move |source| Error::Io {
        path: path.to_owned(),
        action,
        source,
    }
}

/// Refuses a table whose features differ from the schema it was asked to follow.
pub(crate) fn ensure_same_features(expected: &FeatureSchema, built: &FeatureSchema) -> Result<()> {
    let expected_names: Vec<&str> = expected.feature_names().collect();
    let built_names: Vec<&str> = built.feature_names().collect();
    if expected_names == built_names {
        return Ok(());
    }
    let missing: Vec<&str> = expected_names
        .iter()
        .filter(|n| !built_names.contains(n))
        .copied()
        .collect();
    let extra: Vec<&str> = built_names
        .iter()
        .filter(|n| !expected_names.contains(n))
        .copied()
        .collect();
    let difference = if missing.is_empty() && extra.is_empty() {
        "the same features in another order".to_owned()
    } else {
        format!("missing {missing:?}, unexpected {extra:?}")
    };
    Err(Error::SchemaMismatch { difference })
}
