//! One experiment end to end: prepare the data, build the model, train, measure, report.

use lethe_protocol::{
    EXPERIMENT_VERSION, LETHE_VERSION, MAX_MISCLASSIFIED, Misclassified, ModelKind, Report,
    RunReport, ValidExperiment,
};
use web_time::Instant;

use crate::backend::Runtime;
use crate::data::{self, Prepared};
use crate::error::{EngineError, Result};
use crate::host::Host;
use crate::metrics;
use crate::model::{Classifier, square_side};
use crate::train::{Trained, evaluate, train};

/// How an experiment ended.
#[derive(Debug)]
pub enum Outcome {
    /// It ran to the end.
    Finished {
        /// The report (boxed: it dwarfs the other variant).
        report: Box<Report>,
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

/// Refuses a model too large to keep, or a step too large for the heartbeat to arrive within seconds, with the
/// numbers and what to change.
fn check_size(experiment: &ValidExperiment, data: &Prepared) -> Result<()> {
    use lethe_protocol::experiment::limits::{MAX_PARAMETERS, MAX_STEP_WORK};
    let (d, k) = (data.n_features(), data.n_classes());
    let cost = experiment.model.cost(d, k);
    if cost.parameters > MAX_PARAMETERS {
        return Err(EngineError::Data(format!(
            "model: {} parameters on {d} features and {k} classes; Lethe takes at most {MAX_PARAMETERS}: lower \
             model.layers ({}) or model.width ({})",
            cost.parameters, experiment.model.layers, experiment.model.width
        )));
    }
    let batch = experiment.train.batch_size.min(data.train.len());
    let work = batch.saturating_mul(cost.multiply_adds);
    if work > MAX_STEP_WORK {
        return Err(EngineError::Data(format!(
            "train.batch_size {} × {} multiply-adds per example = {work} per step; one step does at most \
             {MAX_STEP_WORK}, so that progress arrives within seconds: use a batch size of at most {}",
            experiment.train.batch_size,
            cost.multiply_adds,
            (MAX_STEP_WORK / cost.multiply_adds.max(1)).max(1)
        )));
    }
    Ok(())
}

/// Loads and prepares the experiment's dataset. `csv_text` is the user's file for `source: "csv"`.
pub fn prepare_data(experiment: &ValidExperiment, csv_text: Option<&str>) -> Result<Prepared> {
    let raw = data::load(&experiment.data, experiment.seed, csv_text)?;
    let prepared = data::prepare(raw, experiment.data.test_fraction, experiment.seed)?;
    let d = prepared.n_features();
    if let Some(&f) = experiment.data.plot_features.iter().find(|&&f| f >= d) {
        return Err(EngineError::Data(format!(
            "data.plot_features names feature {f}, but the dataset has {d} features (0 to {})",
            d - 1
        )));
    }
    check_size(experiment, &prepared)?;
    if experiment.model.kind == ModelKind::Cnn && square_side(d).is_none() {
        return Err(EngineError::Data(format!(
            "model.kind \"cnn\" needs square images, but the dataset has {d} features, not a square number (64 for 8×8)"
        )));
    }
    Ok(prepared)
}

/// Trains the experiment's model on prepared data and writes the report. `host_name` is `"cli"` or `"browser"`;
/// `started` is when the experiment began (data preparation included), for `wall_seconds`.
pub async fn run_experiment<H: Host>(
    experiment: &ValidExperiment,
    data: &Prepared,
    rt: &Runtime,
    host: &mut H,
    host_name: &str,
    started: Instant,
) -> Result<Outcome> {
    if experiment.model.kind == ModelKind::BayesLogistic {
        return crate::vbu::run::run_bayes(experiment, data, rt, host, host_name, started).await;
    }
    if let Some(config) = &experiment.federated {
        return crate::federated::run_federated(
            experiment, config, data, rt, host, host_name, started,
        )
        .await;
    }
    if let Some(config) = &experiment.unlearn {
        return crate::unlearn::lab::run_lab(
            experiment, config, data, None, rt, host, host_name, started,
        )
        .await;
    }
    let model = Classifier::new(
        &experiment.model,
        data.n_features(),
        data.n_classes(),
        experiment.seed,
        &rt.device,
    );
    let trained = train(
        model,
        data,
        &experiment.train,
        experiment.seed,
        rt,
        experiment.data.plot_features,
        host,
    )
    .await?;
    if trained.cancelled {
        return Ok(Outcome::Cancelled {
            epoch: trained.history.len(),
        });
    }
    let run = train_row(&trained, data, rt).await?;
    let report = report(experiment, data, rt, host_name, vec![run], started);
    Ok(Outcome::Finished {
        report: Box::new(report),
        trained: Some(Box::new(trained)),
    })
}

/// The `runs[]` row of plain training: test metrics, history and misclassified points.
/// Runs the experiment's `unlearn` section as its own job. With `kept`, the model a Train job of the same
/// experiment left behind, the lab starts from it where it can (`unlearn::lab::can_start_from_kept`); otherwise it
/// trains the model first, with the same seed, which gives the same model.
pub async fn run_unlearning<H: Host>(
    experiment: &ValidExperiment,
    data: &Prepared,
    kept: Option<Trained>,
    rt: &Runtime,
    host: &mut H,
    host_name: &str,
    started: Instant,
) -> Result<Outcome> {
    let config = experiment.unlearn.as_ref().ok_or_else(|| {
        EngineError::Unlearn("the experiment has no unlearn section: nothing to forget".into())
    })?;
    crate::unlearn::lab::run_lab(experiment, config, data, kept, rt, host, host_name, started).await
}

pub(crate) async fn train_row(
    trained: &Trained,
    data: &Prepared,
    rt: &Runtime,
) -> Result<RunReport> {
    let d = data.n_features();
    let on_test = evaluate(&trained.model, &data.test, d, rt).await?;
    let last = trained
        .history
        .last()
        .expect("a finished run has at least one epoch");
    let confusion = metrics::confusion(&data.test.y, &on_test.predicted, data.n_classes());
    let per_class = metrics::per_class(&confusion, &data.raw.class_names);
    let (precision, recall, f1) = metrics::macro_average(&per_class);
    Ok(RunReport {
        method: "train".into(),
        seconds: trained.seconds,
        epochs: trained.history.len(),
        train_loss: last.train_loss,
        train_acc: last.train_acc,
        test_acc: metrics::accuracy(&confusion),
        precision,
        recall,
        f1,
        confusion,
        per_class,
        history: trained.history.clone(),
        misclassified: misclassified(data, &on_test.predicted),
        audit: None,
        fed: None,
        vbu: None,
    })
}

/// Test points a model got wrong, in dataset order, at most [`MAX_MISCLASSIFIED`].
pub(crate) fn misclassified(data: &Prepared, predicted: &[u32]) -> Vec<Misclassified> {
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

/// A report around `runs`, timed from `started`.
pub(crate) fn report(
    experiment: &ValidExperiment,
    data: &Prepared,
    rt: &Runtime,
    host_name: &str,
    runs: Vec<RunReport>,
    started: Instant,
) -> Report {
    Report {
        version: EXPERIMENT_VERSION,
        lethe_version: LETHE_VERSION.into(),
        experiment: (**experiment).clone(),
        seed: experiment.seed,
        backend: rt.name.into(),
        host: host_name.into(),
        dataset: data.summary(),
        runs,
        wall_seconds: started.elapsed().as_secs_f64(),
        forget: None,
        suggestions: Vec::new(),
        distribution: None,
        boundaries: Vec::new(),
        attack_losses: Vec::new(),
        federation: None,
        vbu_figures: None,
    }
}
