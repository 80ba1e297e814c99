//! A `bayes_logistic` experiment end to end: variational inference on D, and with a `vbu` section the erased set
//! and the comparison (`compare.rs`).

use lethe_protocol::vbu::{BayesConfig, BayesFeatures, Covariance, VbuConfig};
use lethe_protocol::{
    RunReport, TaskReport, TrainReport, ValidExperiment, VbuReport, forget::VBU_KINDS,
};
use web_time::Instant;

use super::compare::{RowOf, compare, predicted};
use super::features::Fourier;
use super::fit::{Schedule, vi};
use super::gaussian::Gaussian;
use super::predict::{Inputs, predictive};
use crate::data::Prepared;
use crate::data::rng::{Rng64, stream};
use crate::error::{EngineError, Result};
use crate::fit::descent::checkpoint;
use crate::forget::plan;
use crate::host::Host;
use crate::metrics::accuracy;
use crate::rows::{Ended, test_row};

/// The training positions erased.
fn erased_positions(config: &VbuConfig, data: &Prepared, seed: u64) -> Result<Vec<usize>> {
    debug_assert!(VBU_KINDS.contains(&config.erase.kind()));
    let n = data.train.len();
    let positions = plan(&config.erase, "vbu.erase", data.clone(), seed, 0)?
        .positions
        .unwrap_or_default();
    if positions.is_empty() {
        return Err(EngineError::Unlearn(
            "vbu.erase picks no training point: nothing to erase".into(),
        ));
    }
    if positions.len() >= n {
        return Err(EngineError::Unlearn(format!(
            "vbu.erase picks all {n} training points: nothing would remain"
        )));
    }
    Ok(positions)
}

/// The experiment's Bayesian classifier: its settings, its inputs, the schedule of its fits and its prior.
struct Model {
    bayes: BayesConfig,
    inputs: Inputs,
    schedule: Schedule,
    prior: Gaussian,
}

fn model(experiment: &ValidExperiment, data: &Prepared) -> Model {
    let seed = experiment.seed;
    let bayes: BayesConfig = experiment.model.bayes.clone().unwrap_or_default();
    let d = data.n_features();
    let inputs = Inputs {
        fourier: (bayes.features == BayesFeatures::Rff).then(|| {
            Fourier::new(
                d,
                experiment.model.width,
                bayes.bandwidth,
                &mut Rng64::new(seed, stream::INIT),
            )
        }),
        d,
    };
    let schedule = Schedule {
        samples: bayes.samples,
        iterations: bayes.iterations,
        learning_rate: bayes.learning_rate,
        diagonal: bayes.covariance == Covariance::Diagonal,
    };
    let prior = Gaussian::isotropic(inputs.dim(), bayes.prior_variance);
    Model {
        bayes,
        inputs,
        schedule,
        prior,
    }
}

/// Runs a `bayes_logistic` experiment: with `config` (its `vbu` section) the VBU comparison, without it the
/// trained posterior's row.
pub async fn run_vbu<H: Host>(
    experiment: &ValidExperiment,
    config: Option<&VbuConfig>,
    data: &Prepared,
    host: &mut H,
) -> Result<Ended> {
    let k = data.n_classes();
    if k != 2 {
        return Err(EngineError::Data(format!(
            "model.kind \"bayes_logistic\" is a binary classifier, but the dataset has {k} classes"
        )));
    }
    let seed = experiment.seed;
    let Model {
        bayes,
        inputs,
        schedule,
        prior,
    } = model(experiment, data);
    let p = inputs.dim();
    // VBU's rows report seconds; their gradients are closed-form and not counted as `sample_grads`.
    host.stage("variational inference on D", 0, 1);
    let t = Instant::now();
    let full = vi(
        &prior,
        &inputs.likelihood(&data.train),
        schedule,
        seed,
        host,
    )
    .await?;
    let learning_seconds = t.elapsed().as_secs_f64();
    checkpoint(host, 0).await?;

    let test_phi = inputs.map(&data.test.x);
    let row: &RowOf<'_> =
        &|method: &str, q: &Gaussian, seconds: f64, train_acc: f64| -> RunReport {
            let predicted = predicted(&predictive(q, &test_phi, p, seed));
            test_row(
                method,
                seconds,
                bayes.iterations,
                (0.0, train_acc),
                &predicted,
                data,
            )
        };
    let outcome = match config {
        Some(config) => {
            let positions = erased_positions(config, data, seed)?;
            let (runs, vbu_figures) = compare(
                config,
                data,
                &inputs,
                &full,
                &positions,
                schedule,
                &prior,
                learning_seconds,
                seed,
                host,
                row,
            )
            .await?;
            TaskReport::Vbu(VbuReport { runs, vbu_figures })
        }
        None => {
            let train_probs = predictive(&full, &inputs.map(&data.train.x), p, seed);
            let train_acc = accuracy(&predicted(&train_probs), &data.train.y);
            TaskReport::Train(TrainReport {
                runs: vec![row("train", &full, learning_seconds, train_acc)],
            })
        }
    };
    // A Bayesian run leaves no network for the worker to keep: the lab cannot start from it.
    Ok(Ended::Finished {
        outcome: Box::new(outcome),
        dataset: data.summary(),
        trained: None,
    })
}
