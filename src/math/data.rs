//! A data set for the models: rows of features and a label, from a CSV file, from numbers
//! typed on the command line, or from a lesson's inline rows.
//!
//! Errors are facts ([`DataError`]): which line or example, which column, the offending field
//! (cut to [`QUOTE_CHARS`]). Each caller words them: the CLI as `file:line:` or `--x`, a lesson
//! with the TOML key's place. Every limit ([`Limits`]) is checked while reading, so a file
//! like `/dev/zero` or a row of two million columns is refused before it can fill memory.

use std::fmt;
use std::io::Read;
use std::path::Path;

use ndarray::{Array1, Array2};

/// Data sets larger than this are refused: the tutor shows data, it does not train on big data.
pub const MAX_ROWS: usize = 1_000_000;
/// The most columns a row may have (features and the label).
pub const MAX_COLUMNS: usize = 1_001;
/// The most numbers a data set may hold (rows × columns): 32 MB of f64.
pub const MAX_CELLS: usize = 4_000_000;
/// The largest data file read, in bytes.
pub const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;
/// How much of a bad field a message quotes.
pub const QUOTE_CHARS: usize = 80;

/// The caps one read applies. Readers stop as soon as one is passed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub bytes: u64,
    pub rows: usize,
    pub columns: usize,
    pub cells: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            bytes: MAX_FILE_BYTES,
            rows: MAX_ROWS,
            columns: MAX_COLUMNS,
            cells: MAX_CELLS,
        }
    }
}

/// Which cap was passed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    Bytes(u64),
    Rows(usize),
    Columns(usize),
    Cells(usize),
}

impl fmt::Display for Limit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Limit::Bytes(n) => write!(f, "the limit is {} bytes ({} MiB)", n, n / (1024 * 1024)),
            Limit::Rows(n) => write!(f, "the limit is {n} rows"),
            Limit::Columns(n) => write!(f, "the limit is {n} columns"),
            Limit::Cells(n) => write!(f, "the limit is {n} numbers in all"),
        }
    }
}

/// A field as a message shows it: at most [`QUOTE_CHARS`] characters, control characters
/// escaped, so neither a 50 MB field nor an escape sequence reaches the terminal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quoted(pub String);

impl Quoted {
    pub fn new(field: &str) -> Quoted {
        let mut s: String = field
            .chars()
            .take(QUOTE_CHARS)
            .flat_map(char::escape_debug)
            .collect();
        if field.chars().nth(QUOTE_CHARS).is_some() {
            s.push('…');
        }
        Quoted(s)
    }
}

impl fmt::Display for Quoted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "'{}'", self.0)
    }
}

/// What is wrong with a data set. `line` is the file's line for CSV, the example's 1-based
/// number for inline data; `column` is 1-based. Displays without the source's name, which
/// the caller puts in front in its own form.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DataError {
    #[error("cannot read it: {0}")]
    Unreadable(String),
    #[error("it is not a regular file (a device, FIFO or directory); give a CSV file")]
    NotRegularFile,
    #[error("it is not UTF-8 text (bad byte at offset {0})")]
    NotUtf8(usize),
    #[error("it is too large: {0}; gradstep is for small data sets")]
    TooLarge(Limit),
    #[error("{message}")]
    Csv { line: Option<u64>, message: String },
    #[error("column {column}: {field} is not a finite number")]
    NotANumber {
        line: u64,
        column: usize,
        field: Quoted,
    },
    #[error("column {column}: the field holds a NUL byte (\\0); is this a binary file?")]
    Nul { line: u64, column: usize },
    #[error("this row has {got} columns but line {first} has {want}")]
    Ragged {
        line: u64,
        got: usize,
        want: usize,
        first: u64,
    },
    #[error("a row needs at least 2 columns: the features, then the label")]
    TooFewColumns { line: u64 },
    #[error("the file has no data rows")]
    NoRows,
    /// Inline data: a different number of examples and labels.
    #[error("{examples} example(s) but {labels} label(s)")]
    CountMismatch { examples: usize, labels: usize },
    /// Inline data: an example with another number of features than the first.
    #[error("example {example} has {got} features but example 1 has {want}")]
    Width {
        example: usize,
        got: usize,
        want: usize,
    },
}

