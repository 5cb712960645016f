//! A data set for the models: rows of features and a label, from a CSV file or from numbers
//! typed on the command line. Every error names the file, the line and the column.

use std::path::Path;

use ndarray::{Array1, Array2};

/// Data sets larger than this are refused: the tutor shows data, it does not train on big data.
pub const MAX_ROWS: usize = 1_000_000;

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

/// What is wrong with a data set, naming the file, line and column.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct DataError(pub String);

fn parse_number(s: &str) -> Option<f64> {
    s.trim().parse::<f64>().ok().filter(|v| v.is_finite())
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
    /// skipped.
    pub fn from_csv_file(path: &Path) -> Result<Dataset, DataError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| DataError(format!("cannot read {}: {e}", path.display())))?;
        Self::from_csv_str(&text, &path.display().to_string())
    }

    /// Like [`Dataset::from_csv_file`], with `name` standing for the file in messages.
    pub fn from_csv_str(text: &str, name: &str) -> Result<Dataset, DataError> {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .comment(Some(b'#'))
            .trim(csv::Trim::All)
            .from_reader(text.as_bytes());
        let mut header: Option<Vec<String>> = None;
        let mut width: Option<(usize, u64)> = None;
        let mut values: Vec<f64> = Vec::new();
        let mut labels: Vec<f64> = Vec::new();
        let mut lines: Vec<u64> = Vec::new();
        for (i, record) in reader.records().enumerate() {
            let record = record.map_err(|e| DataError(format!("{name}: {e}")))?;
            let line = record.position().map(|p| p.line()).unwrap_or(i as u64 + 1);
            if record.iter().all(|f| f.is_empty()) {
                continue;
            }
            let numbers: Vec<Option<f64>> = record.iter().map(parse_number).collect();
            // A first row of names (no numbers at all) is a header.
            if width.is_none() && numbers.iter().all(Option::is_none) {
                if record.len() < 2 {
                    return Err(DataError(format!(
                        "{name}:{line}: a row needs at least 2 columns: the features, then the label"
                    )));
                }
                header = Some(record.iter().map(str::to_string).collect());
                width = Some((record.len(), line));
                continue;
            }
            let (w, first) = *width.get_or_insert((record.len(), line));
            if record.len() != w {
                return Err(DataError(format!(
                    "{name}:{line}: this row has {} columns but line {first} has {w}",
                    record.len()
                )));
            }
            if w < 2 {
                return Err(DataError(format!(
                    "{name}:{line}: a row needs at least 2 columns: the features, then the label"
                )));
            }
            for (col, (field, v)) in record.iter().zip(&numbers).enumerate() {
                if v.is_none() {
                    return Err(DataError(format!(
                        "{name}:{line}: column {}: '{field}' is not a finite number",
                        col + 1
                    )));
                }
            }
            let row: Vec<f64> = numbers.into_iter().flatten().collect();
            values.extend_from_slice(&row[..w - 1]);
            labels.push(row[w - 1]);
            lines.push(line);
            if labels.len() > MAX_ROWS {
                return Err(DataError(format!(
                    "{name}: more than {MAX_ROWS} rows; gradstep is for small data sets"
                )));
            }
        }
        let Some((w, _)) = width.filter(|_| !labels.is_empty()) else {
            return Err(DataError(format!("{name}: the file has no data rows")));
        };
        Self::new(values, labels, w - 1, header, name.to_string(), lines)
    }

    /// Examples typed inline: `--x 3,2 --y 1`, or several separated by `;`
    /// (`--x "1,2;3,4" --y 0,1`).
    pub fn from_inline(x: &str, y: &str) -> Result<Dataset, DataError> {
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
            return Err(DataError(
                "--x is empty: give the features, e.g. --x 3,2".into(),
            ));
        }
        if labels.len() != rows.len() {
            return Err(DataError(format!(
                "--x has {} example(s) but --y has {} label(s)",
                rows.len(),
                labels.len()
            )));
        }
        let mut values = Vec::new();
        let mut width = None;
        for (i, row) in rows.iter().enumerate() {
            let fields: Vec<&str> = row.split(',').collect();
            if *width.get_or_insert(fields.len()) != fields.len() {
                return Err(DataError(format!(
                    "--x: example {} has {} features but example 1 has {}",
                    i + 1,
                    fields.len(),
                    width.unwrap_or(0)
                )));
            }
            for f in fields {
                values.push(parse_number(f).ok_or_else(|| {
                    DataError(format!("--x: '{}' is not a finite number", f.trim()))
                })?);
            }
        }
        let labels = labels
            .iter()
            .map(|l| {
                parse_number(l)
                    .ok_or_else(|| DataError(format!("--y: '{l}' is not a finite number")))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let lines = (1..=labels.len() as u64).collect();
        Self::new(
            values,
            labels,
            width.unwrap_or(0),
            None,
            "--x/--y".into(),
            lines,
        )
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
        let x = Array2::from_shape_vec((m, n), values)
            .map_err(|e| DataError(format!("the data does not form a table: {e}")))?;
        Ok(Dataset {
            x,
            y: Array1::from(labels),
            header,
            source,
            lines,
        })
    }

    /// Logistic regression needs labels in {0, 1}; says which row is not.
    pub fn check_binary_labels(&self) -> Result<(), DataError> {
        match self.y.iter().position(|&v| v != 0.0 && v != 1.0) {
            None => Ok(()),
            Some(i) => Err(DataError(format!(
                "{}:{}: the label is {}, but logistic regression needs 0 or 1",
                self.source,
                self.lines.get(i).copied().unwrap_or(i as u64 + 1),
                self.y[i]
            ))),
        }
    }
}
