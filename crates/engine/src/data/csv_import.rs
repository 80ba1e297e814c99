//! Import of the user's CSV: detects the delimiter and the header, takes string or numeric labels from a chosen
//! column, and rejects what cannot be used with a message that names the line, the column and the value.

pub use lethe_protocol::experiment::limits::MAX_CSV_BYTES;
use lethe_protocol::experiment::limits::MAX_CSV_CELLS;

use super::Dataset;
use crate::error::{EngineError, Result};

/// Fewest data rows accepted (so that both splits hold points of every class).
pub const MIN_CSV_ROWS: usize = 10;
/// Most distinct labels accepted.
const MAX_CLASSES: usize = 50;
const DELIMITERS: [u8; 4] = [b',', b';', b'\t', b'|'];

fn err(msg: impl Into<String>) -> EngineError {
    EngineError::Csv(msg.into())
}

/// Parses `text` (the file `file_name`). `label_column` is a header name, a 1-based column number, or empty for
/// the last column.
pub fn parse_csv(text: &str, file_name: &str, label_column: &str) -> Result<Dataset> {
    parse_csv_split(text, file_name, label_column, "").map(|(data, _)| data)
}

/// Parses `text` as [`parse_csv`] does, and with a `split_column` (a header name or a 1-based column number; empty
/// for none) reads that column's cells, `train` or `test`, as the split: whether each row is a test row.
pub fn parse_csv_split(
    text: &str,
    file_name: &str,
    label_column: &str,
    split_column: &str,
) -> Result<(Dataset, Option<Vec<bool>>)> {
    if text.len() > MAX_CSV_BYTES {
        return Err(err(format!(
            "the file is {} bytes; Lethe takes at most {MAX_CSV_BYTES}",
            text.len()
        )));
    }
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let delimiter = detect_delimiter(text);
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let mut rows: Vec<(u64, Vec<String>)> = Vec::new();
    // Cells are counted as they are read, so a huge file of tiny cells is refused before it costs memory (a header
    // row is allowed for; the exact rows × columns check follows once the header is known).
    let mut cells_read = 0usize;
    for record in reader.records() {
        let record = record.map_err(|e| err(format!("cannot read the file: {e}")))?;
        let line = record.position().map_or(0, |p| p.line());
        if record.iter().all(|c| c.is_empty()) {
            continue; // blank line
        }
        cells_read += record.len();
        let header_allowance = rows.first().map_or(record.len(), |r| r.1.len());
        if cells_read > MAX_CSV_CELLS + header_allowance {
            return Err(err(format!(
                "the file has more than {MAX_CSV_CELLS} cells (rows × columns) by line {line}; Lethe takes at most {MAX_CSV_CELLS}"
            )));
        }
        rows.push((line, record.iter().map(str::to_string).collect()));
    }
    if rows.is_empty() {
        return Err(err("the file is empty"));
    }
    let width = rows[0].1.len();
    if width < 2 {
        return Err(err(format!(
            "line {} has {width} column; at least two are needed (features and a label), separated by , ; tab or |",
            rows[0].0
        )));
    }
    let has_header = detect_header(&rows);
    let names: Vec<String> = if has_header {
        rows[0]
            .1
            .iter()
            .enumerate()
            .map(|(i, n)| {
                if n.is_empty() {
                    format!("column {}", i + 1)
                } else {
                    n.clone()
                }
            })
            .collect()
    } else {
        (1..=width).map(|i| format!("column {i}")).collect()
    };
    let data = if has_header { &rows[1..] } else { &rows[..] };
    let cells = data.len() * width;
    if cells > MAX_CSV_CELLS {
        return Err(err(format!(
            "the file has {} rows × {width} columns = {cells} cells; Lethe takes at most {MAX_CSV_CELLS} (rows × columns)",
            data.len()
        )));
    }
    let label = find_label_column(label_column, &names)?;
    let split = match split_column.trim() {
        "" => None,
        spec => {
            let at = find_column("split column", spec, &names)?;
            if at == label {
                return Err(err(format!(
                    "the split column \"{}\" is also the label column",
                    names[at]
                )));
            }
            if width < 3 {
                return Err(err(format!(
                    "line {} has {width} columns; with a split column at least three are needed (features, a label, the split)",
                    rows[0].0
                )));
            }
            Some(at)
        }
    };
    for (line, row) in data {
        if row.len() != width {
            return Err(err(format!(
                "line {line} has {} fields, expected {width} like line {}",
                row.len(),
                rows[0].0
            )));
        }
    }
    if data.len() < MIN_CSV_ROWS {
        return Err(err(format!(
            "too few rows: {} data rows, at least {MIN_CSV_ROWS} are needed",
            data.len()
        )));
    }
    let mut x = Vec::with_capacity(data.len() * (width - 1));
    let mut raw_labels = Vec::with_capacity(data.len());
    let mut is_test = Vec::with_capacity(if split.is_some() { data.len() } else { 0 });
    for (line, row) in data {
        for (c, cell) in row.iter().enumerate() {
            if cell.is_empty() {
                return Err(err(format!(
                    "line {line}, column \"{}\" is empty",
                    names[c]
                )));
            }
            if c == label {
                raw_labels.push(cell.clone());
                continue;
            }
            if Some(c) == split {
                match cell.to_ascii_lowercase().as_str() {
                    "train" => is_test.push(false),
                    "test" => is_test.push(true),
                    _ => {
                        return Err(err(format!(
                            "line {line}, column \"{}\" (the split column): \"{cell}\" must be train or test",
                            names[c]
                        )));
                    }
                }
                continue;
            }
            match cell.parse::<f32>() {
                Ok(v) if v.is_finite() => x.push(v),
                Ok(v) if v.is_infinite() && cell.parse::<f64>().is_ok_and(f64::is_finite) => {
                    return Err(err(format!(
                        "line {line}, column \"{}\": {cell} is beyond the range of 32-bit numbers (±3.4e38)",
                        names[c]
                    )));
                }
                Ok(v) => {
                    return Err(err(format!(
                        "line {line}, column \"{}\": \"{cell}\" is {v}, not a finite number",
                        names[c]
                    )));
                }
                Err(_) => {
                    return Err(err(format!(
                        "line {line}, column \"{}\": \"{cell}\" is not a number (every column but the label must be numeric)",
                        names[c]
                    )));
                }
            }
        }
    }
    let (y, class_names) = encode_labels(&raw_labels, &names[label])?;
    let dataset = Dataset {
        name: file_name.to_string(),
        x,
        y,
        feature_names: names
            .iter()
            .enumerate()
            .filter(|&(i, _)| i != label && Some(i) != split)
            .map(|(_, n)| n.clone())
            .collect(),
        class_names,
        image_side: None,
    };
    Ok((dataset, split.map(|_| is_test)))
}