impl DataError {
    /// The line (CSV) or example number (inline) the problem is on, if it is on one.
    pub fn line(&self) -> Option<u64> {
        match self {
            DataError::Csv { line, .. } => *line,
            DataError::NotANumber { line, .. }
            | DataError::Nul { line, .. }
            | DataError::Ragged { line, .. }
            | DataError::TooFewColumns { line } => Some(*line),
            DataError::Width { example, .. } => Some(*example as u64),
            _ => None,
        }
    }

    /// `name:line: message` or `name: message`: the form for a CSV file.
    pub fn in_file(&self, name: &str) -> String {
        if let DataError::Unreadable(why) = self {
            return format!("cannot read {name}: {why}");
        }
        match self.line() {
            Some(l) => format!("{name}:{l}: {self}"),
            None => format!("{name}: {self}"),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Dataset {
    /// m × n features.
    pub x: Array2<f64>,
    /// m labels.
    pub y: Array1<f64>,
    /// Column names from a header row, if the file had one (features, then the label).
    pub header: Option<Vec<String>>,
    /// Where the data came from (a file name, or `--x/--y`), for messages.
    pub source: String,
    /// The line each example came from (for inline data, its 1-based position).
    pub lines: Vec<u64>,
}

fn parse_number(s: &str) -> Option<f64> {
    s.trim().parse::<f64>().ok().filter(|v| v.is_finite())
}

/// A field that is not a number, as the right error: a NUL is named as such.
fn bad_field(line: u64, column: usize, field: &str) -> DataError {
    if field.contains('\0') {
        DataError::Nul { line, column }
    } else {
        DataError::NotANumber {
            line,
            column,
            field: Quoted::new(field.trim()),
        }
    }
}

/// Reads a whole text file of at most `max_bytes`, refusing anything but a regular file
/// before opening it (opening a FIFO would wait for a writer) and never reading past the cap
/// (a file can grow, or be a device, after the check).
pub fn read_text_capped(path: &Path, max_bytes: u64) -> Result<String, DataError> {
    let meta = std::fs::metadata(path).map_err(|e| DataError::Unreadable(e.to_string()))?;
    if !meta.is_file() {
        return Err(DataError::NotRegularFile);
    }
    if meta.len() > max_bytes {
        return Err(DataError::TooLarge(Limit::Bytes(max_bytes)));
    }
    let file = std::fs::File::open(path).map_err(|e| DataError::Unreadable(e.to_string()))?;
    let mut bytes = Vec::new();
    file.take(max_bytes + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| DataError::Unreadable(e.to_string()))?;
    if bytes.len() as u64 > max_bytes {
        return Err(DataError::TooLarge(Limit::Bytes(max_bytes)));
    }
    String::from_utf8(bytes).map_err(|e| DataError::NotUtf8(e.utf8_error().valid_up_to()))
}

/// The table as it is read: checks every cap before it grows.
struct Table {
    limits: Limits,
    header: Option<Vec<String>>,
    /// Columns per row, and the line that set it.
    width: Option<(usize, u64)>,
    values: Vec<f64>,
    labels: Vec<f64>,
    lines: Vec<u64>,
}

impl Table {
    fn new(limits: Limits) -> Table {
        Table {
            limits,
            header: None,
            width: None,
            values: Vec::new(),
            labels: Vec::new(),
            lines: Vec::new(),
        }
    }

    /// Adds one CSV record (already split into fields).
    fn push_record(&mut self, record: &csv::StringRecord, line: u64) -> Result<(), DataError> {
        if record.len() > self.limits.columns {
            return Err(DataError::TooLarge(Limit::Columns(self.limits.columns)));
        }
        let numbers: Vec<Option<f64>> = record.iter().map(parse_number).collect();
        // A first row of names (no numbers at all) is a header.
        if self.width.is_none() && numbers.iter().all(Option::is_none) {
            if let Some(col) = record.iter().position(|f| f.contains('\0')) {
                return Err(DataError::Nul {
                    line,
                    column: col + 1,
                });
            }
            if record.len() < 2 {
                return Err(DataError::TooFewColumns { line });
            }
            self.header = Some(record.iter().map(str::to_string).collect());
            self.width = Some((record.len(), line));
            return Ok(());
        }
        let (want, first) = *self.width.get_or_insert((record.len(), line));
        if record.len() != want {
            return Err(DataError::Ragged {
                line,
                got: record.len(),
                want,
                first,
            });
        }
        if want < 2 {
            return Err(DataError::TooFewColumns { line });
        }
        for (col, (field, v)) in record.iter().zip(&numbers).enumerate() {
            if v.is_none() {
                return Err(bad_field(line, col + 1, field));
            }
        }
        let row: Vec<f64> = numbers.into_iter().flatten().collect();
        self.push_row(&row, line)
    }

    /// Adds one row of numbers (features, then the label) after checking the caps.
    fn push_row(&mut self, row: &[f64], line: u64) -> Result<(), DataError> {
        if self.labels.len() >= self.limits.rows {
            return Err(DataError::TooLarge(Limit::Rows(self.limits.rows)));
        }
        if self.values.len() + self.labels.len() + row.len() > self.limits.cells {
            return Err(DataError::TooLarge(Limit::Cells(self.limits.cells)));
        }
        let w = row.len();
        self.values.extend_from_slice(&row[..w - 1]);
        self.labels.push(row[w - 1]);
        self.lines.push(line);
        Ok(())
    }

    fn finish(self, source: String) -> Result<Dataset, DataError> {
        let Some((w, _)) = self.width.filter(|_| !self.labels.is_empty()) else {
            return Err(DataError::NoRows);
        };
        Dataset::new(
            self.values,
            self.labels,
            w - 1,
            self.header,
            source,
            self.lines,
        )
    }
}

impl Dataset {
    pub fn len(&self) -> usize {
        self.y.len()
    }

    pub fn is_empty(&self) -> bool {
        self.y.is_empty()
    }

    pub fn n_features(&self) -> usize {
        self.x.ncols()
    }

    /// Reads a CSV file: one example per row, the label in the last column. A first row that
    /// is not all numbers is taken as a header. Blank lines and lines starting with `#` are
    /// skipped. Only a regular file is opened, and no more than `limits.bytes` of it is read.
    pub fn from_csv_file(path: &Path, limits: Limits) -> Result<Dataset, DataError> {
        let meta = std::fs::metadata(path).map_err(|e| DataError::Unreadable(e.to_string()))?;
        if !meta.is_file() {
            return Err(DataError::NotRegularFile);
        }
        if meta.len() > limits.bytes {
            return Err(DataError::TooLarge(Limit::Bytes(limits.bytes)));
        }
        let file = std::fs::File::open(path).map_err(|e| DataError::Unreadable(e.to_string()))?;
        Self::from_csv_reader(file, &path.display().to_string(), limits)
    }

    /// Like [`Dataset::from_csv_file`], from text already in memory (a built-in lesson's
    /// data); `name` stands for the file in [`Dataset::source`].
    pub fn from_csv_str(text: &str, name: &str, limits: Limits) -> Result<Dataset, DataError> {
        Self::from_csv_reader(text.as_bytes(), name, limits)
    }

    /// Reads CSV from any reader, record by record, stopping at the first cap passed: memory
    /// stays within `limits` whatever the reader yields.
    pub fn from_csv_reader<R: Read>(
        reader: R,
        name: &str,
        limits: Limits,
    ) -> Result<Dataset, DataError> {
        let capped = CountingReader {
            inner: reader.take(limits.bytes.saturating_add(1)),
            read: 0,
        };
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .comment(Some(b'#'))
            .trim(csv::Trim::All)
            .from_reader(capped);
        let mut table = Table::new(limits);
        let mut record = csv::StringRecord::new();
        let mut i = 0u64;
        loop {
            let more = reader.read_record(&mut record);
            if reader.get_ref().read > limits.bytes {
                return Err(DataError::TooLarge(Limit::Bytes(limits.bytes)));
            }
            match more {
                Ok(false) => break,
                Ok(true) => {}
                Err(e) => return Err(csv_error(&e)),
            }
            i += 1;
            let line = record.position().map(|p| p.line()).unwrap_or(i);
            if record.iter().all(|f| f.is_empty()) {
                continue;
            }
            table.push_record(&record, line)?;
        }
        table.finish(name.to_string())
    }

    /// Examples typed inline: `3,2` with label `1`, or several separated by `;`
    /// (`"1,2;3,4"` with labels `0,1`).
    pub fn from_inline(x: &str, y: &str, limits: Limits) -> Result<Dataset, DataError> {
        let rows: Vec<&str> = x
            .split(';')
            .map(str::trim)
            .filter(|r| !r.is_empty())
            .collect();
        let labels: Vec<&str> = y
            .split([',', ';'])
            .map(str::trim)
            .filter(|r| !r.is_empty())
            .collect();
        if rows.is_empty() {
            return Err(DataError::NoRows);
        }
        if labels.len() != rows.len() {
            return Err(DataError::CountMismatch {
                examples: rows.len(),
                labels: labels.len(),
            });
        }
        let mut table = Table::new(limits);
        let mut want = None;
        for (i, (row, label)) in rows.iter().zip(&labels).enumerate() {
            let example = i + 1;
            let fields: Vec<&str> = row.split(',').collect();
            if fields.len() + 1 > limits.columns {
                return Err(DataError::TooLarge(Limit::Columns(limits.columns)));
            }
            let want = *want.get_or_insert(fields.len());
            if want != fields.len() {
                return Err(DataError::Width {
                    example,
                    got: fields.len(),
                    want,
                });
            }
            let mut numbers = Vec::with_capacity(fields.len() + 1);
            for (col, f) in fields.iter().chain(std::iter::once(label)).enumerate() {
                let v = parse_number(f).ok_or_else(|| bad_field(example as u64, col + 1, f))?;
                numbers.push(v);
            }
            table.push_row(&numbers, example as u64)?;
        }
        table.width = want.map(|w| (w + 1, 1));
        table.finish("--x/--y".into())
    }

    /// A lesson's inline rows: each holds the features, then the label. Errors name the row
    /// by its 1-based number (the `line` of the error).
    pub fn from_rows(rows: &[Vec<f64>], limits: Limits) -> Result<Dataset, DataError> {
        let mut table = Table::new(limits);
        for (i, row) in rows.iter().enumerate() {
            let line = i as u64 + 1;
            if row.len() > limits.columns {
                return Err(DataError::TooLarge(Limit::Columns(limits.columns)));
            }
            let (want, first) = *table.width.get_or_insert((row.len(), line));
            if row.len() != want {
                return Err(DataError::Ragged {
                    line,
                    got: row.len(),
                    want,
                    first,
                });
            }
            if want < 2 {
                return Err(DataError::TooFewColumns { line });
            }
            if let Some(col) = row.iter().position(|v| !v.is_finite()) {
                return Err(DataError::NotANumber {
                    line,
                    column: col + 1,
                    field: Quoted::new(&row[col].to_string()),
                });
            }
            table.push_row(row, line)?;
        }
        table.finish("rows".into())
    }

    fn new(
        values: Vec<f64>,
        labels: Vec<f64>,
        n: usize,
        header: Option<Vec<String>>,
        source: String,
        lines: Vec<u64>,
    ) -> Result<Dataset, DataError> {
        let m = labels.len();
        let x = Array2::from_shape_vec((m, n), values).map_err(|e| DataError::Csv {
            line: None,
            message: format!("the data does not form a table: {e}"),
        })?;
        Ok(Dataset {
            x,
            y: Array1::from(labels),
            header,
            source,
            lines,
        })
    }

    /// The first example whose label is not 0 or 1: (its index, its label).
    pub fn first_non_binary_label(&self) -> Option<(usize, f64)> {
        self.y
            .iter()
            .position(|&v| v != 0.0 && v != 1.0)
            .map(|i| (i, self.y[i]))
    }

    /// The line example `i` came from.
    pub fn line_of(&self, i: usize) -> u64 {
        self.lines.get(i).copied().unwrap_or(i as u64 + 1)
    }
}

/// The csv crate's error, with its line and without echoing a whole field.
fn csv_error(e: &csv::Error) -> DataError {
    let line = e.position().map(|p| p.line());
    let message = match e.kind() {
        csv::ErrorKind::Utf8 { err, .. } => format!(
            "field {} is not UTF-8 text; save the file as UTF-8",
            err.field() + 1
        ),
        csv::ErrorKind::Io(io) => format!("cannot read it: {io}"),
        _ => {
            let mut m = e.to_string();
            if m.chars().count() > QUOTE_CHARS * 2 {
                m = m.chars().take(QUOTE_CHARS * 2).collect::<String>() + "…";
            }
            m
        }
    };
    DataError::Csv { line, message }
}

/// Counts the bytes handed to the CSV parser, so a cap passed mid-record is noticed.
struct CountingReader<R> {
    inner: R,
    read: u64,
}

impl<R: Read> Read for CountingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn small(bytes: u64, rows: usize, columns: usize) -> Limits {
        Limits {
            bytes,
            rows,
            columns,
            cells: MAX_CELLS,
        }
    }

    #[test]
    fn header_comments_and_blank_lines() {
        let d = Dataset::from_csv_str("# c\nx1,y\n3,1\n4,0\n", "f.csv", Limits::default()).unwrap();
        assert_eq!(d.len(), 2);
        assert_eq!(d.lines, vec![3, 4]);
        assert_eq!(
            d.header.as_deref(),
            Some(&["x1".to_string(), "y".into()][..])
        );
    }

    #[test]
    fn a_long_bad_field_is_quoted_short() {
        let field = "z".repeat(10_000);
        let e =
            Dataset::from_csv_str(&format!("1,{field}\n"), "f.csv", Limits::default()).unwrap_err();
        let text = e.in_file("f.csv");
        assert!(text.starts_with("f.csv:1: column 2: 'zzz"), "{text}");
        assert!(text.chars().count() < 130, "{text}");
    }

    #[test]
    fn a_nul_is_named() {
        let e = Dataset::from_csv_str("1,2\n3,4\0\n", "f.csv", Limits::default()).unwrap_err();
        assert_eq!(e, DataError::Nul { line: 2, column: 2 });
        assert!(e.to_string().contains("NUL"));
    }

    #[test]
    fn caps_stop_the_read() {
        let e = Dataset::from_csv_str("1,2\n3,4\n5,6\n", "f.csv", small(100, 2, 10)).unwrap_err();
        assert_eq!(e, DataError::TooLarge(Limit::Rows(2)));
        let e = Dataset::from_csv_str("1,2,3\n", "f.csv", small(100, 9, 2)).unwrap_err();
        assert_eq!(e, DataError::TooLarge(Limit::Columns(2)));
        let e = Dataset::from_csv_str("1,2\n3,4\n", "f.csv", small(5, 9, 9)).unwrap_err();
        assert_eq!(e, DataError::TooLarge(Limit::Bytes(5)));
    }

    #[test]
    fn an_endless_reader_stops_at_the_byte_cap() {
        let e = Dataset::from_csv_reader(std::io::repeat(b'1'), "zero", small(1 << 16, 9, 9))
            .unwrap_err();
        assert_eq!(e, DataError::TooLarge(Limit::Bytes(1 << 16)));
    }

    #[test]
    fn inline_examples_and_mistakes() {
        let d = Dataset::from_inline("1,2;3,4", "0,1", Limits::default()).unwrap();
        assert_eq!((d.len(), d.n_features()), (2, 2));
        let e = Dataset::from_inline("1,2;3", "0,1", Limits::default()).unwrap_err();
        assert_eq!(
            e.to_string(),
            "example 2 has 1 features but example 1 has 2"
        );
        let e = Dataset::from_inline("1", "0,1", Limits::default()).unwrap_err();
        assert_eq!(
            e,
            DataError::CountMismatch {
                examples: 1,
                labels: 2
            }
        );
    }

    #[test]
    fn rows_are_checked_like_a_file() {
        let d = Dataset::from_rows(&[vec![3.0, 2.0, 1.0]], Limits::default()).unwrap();
        assert_eq!(d.n_features(), 2);
        let e = Dataset::from_rows(&[vec![1.0, 2.0], vec![1.0]], Limits::default()).unwrap_err();
        assert_eq!(e.line(), Some(2));
        assert!(matches!(
            Dataset::from_rows(&[vec![1.0]], Limits::default()),
            Err(DataError::TooFewColumns { line: 1 })
        ));
        assert_eq!(
            Dataset::from_rows(&[], Limits::default()),
            Err(DataError::NoRows)
        );
    }

    #[test]
    fn non_regular_files_are_refused_unopened() {
        let dir = std::env::temp_dir();
        assert_eq!(
            Dataset::from_csv_file(&dir, Limits::default()),
            Err(DataError::NotRegularFile)
        );
        if Path::new("/dev/zero").exists() {
            assert_eq!(
                read_text_capped(Path::new("/dev/zero"), 1024),
                Err(DataError::NotRegularFile)
            );
        }
    }
}
