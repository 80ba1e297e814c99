//! One experiment end to end: prepare the data, run its task (training here; the lab, the federation and VBU in
//! their modules), and wrap the task's outcome into the report. The one place that dispatches on the task.

use lethe_protocol::report::DatasetSummary;
use lethe_protocol::{
    EXPERIMENT_VERSION, LETHE_VERSION, ModelKind, Report, Task, TaskReport, TrainReport,
    ValidExperiment,
};
use web_time::Instant;

use crate::backend::Runtime;
use crate::data::{self, Prepared};
use crate::error::{EngineError, Result};
use crate::host::Host;
use crate::model::{Classifier, feature_side, square_side};
use crate::rows::{Ended, train_row};
use crate::train::{Trained, train};

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
        let m = &experiment.model;
        let what = if m.widths.is_empty() {
            format!("model.layers ({}) or model.width ({})", m.layers, m.width)
        } else {
            format!("model.widths ({:?})", m.widths)
        };
        return Err(EngineError::Data(format!(
            "model: {} parameters on {d} features and {k} classes; Lethe takes at most {MAX_PARAMETERS}: lower \
             {what}",
            cost.parameters
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
    let (raw, split) = data::load_split(&experiment.data, experiment.seed, csv_text)?;
    let prepared = match split {
        // The CSV's split column makes the split (`data.test_fraction` is unused).
        Some(is_test) => data::from_split(raw, is_test, &experiment.scaling())?,
        None => data::prepare_scaled(
            raw,
            experiment.data.test_fraction,
            experiment.seed,
            &experiment.scaling(),
        )?,
    };
    let d = prepared.n_features();
    if let Some(&f) = experiment.data.plot_features.iter().find(|&&f| f >= d) {
        return Err(EngineError::Data(format!(
            "data.plot_features names feature {f}, but the dataset has {d} features (0 to {})",
            d - 1
        )));
    }
    check_size(experiment, &prepared)?;
    if experiment.model.kind == ModelKind::Cnn {
        let Some(side) = square_side(d) else {
            return Err(EngineError::Data(format!(
                "model.kind \"cnn\" needs square images, but the dataset has {d} features, not a square number (64 for 8×8)"
            )));
        };
        let layers = experiment.model.conv_layers();
        if let Err((i, s)) = feature_side(&layers, side) {
            let l = layers[i];
            return Err(EngineError::Data(format!(
                "model.convs[{i}] (kernel {k}, padding {p}, pool {pool}) gets {s}×{s} feature maps from the {side}×{side} \
                 image and leaves no pixel: use a smaller kernel or pool, more padding, or fewer layers",
                k = l.kernel,
                p = l.padding,
                pool = l.pool,
            )));
        }
    }
    Ok(prepared)
}

/// Runs the experiment's task on prepared data and writes the report. `kept` is a model a training job of the same
/// settings left behind: the lab starts from it where it can (`lab::can_start_from_kept`); the other tasks
/// ignore it. With `model.import`, `kept` is the imported model ([`Trained::imported`]), which training measures
/// and the lab starts from. `host_name` is `"cli"` or `"browser"`; `started` is when the experiment began (data preparation
/// included), for `wall_seconds`.
pub async fn run_experiment<H: Host>(
    experiment: &ValidExperiment,
    data: &Prepared,
    kept: Option<Trained>,
    rt: &Runtime,
    host: &mut H,
    host_name: &str,
    started: Instant,
) -> Result<Outcome> {
    let ended = match &experiment.task {
        Task::Vbu(config) => crate::vbu::run::run_vbu(experiment, Some(config), data, host).await,
        Task::Train if experiment.model.kind == ModelKind::BayesLogistic => {
            crate::vbu::run::run_vbu(experiment, None, data, host).await
        }
        Task::Train if experiment.model.import.is_some() => {
            evaluate_imported(data, kept, rt, host).await
        }
        Task::Train => run_training(experiment, data, rt, host).await,
        Task::Unlearn(config) => {
            crate::lab::run_lab(experiment, config, data, kept, rt, host).await
        }
        Task::Federated(config) => {
            crate::federated::run_federated(experiment, config, data, rt, host).await
        }
    };
    // Every task stops at its next checkpoint once the user cancels: a task that unwinds with the error (the
    // federation, VBU) ends cancelled as training and the lab do, so the worker confirms the cancel.
    let ended = match ended {
        Err(EngineError::Cancelled) => Ended::Cancelled { epoch: 0 },
        other => other?,
    };
    Ok(match ended {
        Ended::Finished {
            outcome,
            dataset,
            trained,
        } => Outcome::Finished {
            report: Box::new(report(
                experiment, dataset, rt, host_name, *outcome, started,
            )),
            trained,
        },
        Ended::Cancelled { epoch } => Outcome::Cancelled { epoch },
    })
}

/// The training task for an imported model: measure it, train nothing.
async fn evaluate_imported<H: Host>(
    data: &Prepared,
    kept: Option<Trained>,
    rt: &Runtime,
    host: &mut H,
) -> Result<Ended> {
    let trained = kept.ok_or_else(EngineError::not_loaded)?;
    measured(trained, data, rt, host).await
}

/// The training task: train the model and measure it.
async fn run_training<H: Host>(
    experiment: &ValidExperiment,
    data: &Prepared,
    rt: &Runtime,
    host: &mut H,
) -> Result<Ended> {
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
        return Ok(Ended::Cancelled {
            epoch: trained.history.len(),
        });
    }
    measured(trained, data, rt, host).await
}

/// The training task's outcome for a trained (or imported) model: its row, and the model handed to the host.
async fn measured<H: Host>(
    trained: Trained,
    data: &Prepared,
    rt: &Runtime,
    host: &mut H,
) -> Result<Ended> {
    host.model("train", &crate::unlearn::Fitted::Net(trained.model.clone()));
    let runs = vec![train_row(&trained, data, rt).await?];
    Ok(Ended::Finished {
        outcome: Box::new(TaskReport::Train(TrainReport { runs })),
        dataset: data.summary(),
        trained: Some(Box::new(trained)),
    })
}

/// The report around a task's outcome, timed from `started`; `host_name` says where it ran.
pub fn report(
    experiment: &ValidExperiment,
    dataset: DatasetSummary,
    rt: &Runtime,
    host_name: &str,
    outcome: TaskReport,
    started: Instant,
) -> Report {
    Report {
        version: EXPERIMENT_VERSION,
        lethe_version: LETHE_VERSION.into(),
        experiment: (**experiment).clone(),
        seed: experiment.seed,
        backend: rt.name.into(),
        host: host_name.into(),
        dataset,
        wall_seconds: started.elapsed().as_secs_f64(),
        outcome,
    }
}
