//! A subset of a split's rows.

use crate::data::Split;

/// The rows `rows` of `split` (`d` features each).
pub fn subset(split: &Split, rows: &[usize], d: usize) -> Split {
    Split {
        x: rows
            .iter()
            .flat_map(|&r| split.x[r * d..(r + 1) * d].iter().copied())
            .collect(),
        y: rows.iter().map(|&r| split.y[r]).collect(),
    }
}