/// The delimiter that splits the first lines into the same number (> 1) of fields most often.
fn detect_delimiter(text: &str) -> u8 {
    let lines: Vec<&str> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .take(20)
        .collect();
    let mut best = (b',', 0usize);
    for d in DELIMITERS {
        let counts: Vec<usize> = lines
            .iter()
            .map(|l| l.bytes().filter(|&b| b == d).count())
            .collect();
        let Some(&first) = counts.first() else {
            continue;
        };
        if first == 0 {
            continue;
        }
        let agreeing = counts.iter().filter(|&&c| c == first).count();
        if agreeing > best.1 {
            best = (d, agreeing);
        }
    }
    best.0
}

fn is_number(cell: &str) -> bool {
    cell.parse::<f64>().is_ok()
}

/// A header when some cell of the first row is not a number while the same cell of the second row is, or when
/// no cell of the first row is a number.
fn detect_header(rows: &[(u64, Vec<String>)]) -> bool {
    let first = &rows[0].1;
    if first.iter().all(|c| !is_number(c)) {
        return true;
    }
    match rows.get(1) {
        Some((_, second)) => first
            .iter()
            .zip(second)
            .any(|(a, b)| !is_number(a) && is_number(b)),
        None => false,
    }
}

fn find_label_column(spec: &str, names: &[String]) -> Result<usize> {
    let spec = spec.trim();
    if spec.is_empty() {
        return Ok(names.len() - 1);
    }
    find_column("label column", spec, names)
}

