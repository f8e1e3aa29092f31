//! The feature table's columns encoded on a thread of their own while the
//! next table's features are built: that work fills the cores the build
//! leaves idle (reading a file, a pass on one thread), and each column's
//! values are freed as soon as its pages are made, five times smaller.

use std::collections::VecDeque;
use std::sync::mpsc::{Receiver, Sender, TryRecvError, channel};
use std::thread::JoinHandle;

use polars::prelude::*;
use rayon::prelude::*;

use super::pages::{EncodedColumn, encode_column};

enum Message {
    Columns(Vec<Column>),
    /// No more columns: the rest is encoded at once, on every core.
    Finish,
}

/// A thread encoding the columns it is given, in the order given.
pub(super) struct Encoder {
    messages: Sender<Message>,
    worker: Option<JoinHandle<PolarsResult<Vec<EncodedColumn>>>>,
}

impl Encoder {
    pub(super) fn start() -> std::io::Result<Self> {
        let (messages, received) = channel();
        let worker = std::thread::Builder::new()
            .name("feature-encoder".to_owned())
            .spawn(move || encode(&received))?;
        Ok(Self {
            messages,
            worker: Some(worker),
        })
    }

    /// Queues `columns` to be encoded after those already given; the
    /// encoder's error if it has stopped on one.
    pub(super) fn add(&mut self, columns: Vec<Column>) -> PolarsResult<()> {
        if self.messages.send(Message::Columns(columns)).is_ok() {
            return Ok(());
        }
        // The worker only hangs up on an error (or a panic).
        match self.join() {
            Err(error) => Err(error),
            Ok(_) => Err(stopped()),
        }
    }

    /// Every column given, encoded, in order.
    pub(super) fn finish(mut self) -> PolarsResult<Vec<EncodedColumn>> {
        // A worker that has hung up has its error to tell.
        let _ = self.messages.send(Message::Finish);
        self.join()
    }

    fn join(&mut self) -> PolarsResult<Vec<EncodedColumn>> {
        let worker = self.worker.take().ok_or_else(stopped)?;
        worker.join().map_err(|_| stopped())?
    }
}

fn stopped() -> PolarsError {
    PolarsError::ComputeError("the feature table's encoder thread stopped unexpectedly".into())
}

/// The worker: one column at a time while more may come, without waiting
/// while any is queued; on `Finish`, the rest in parallel. A sender that
/// goes away without `Finish` abandons the table (the build failed).
fn encode(messages: &Receiver<Message>) -> PolarsResult<Vec<EncodedColumn>> {
    let mut queued: VecDeque<Column> = VecDeque::new();
    let mut encoded = Vec::new();
    loop {
        let message = match messages.try_recv() {
            Ok(message) => Some(message),
            Err(TryRecvError::Empty) if queued.is_empty() => match messages.recv() {
                Ok(message) => Some(message),
                Err(_) => return Ok(Vec::new()),
            },
            Err(TryRecvError::Empty) => None,
            Err(TryRecvError::Disconnected) => return Ok(Vec::new()),
        };
        match message {
            Some(Message::Columns(columns)) => queued.extend(columns),
            Some(Message::Finish) => {
                let rest: Vec<Column> = queued.into();
                let rest = rest
                    .par_iter()
                    .map(encode_column)
                    .collect::<PolarsResult<Vec<_>>>()?;
                encoded.extend(rest);
                return Ok(encoded);
            }
            None => {
                if let Some(column) = queued.pop_front() {
                    encoded.push(encode_column(&column)?);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::pages::write_encoded;
    use super::*;

    fn column(name: &str, rows: usize, scale: f64) -> Column {
        let values: Vec<Option<f64>> = (0..rows)
            .map(|i| (i % 7 != 0).then_some(i as f64 * scale))
            .collect();
        Column::new(name.into(), values)
    }

    #[test]
    fn columns_given_in_batches_come_back_encoded_in_order() {
        let rows = 70_000;
        let batches = [
            vec![column("A", rows, 1.0), column("B", rows, -0.5)],
            vec![],
            vec![column("C", rows, 3.25)],
        ];
        let expected = DataFrame::new_infer_height(batches.concat()).expect("frame");
        let mut encoder = Encoder::start().expect("thread");
        for batch in batches {
            encoder.add(batch).expect("queued");
        }
        let mut bytes = Vec::new();
        write_encoded(&mut bytes, encoder.finish().expect("encoded")).expect("written");
        let read = ParquetReader::new(std::io::Cursor::new(bytes))
            .finish()
            .expect("read back");
        // Same names in the same order, same values.
        assert!(read.equals_missing(&expected));
    }

    /// A struct without fields: parquet has no type for it.
    fn unwritable() -> Column {
        Column::new_empty("S".into(), &DataType::Struct(Vec::new()))
    }

    #[test]
    fn a_column_parquet_cannot_hold_is_an_error_when_the_columns_are_taken() {
        let mut encoder = Encoder::start().expect("thread");
        encoder
            .add(vec![column("A", 10, 1.0), unwritable()])
            .expect("queued");
        let error = match encoder.finish() {
            Ok(_) => panic!("a struct without fields was encoded"),
            Err(error) => error,
        };
        assert!(error.to_string().contains("struct"), "{error}");
    }

    #[test]
    fn once_the_encoder_has_failed_adding_columns_gives_its_error() {
        let mut encoder = Encoder::start().expect("thread");
        encoder.add(vec![unwritable()]).expect("queued");
        // The worker fails when it reaches the column, at a time of its own.
        let error = (0..1000)
            .find_map(|_| {
                std::thread::sleep(std::time::Duration::from_millis(10));
                encoder.add(vec![column("A", 1, 1.0)]).err()
            })
            .expect("the worker stopped on the struct column within 10 s");
        assert!(error.to_string().contains("struct"), "{error}");
    }
}
