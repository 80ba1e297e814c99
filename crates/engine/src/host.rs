//! What hosts a long computation: the CLI (runs straight through) or the worker (yields by time slice, can
//! cancel, streams progress). The engine reports plain records and never knows a chart exists.

use lethe_protocol::{BoundaryGrid, EpochRecord};

use crate::error::Result;

/// Whether a run goes on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    /// Keep going.
    Continue,
    /// Stop now: the user cancelled.
    Stop,
}

/// Callbacks from the training loop to whoever runs it.
pub trait Host {
    /// Called between batches. A host on a browser event loop yields here when its time slice is spent, so that
    /// a cancel message gets through; it answers [`Flow::Stop`] once cancelled.
    fn pause(&mut self) -> impl std::future::Future<Output = Flow>;
    /// An epoch ended. An error stops the run with it (the worker injects test faults this way).
    fn epoch(&mut self, record: &EpochRecord, epochs_total: usize) -> Result<()>;
    /// Whether the host wants a fresh decision-boundary grid now (hosts throttle this by time).
    fn wants_boundary(&mut self) -> bool {
        false
    }
    /// A decision-boundary grid, after `epoch` epochs.
    fn boundary(&mut self, _epoch: usize, _grid: BoundaryGrid) {}
    /// The unlearning lab began step `done + 1` of `total` (`label` names it, e.g. a method).
    fn stage(&mut self, _label: &str, _done: usize, _total: usize) {}
    /// `sample_grads` per-example forward and backward passes were just computed (a step on a batch of b rows is
    /// b of them). The lab counts them per method ([`Tally`]): the report's machine-independent measure of work.
    fn work(&mut self, _sample_grads: usize) {}
    /// The model of the report's row `row` (`train`, `retrain`, a method's key) is final: a
    /// `crate::unlearn::Fitted` (typed `Any` because the host sits below the models). A host that exports models
    /// keeps the ones it wants (a clone shares the tensors); the others ignore it.
    fn model(&mut self, _row: &str, _model: &dyn std::any::Any) {}
}

/// A host that counts the work done through it and passes everything on to `inner`.
pub struct Tally<'a, H: Host> {
    inner: &'a mut H,
    /// Per-example forward and backward passes so far.
    pub sample_grads: u64,
}

impl<'a, H: Host> Tally<'a, H> {
    /// Counts from zero.
    pub fn new(inner: &'a mut H) -> Self {
        Self {
            inner,
            sample_grads: 0,
        }
    }
}

impl<H: Host> Host for Tally<'_, H> {
    async fn pause(&mut self) -> Flow {
        self.inner.pause().await
    }
    fn epoch(&mut self, record: &EpochRecord, epochs_total: usize) -> Result<()> {
        self.inner.epoch(record, epochs_total)
    }
    fn wants_boundary(&mut self) -> bool {
        self.inner.wants_boundary()
    }
    fn boundary(&mut self, epoch: usize, grid: BoundaryGrid) {
        self.inner.boundary(epoch, grid)
    }
    fn stage(&mut self, label: &str, done: usize, total: usize) {
        self.inner.stage(label, done, total)
    }
    fn work(&mut self, sample_grads: usize) {
        self.sample_grads += sample_grads as u64;
        self.inner.work(sample_grads)
    }
    fn model(&mut self, row: &str, model: &dyn std::any::Any) {
        self.inner.model(row, model)
    }
}

/// A host that passes on pauses, stages and work, and keeps epochs and boundaries to itself: training that is not the
/// page's training (the privacy score's originals).
pub struct Quiet<'a, H: Host>(pub &'a mut H);

impl<H: Host> Host for Quiet<'_, H> {
    async fn pause(&mut self) -> Flow {
        self.0.pause().await
    }
    fn epoch(&mut self, _record: &EpochRecord, _epochs_total: usize) -> Result<()> {
        Ok(())
    }
    fn stage(&mut self, label: &str, done: usize, total: usize) {
        self.0.stage(label, done, total)
    }
    fn work(&mut self, sample_grads: usize) {
        self.0.work(sample_grads)
    }
}

/// A host that runs straight through and keeps nothing: the CLI and native tests.
#[derive(Debug, Default)]
pub struct Straight;

impl Host for Straight {
    async fn pause(&mut self) -> Flow {
        Flow::Continue
    }
    fn epoch(&mut self, _record: &EpochRecord, _epochs_total: usize) -> Result<()> {
        Ok(())
    }
}