/// The column `spec` names: a header name or a 1-based number. `what` names it in messages.
fn find_column(what: &str, spec: &str, names: &[String]) -> Result<usize> {
    if let Some(i) = names.iter().position(|n| n == spec) {
        return Ok(i);
    }
    if let Ok(k) = spec.parse::<usize>() {
        if (1..=names.len()).contains(&k) {
            return Ok(k - 1);
        }
        return Err(err(format!(
            "{what} {k} does not exist: the file has {} columns",
            names.len()
        )));
    }
    Err(err(format!(
        "{what} \"{spec}\" is not in the header ({})",
        names.join(", ")
    )))
}

/// Maps label strings to 0..k: numeric labels in numeric order, others in alphabetical order. Numeric labels that
/// are equal as numbers (`1` and `1.0`) are one class, named by the spelling that comes first in the file.
fn encode_labels(raw: &[String], column: &str) -> Result<(Vec<u32>, Vec<String>)> {
    if raw.iter().all(|s| is_number(s)) {
        let value = |s: &String| s.trim().parse::<f64>().unwrap_or(f64::NAN);
        let same = |a: f64, b: f64| a == b || (a.is_nan() && b.is_nan());
        // First spelling of each value, in file order; then sorted by value.
        let mut firsts: Vec<(f64, String)> = Vec::new();
        for s in raw {
            let v = value(s);
            if !firsts.iter().any(|(w, _)| same(*w, v)) {
                firsts.push((v, s.clone()));
                if firsts.len() > MAX_CLASSES {
                    // A continuous column: stop before the search becomes quadratic.
                    return Err(err(format!(
                        "the label column \"{column}\" has more than {MAX_CLASSES} distinct values; at most {MAX_CLASSES} classes are supported (is it the right column?)"
                    )));
                }
            }
        }
        firsts.sort_by(|a, b| a.0.total_cmp(&b.0));
        let classes: Vec<String> = firsts.iter().map(|(_, s)| s.clone()).collect();
        check_class_count(&classes, raw.len(), column)?;
        let y = raw
            .iter()
            .map(|s| {
                let v = value(s);
                firsts
                    .iter()
                    .position(|(w, _)| same(*w, v))
                    .expect("every label is a class") as u32
            })
            .collect();
        return Ok((y, classes));
    }
    let mut classes: Vec<String> = raw.to_vec();
    classes.sort();
    classes.dedup();
    check_class_count(&classes, raw.len(), column)?;
    let y = raw
        .iter()
        .map(|s| classes.binary_search(s).expect("every label is a class") as u32)
        .collect();
    Ok((y, classes))
}

/// At least two classes, at most [`MAX_CLASSES`], and fewer than half as many classes as rows.
fn check_class_count(classes: &[String], rows: usize, column: &str) -> Result<()> {
    if classes.len() < 2 {
        return Err(err(format!(
            "the label column \"{column}\" has only one class (\"{}\"); at least two are needed",
            classes.first().map_or("", String::as_str)
        )));
    }
    if classes.len() > MAX_CLASSES {
        return Err(err(format!(
            "the label column \"{column}\" has {} distinct values; at most {MAX_CLASSES} classes are supported (is it the right column?)",
            classes.len()
        )));
    }
    // More classes than half the rows: most classes hold one row, which no split can both train and test on.
    if classes.len() * 2 > rows {
        return Err(err(format!(
            "the label column \"{column}\" has {} distinct values in {rows} rows: most classes would hold a single row \
             (is it the right column? a label names a class, not a measurement)",
            classes.len()
        )));
    }
    Ok(())
}
