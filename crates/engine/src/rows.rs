//! The rows every task's report is made of: a model's test metrics (confusion, per-class scores, misclassified
//! points), and how a task ended before `run` wraps its outcome into a report.

use lethe_protocol::report::DatasetSummary;
use lethe_protocol::{MAX_MISCLASSIFIED, Misclassified, RunReport, TaskReport};

use crate::backend::Runtime;
use crate::data::Prepared;
use crate::error::Result;
use crate::metrics;
use crate::train::{Trained, evaluate};

/// How a task ended.
#[derive(Debug)]
pub enum Ended {
    /// It ran to the end.
    Finished {
        /// The task's outcome (boxed: it dwarfs the other variant).
        outcome: Box<TaskReport>,
        /// The data as the task trained on it (with an injected backdoor or flipped labels, not as prepared).
        dataset: DatasetSummary,
        /// The trained network with its history, kept by the worker under its run id for later unlearning
        /// (none for a Bayesian model, which has no network).
        trained: Option<Box<Trained>>,
    },
    /// The host stopped it after `epoch` complete epochs.
    Cancelled {
        /// Completed epochs.
        epoch: usize,
    },
}

/// A row from a model's test predictions: `method`, its wall `seconds` and `epochs`, the loss and accuracy on what
/// it is now trained on, and its test metrics. No history.
pub fn test_row(
    method: &str,
    seconds: f64,
    epochs: usize,
    trained_on: (f64, f64),
    predicted: &[u32],
    data: &Prepared,
) -> RunReport {
    let confusion = metrics::confusion(&data.test.y, predicted, data.n_classes());
    let per_class = metrics::per_class(&confusion, &data.raw.class_names);
    let (precision, recall, f1) = metrics::macro_average(&per_class);
    RunReport {
        method: method.into(),
        seconds,
        epochs,
        train_loss: trained_on.0,
        train_acc: trained_on.1,
        test_acc: metrics::accuracy(predicted, &data.test.y),
        precision,
        recall,
        f1,
        confusion,
        per_class,
        history: Vec::new(),
        misclassified: misclassified(data, predicted),
    }
}

/// The row of plain training: test metrics, the last epoch's loss and accuracy, and the history.
/// An imported model (no epochs, no history) is measured on the training split instead.
pub async fn train_row(trained: &Trained, data: &Prepared, rt: &Runtime) -> Result<RunReport> {
    let d = data.n_features();
    let on_test = evaluate(&trained.model, &data.test, d, rt).await?;
    let trained_on = match trained.history.last() {
        Some(last) => (last.train_loss, last.train_acc),
        None => {
            let on_train = evaluate(&trained.model, &data.train, d, rt).await?;
            (on_train.loss, on_train.accuracy)
        }
    };
    let mut row = test_row(
        "train",
        trained.seconds,
        trained.history.len(),
        trained_on,
        &on_test.predicted,
        data,
    );
    row.history = trained.history.clone();
    Ok(row)
}

/// Test points a model got wrong, in dataset order, at most [`MAX_MISCLASSIFIED`].
pub fn misclassified(data: &Prepared, predicted: &[u32]) -> Vec<Misclassified> {
    data.test_rows()
        .zip(predicted.iter().zip(&data.test.y))
        .filter(|(_, (p, y))| p != y)
        .take(MAX_MISCLASSIFIED)
        .map(|(row, (&predicted, &label))| Misclassified {
            row,
            label,
            predicted,
        })
        .collect()
}
