//! The output folder: every file is written under a `.partial` name and
//! renamed only once all of them are complete, so an interrupted run never
//! leaves a plausible-looking half data set; temporaries are removed on error.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use super::chunk::{ChunkOut, FILES};
use super::csv::Csv;
use crate::tables::Table;
use crate::{Error, Result};

/// The side file with the true default probability of every applicant.
pub const TRUE_PD_FILE: &str = "true_default_probability.csv";

struct Part {
    path: PathBuf,
    partial: PathBuf,
    writer: Option<BufWriter<File>>,
    rows: u64,
    bytes: u64,
}

pub(crate) struct Output {
    parts: Vec<Part>,
    renamed: bool,
}

/// File names in output order, with their header lines.
fn files() -> Vec<(&'static str, Vec<u8>)> {
    let mut files: Vec<_> = Table::ALL
        .iter()
        .map(|table| {
            (
                table.file_name(),
                Csv::header(table.columns().map(|(name, _)| name)),
            )
        })
        .collect();
    files.push((
        TRUE_PD_FILE,
        Csv::header(["SK_ID_CURR", "TRUE_PD"].into_iter()),
    ));
    files
}

fn io(path: &Path, action: &'static str) -> impl FnOnce(std::io::Error) -> Error {
    let path = path.to_path_buf();
    move |source| Error::Io {
        path,
        action,
        source,
    }
}

impl Output {
    /// Creates the folder, refuses to replace existing files unless `force`,
    /// and opens the temporaries with their header lines.
    pub(crate) fn create(dir: &Path, force: bool) -> Result<Self> {
        std::fs::create_dir_all(dir).map_err(io(dir, "create the output folder"))?;
        let files = files();
        if !force
            && let Some(path) = files
                .iter()
                .map(|(name, _)| dir.join(name))
                .find(|path| path.exists())
        {
            return Err(Error::OutputExists { path });
        }
        let mut output = Self {
            parts: Vec::with_capacity(FILES),
            renamed: false,
        };
        for (name, header) in files {
            let path = dir.join(name);
            let partial = dir.join(format!("{name}.partial"));
            let file = File::create(&partial).map_err(io(&partial, "create"))?;
            let mut writer = BufWriter::with_capacity(1 << 20, file);
            writer.write_all(&header).map_err(io(&partial, "write"))?;
            output.parts.push(Part {
                path,
                partial,
                writer: Some(writer),
                rows: 0,
                bytes: header.len() as u64,
            });
        }
        Ok(output)
    }

    pub(crate) fn write(&mut self, chunk: &ChunkOut) -> Result<()> {
        for (part, csv) in self.parts.iter_mut().zip(&chunk.files) {
            if let Some(writer) = part.writer.as_mut() {
                writer
                    .write_all(&csv.buf)
                    .map_err(io(&part.partial, "write"))?;
            }
            part.rows += csv.rows;
            part.bytes += csv.buf.len() as u64;
        }
        Ok(())
    }

    /// Rows written so far over all files.
    pub(crate) fn rows(&self) -> u64 {
        self.parts.iter().map(|part| part.rows).sum()
    }

    /// Flushes every file, then gives each its final name. Returns
    /// (path, rows, bytes) per file.
    pub(crate) fn finish(mut self) -> Result<Vec<(PathBuf, u64, u64)>> {
        for part in &mut self.parts {
            if let Some(writer) = part.writer.take() {
                writer
                    .into_inner()
                    .map_err(|e| io(&part.partial, "flush")(e.into_error()))?;
            }
        }
        for part in &self.parts {
            std::fs::rename(&part.partial, &part.path)
                .map_err(io(&part.path, "rename into place"))?;
        }
        self.renamed = true;
        Ok(self
            .parts
            .iter()
            .map(|part| (part.path.clone(), part.rows, part.bytes))
            .collect())
    }
}

impl Drop for Output {
    fn drop(&mut self) {
        if !self.renamed {
            for part in &mut self.parts {
                drop(part.writer.take());
                // Best effort: the run is failing already.
                let _ = std::fs::remove_file(&part.partial);
            }
        }
    }
}
