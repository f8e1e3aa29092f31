//! A parallel reader of the Home Credit CSV files: only the columns asked
//! for, typed as they are read (identifiers i64, numbers f64, text as
//! positions in the column's dictionary, see [`super::dictionary`]), with
//! the file, line and column of anything that does not parse.
//!
//! Polars' CSV reader finds its row boundaries in one pass over the whole
//! file on one thread, byte by byte without SIMD on a stable compiler: on a
//! full-size portfolio (2.6 GB) that pass was an eighth of the whole run.
//! Here the file is read in blocks; each block is cut at its last
//! record end (found with `memchr`, quote-aware: a quoted field may hold a
//! comma, a doubled quote or a line break) and a wave of blocks is parsed
//! in parallel. Memory holds one wave of raw text, never the whole file.
//!
//! The format is RFC 4180 as pandas and polars read it: comma-separated,
//! first line the header, an empty cell is missing, a quoted field may hold
//! anything, `\r\n` or `\n` line ends, empty lines skipped.
//!
//! The line an error names counts records, the header being line 1, as a
//! spreadsheet numbers rows: it is the file's line unless a quoted field
//! above holds a line break or the file has empty lines.

mod number;
mod record;
#[cfg(test)]
mod tests;
mod values;

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use memchr::{memchr, memchr2_iter, memrchr};
use polars::prelude::*;
use rayon::prelude::*;

use self::record::{Failure, Parsed, parse_block};
use super::dictionary::{Dictionary, LoadedTable, remap};
use crate::{Error, Result};

/// Bytes of a block (at least); a wave is two blocks per thread.
const BLOCK: usize = 8 << 20;

/// How a column's text becomes a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Integer,
    Number,
    Text,
}

impl Kind {
    /// The type of a column read: text as u32 dictionary positions.
    pub(super) fn dtype(self) -> DataType {
        match self {
            Kind::Integer => DataType::Int64,
            Kind::Number => DataType::Float64,
            Kind::Text => DataType::UInt32,
        }
    }

    pub(super) fn expected(self) -> &'static str {
        match self {
            Kind::Integer => "an integer",
            Kind::Number => "a number",
            Kind::Text => "UTF-8 text",
        }
    }
}

/// Reads `columns` (name and kind) of the CSV file at `path`: a frame with
/// those columns in that order, text as positions in its dictionary. A file
/// without a header line is an empty table; columns of the file not asked
/// for are skipped unparsed.
pub(crate) fn read_csv(path: &Path, columns: &[(&str, Kind)]) -> Result<LoadedTable> {
    read_in_blocks(path, columns, BLOCK)
}

/// [`read_csv`] with blocks of about `block` bytes (more for a record
/// longer than that).
fn read_in_blocks(path: &Path, columns: &[(&str, Kind)], block: usize) -> Result<LoadedTable> {
    let mut reader = BufReader::new(File::open(path).map_err(io(path, "opening"))?);
    let mut header = Vec::new();
    reader
        .read_until(b'\n', &mut header)
        .map_err(io(path, "reading the header"))?;
    let header = std::str::from_utf8(&header).map_err(|_| Error::CsvRecord {
        path: path.to_owned(),
        line: 1,
        problem: "the header is not UTF-8 text".to_owned(),
    })?;
    let header = header
        .trim_start_matches('\u{feff}')
        .trim_end_matches(['\r', '\n']);
    if header.is_empty() {
        return assemble(Vec::new(), columns);
    }
    let names = synth::split_csv_line(header);
    let mut slots: Vec<Option<usize>> = vec![None; names.len()];
    for (slot, (column, _)) in columns.iter().enumerate() {
        let index = names
            .iter()
            .position(|n| n == column)
            .ok_or_else(|| Error::MissingColumn {
                path: path.to_owned(),
                column: (*column).to_owned(),
            })?;
        slots[index] = Some(slot);
    }

    let mut blocks = Blocks {
        // What the header's read buffered beyond it, then the file unbuffered.
        carried: reader.buffer().to_vec(),
        file: reader.into_inner(),
        block,
        at_end: false,
        spare: Vec::new(),
    };
    let wave = 2 * rayon::current_num_threads().max(1);
    let mut parts: Vec<Parsed> = Vec::new();
    let mut records_before = 0u64;
    let mut texts = blocks.next_wave(wave).map_err(io(path, "reading"))?;
    while !texts.is_empty() {
        // The next wave is read while this one is parsed.
        let (parsed, next) = rayon::join(
            || {
                texts
                    .par_iter()
                    .map(|text| parse_block(text, &slots, columns))
                    .collect::<Vec<std::result::Result<Parsed, Failure>>>()
            },
            || blocks.next_wave(wave),
        );
        for result in parsed {
            let parsed =
                result.map_err(|failure| failure.into_error(path, records_before, columns))?;
            records_before += parsed.records;
            parts.push(parsed);
        }
        blocks.spare.append(&mut texts);
        texts = next.map_err(io(path, "reading"))?;
    }
    assemble(parts, columns)
}

