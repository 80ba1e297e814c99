//! Chart updates while a job runs, at a bounded rate. Every epoch record and decision-boundary grid that the worker
//! sends would otherwise redraw the curves and the data chart's SVG at once, and those redraws compete with the
//! training for the machine's cores (docs/BENCHMARKS.md: the boundary's redraw was the longest main-thread task).
//! Records are held and applied together at most every [`CURVES_MS`], the boundary at most every [`BOUNDARY_MS`];
//! the first of each shows at once, and everything held is applied before the job's end is.

use lethe_protocol::{BoundaryGrid, EpochRecord};

/// Least time between two redraws of the learning curves, in milliseconds.
pub const CURVES_MS: f64 = 250.0;
/// Least time between two redraws of the decision boundary, in milliseconds.
pub const BOUNDARY_MS: f64 = 1000.0;

/// What arrived since the last redraw, for one run.
#[derive(Debug, Default)]
pub struct Held {
    /// The run the held updates belong to.
    pub run_id: u64,
    /// Epoch records, each with the epochs planned when it was sent.
    pub records: Vec<(usize, EpochRecord)>,
    /// The latest boundary grid.
    pub boundary: Option<BoundaryGrid>,
    last_curves: Option<f64>,
    last_boundary: Option<f64>,
}

/// What to apply now.
#[derive(Debug, Default)]
pub struct Due {
    pub run_id: u64,
    pub records: Vec<(usize, EpochRecord)>,
    pub boundary: Option<BoundaryGrid>,
}

impl Held {
    fn for_run(&mut self, run_id: u64) {
        if self.run_id != run_id {
            *self = Held {
                run_id,
                ..Held::default()
            };
        }
    }

    /// Holds a record; true when the curves are due for a redraw now.
    pub fn record(
        &mut self,
        run_id: u64,
        epochs_total: usize,
        record: EpochRecord,
        now: f64,
    ) -> bool {
        self.for_run(run_id);
        self.records.push((epochs_total, record));
        self.last_curves.is_none_or(|t| now - t >= CURVES_MS)
    }

    /// Holds a boundary (replacing an older held one); true when it is due now.
    pub fn boundary(&mut self, run_id: u64, grid: BoundaryGrid, now: f64) -> bool {
        self.for_run(run_id);
        self.boundary = Some(grid);
        self.last_boundary.is_none_or(|t| now - t >= BOUNDARY_MS)
    }

    /// Takes what is due at `now` (everything when `all`): the held records, and the boundary once its interval
    /// has passed. What stays held needs another flush.
    pub fn take(&mut self, now: f64, all: bool) -> Due {
        let records = std::mem::take(&mut self.records);
        if !records.is_empty() {
            self.last_curves = Some(now);
        }
        let boundary_due = all || self.last_boundary.is_none_or(|t| now - t >= BOUNDARY_MS);
        let boundary = if boundary_due {
            self.boundary.take()
        } else {
            None
        };
        if boundary.is_some() {
            self.last_boundary = Some(now);
        }
        Due {
            run_id: self.run_id,
            records,
            boundary,
        }
    }

    /// Whether something is still held.
    pub fn pending(&self) -> bool {
        !self.records.is_empty() || self.boundary.is_some()
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// An epoch record for tests (the page's own tests share it).
    pub(crate) fn record(epoch: usize) -> EpochRecord {
        EpochRecord {
            epoch,
            train_loss: 0.5,
            test_loss: 0.5,
            train_acc: 0.9,
            test_acc: 0.9,
            elapsed_seconds: 0.1,
            steps: 0,
        }
    }

    #[test]
    fn records_are_held_between_redraws_and_none_is_lost() {
        let mut held = Held::default();
        assert!(
            held.record(1, 3, record(1), 0.0),
            "the first record shows at once"
        );
        assert_eq!(held.take(0.0, false).records.len(), 1);
        assert!(
            !held.record(1, 3, record(2), 100.0),
            "within CURVES_MS it is held"
        );
        assert!(
            held.record(1, 3, record(3), 300.0),
            "after CURVES_MS it is due"
        );
        let due = held.take(300.0, false);
        let epochs: Vec<_> = due.records.iter().map(|(_, r)| r.epoch).collect();
        assert_eq!(epochs, vec![2, 3]);
        assert!(!held.pending());
    }

    #[test]
    fn the_boundary_waits_its_interval_unless_everything_is_flushed() {
        let grid = || BoundaryGrid {
            resolution: 2,
            x_range: (0.0, 1.0),
            y_range: (0.0, 1.0),
            class: vec![0; 4],
            confidence: vec![1.0; 4],
        };
        let mut held = Held::default();
        assert!(held.boundary(1, grid(), 0.0));
        assert!(held.take(0.0, false).boundary.is_some());
        assert!(!held.boundary(1, grid(), 500.0));
        assert!(held.take(500.0, false).boundary.is_none());
        assert!(held.pending(), "the grid stays held");
        assert!(
            held.take(600.0, true).boundary.is_some(),
            "a flush at the job's end applies it"
        );
        // Another run's updates drop what an old run left.
        held.boundary(1, grid(), 700.0);
        held.record(2, 1, record(1), 700.0);
        assert!(held.boundary.is_none());
    }
}
