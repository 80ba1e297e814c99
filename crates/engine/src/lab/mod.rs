//! The unlearning lab: train (with whatever training-time state the listed methods need), pick the forget set,
//! retrain from scratch with `retrain_seeds` seeds (the oracle and its band), run every listed method, and audit
//! each against the reference retrain. One `runs[]` row per model: `train`, `retrain`, then the methods.
//!
//! The steps, in order: [`run_lab`] trains (or takes the kept model), `steps.rs` picks the forget set, prepares the
//! training-time state, runs the oracle, then each method, and assembles the outcome.

mod figures;
mod methods;
mod oracle;
mod privacy;
mod relearn;
mod rows;
mod steps;
mod sweep;

use lethe_protocol::{ForgetSpec, Method, UnlearnConfig, ValidExperiment};

use crate::backend::Runtime;
use crate::data::Prepared;
use crate::error::{EngineError, Result};
use crate::forget::{Plan, plan};
use crate::host::Host;
use crate::model::Classifier;
use crate::rows::Ended;
use crate::train::log::UpdateLog;
use crate::train::{Trained, train_logged};
use crate::unlearn::sisa::Sisa;

/// Whether the lab can start from a model trained earlier on the same experiment: not when the forget set changes
/// the training data (an injected backdoor or mislabeling), nor when a method needs a log of the training itself
/// (amnesiac). SISA's shards and the certified model are built after training either way.
pub fn can_start_from_kept(config: &UnlearnConfig) -> bool {
    !matches!(
        config.forget,
        ForgetSpec::Backdoor { .. } | ForgetSpec::Mislabeled { .. }
    ) && config.methods.iter().all(|s| s.method != Method::Amnesiac)
}

/// Runs the experiment's `unlearn` section on prepared data. With `kept` (a model the same experiment trained
/// earlier, same seed) and [`can_start_from_kept`], the lab starts from it instead of training again; the
/// result is the same, because training is deterministic.
pub async fn run_lab<H: Host>(
    experiment: &ValidExperiment,
    config: &UnlearnConfig,
    data: &Prepared,
    kept: Option<Trained>,
    rt: &Runtime,
    host: &mut H,
) -> Result<Ended> {
    let Plan {
        data,
        positions,
        triggered,
    } = plan(
        &config.forget,
        "unlearn.forget",
        data.clone(),
        experiment.seed,
        experiment.data.plot_features[0],
    )?;
    check_before_training(config, data.train.len(), &experiment.train)?;
    if experiment.model.import.is_some() && kept.is_none() {
        return Err(EngineError::not_loaded());
    }
    // An imported model is the trained model (validation refused what would need another: a planted forget set,
    // amnesiac's log).
    let start = kept.filter(|_| experiment.model.import.is_some() || can_start_from_kept(config));
    let (trained, log) = match start {
        Some(trained) => (trained, None),
        None => {
            let (trained, log) = train_with_log(experiment, config, &data, rt, host).await?;
            if trained.cancelled {
                return Ok(Ended::Cancelled {
                    epoch: trained.history.len(),
                });
            }
            (trained, log)
        }
    };
    let lab = steps::Lab {
        experiment,
        config,
        data: &data,
        rt,
    };
    match lab
        .after_training((positions, triggered), trained, log, host)
        .await
    {
        Err(EngineError::Cancelled) => Ok(Ended::Cancelled {
            epoch: experiment.train.epochs,
        }),
        other => other,
    }
}

/// Trains the original model, logging each batch's update when amnesiac is listed.
async fn train_with_log<H: Host>(
    experiment: &ValidExperiment,
    config: &UnlearnConfig,
    data: &Prepared,
    rt: &Runtime,
    host: &mut H,
) -> Result<(Trained, Option<UpdateLog>)> {
    let (seed, train_cfg) = (experiment.seed, &experiment.train);
    let (d, k, n) = (data.n_features(), data.n_classes(), data.train.len());
    let model = Classifier::new(&experiment.model, d, k, seed, &rt.device);
    let mut log = match config
        .methods
        .iter()
        .position(|s| s.method == Method::Amnesiac)
    {
        Some(i) => {
            let steps = train_cfg.epochs * n.div_ceil(train_cfg.batch_size);
            let field = format!("unlearn.methods[{i}]");
            Some(UpdateLog::new(steps, model.n_parameters(), &field)?)
        }
        None => None,
    };
    let trained = train_logged(
        model,
        data,
        train_cfg,
        seed,
        rt,
        experiment.data.plot_features,
        host,
        log.as_mut(),
    )
    .await?;
    Ok((trained, log))
}

/// Refusals that can be made before any training.
fn check_before_training(
    config: &UnlearnConfig,
    n_train: usize,
    train: &lethe_protocol::TrainConfig,
) -> Result<()> {
    if let ForgetSpec::Suggested { top_k } = config.forget
        && top_k >= n_train
    {
        return Err(EngineError::Unlearn(format!(
            "unlearn.forget.top_k is {top_k}, but the training split has only {n_train} points: nothing would be left"
        )));
    }
    for (i, spec) in config.methods.iter().enumerate() {
        if spec.method == Method::Sisa {
            let s = Sisa::new(spec, train);
            if s.shards * s.slices > n_train {
                return Err(EngineError::Unlearn(format!(
                    "unlearn.methods[{i}] \"sisa\": shards × slices = {} × {} = {} is more than the {n_train} training points",
                    s.shards,
                    s.slices,
                    s.shards * s.slices
                )));
            }
        }
    }
    Ok(())
}