fn io<'a>(path: &'a Path, action: &'static str) -> impl FnOnce(std::io::Error) -> Error + 'a {
    move |source| Error::Io {
        path: path.to_owned(),
        action,
        source,
    }
}

/// The file after its header, cut into blocks of whole records.
struct Blocks {
    file: File,
    block: usize,
    /// The start of a record that the last block cut off.
    carried: Vec<u8>,
    at_end: bool,
    /// Buffers of waves already parsed, reused so that a block is not read into
    /// freshly mapped memory.
    spare: Vec<Vec<u8>>,
}

impl Blocks {
    /// Up to `wave` blocks, each ending at a record end (the last one at
    /// the end of the file).
    fn next_wave(&mut self, wave: usize) -> std::io::Result<Vec<Vec<u8>>> {
        let mut texts: Vec<Vec<u8>> = Vec::with_capacity(wave);
        while texts.len() < wave && !self.at_end {
            let mut text = self.spare.pop().unwrap_or_default();
            text.clear();
            text.append(&mut self.carried);
            let mut scanned = 0;
            loop {
                let wanted = text.len() + self.block;
                text.reserve(self.block);
                (&mut self.file)
                    .take(self.block as u64)
                    .read_to_end(&mut text)?;
                self.at_end = text.len() < wanted;
                if self.at_end {
                    break;
                }
                // A record longer than a block: read on until it ends.
                if let Some(end) = record_end(&text, scanned) {
                    self.carried.extend_from_slice(&text[end..]);
                    text.truncate(end);
                    break;
                }
                scanned = text.len();
            }
            if !text.is_empty() {
                texts.push(text);
            }
        }
        Ok(texts)
    }
}

/// The end (one past the line break) of the last complete record of
/// `text`, which starts at a record boundary, if it ends after `from` (the
/// part before holds none).
fn record_end(text: &[u8], from: usize) -> Option<usize> {
    if memchr(b'"', text).is_none() {
        return memrchr(b'\n', &text[from..]).map(|i| from + i + 1);
    }
    let mut quoted = false;
    let mut end = None;
    for i in memchr2_iter(b'"', b'\n', text) {
        if text[i] == b'"' {
            quoted = !quoted;
        } else if !quoted {
            end = Some(i + 1);
        }
    }
    end.filter(|&end| end > from)
}

/// The blocks' columns one after the other, each text column's positions
/// moved into one dictionary (values in order of first appearance).
fn assemble(parts: Vec<Parsed>, columns: &[(&str, Kind)]) -> Result<LoadedTable> {
    let mut dictionaries: Vec<Dictionary> = vec![Dictionary::default(); columns.len()];
    let mut frame: Option<DataFrame> = None;
    for part in parts {
        let mut block = Vec::with_capacity(part.columns.len());
        for ((column, values), (dictionary, (_, kind))) in part
            .columns
            .into_iter()
            .zip(&part.dictionaries)
            .zip(dictionaries.iter_mut().zip(columns))
        {
            if *kind != Kind::Text {
                block.push(column);
                continue;
            }
            let moved = dictionary.merge(values).map_err(polars_failed)?;
            let positions = column.u32().map_err(polars_failed)?;
            block.push(remap(positions, &moved).into_column());
        }
        let block = DataFrame::new_infer_height(block).map_err(polars_failed)?;
        match &mut frame {
            None => frame = Some(block),
            Some(frame) => {
                frame.vstack_mut_owned(block).map_err(polars_failed)?;
            }
        }
    }
    Ok(LoadedTable {
        frame: frame.unwrap_or_else(|| DataFrame::empty_with_schema(&schema_of(columns))),
        dictionaries: dictionaries
            .into_iter()
            .zip(columns)
            .filter(|(_, (_, kind))| *kind == Kind::Text)
            .map(|(dictionary, (name, _))| ((*name).to_owned(), dictionary.into_values()))
            .collect(),
    })
}

fn polars_failed(source: PolarsError) -> Error {
    Error::Polars {
        stage: "assembling a CSV file's blocks",
        source,
    }
}

/// The polars schema of `columns` read with their kinds.
fn schema_of(columns: &[(&str, Kind)]) -> Schema {
    columns
        .iter()
        .map(|(name, kind)| Field::new((*name).into(), kind.dtype()))
        .collect()
}
