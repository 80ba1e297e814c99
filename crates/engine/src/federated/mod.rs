//! Federated unlearning: FedAvg over simulated clients, then one client forgotten four ways from the same trained
//! federation (FedRetrain, the oracle; FedEraser with and without calibration; continuing without the client),
//! each measured with the lab's yardstick (the target client's rows as the forget set), the shadow-model
//! membership attack, the angle to FedRetrain and the counted client work.
//!
//! The steps: [`run_federated`] sets up the clients (`setup`), learns, unlearns each way (`unlearn_each`), and
//! measures every model into its row (`rows.rs`).

mod attack;
pub mod clients;
pub mod fedavg;
pub mod federaser;
mod rows;

use lethe_protocol::federated::{ClientSummary, FedMethod, FederatedConfig, FederationSummary};
use lethe_protocol::{FederatedReport, TaskReport, TrainConfig, ValidExperiment};

use self::fedavg::{FedRun, Federation, History, client_rngs, schedule};
use crate::audit::shadow;
use crate::backend::Runtime;
use crate::data::rng::{Rng64, stream};
use crate::data::{Prepared, Split};
use crate::error::{EngineError, Result};
use crate::fit::params::sizes;
use crate::fit::subset::subset;
use crate::forget::backdoor_in;
use crate::host::{Host, Tally};
use crate::model::Classifier;
use crate::rows::Ended;
use crate::train::Trained;

pub use rows::angle_deg;

/// One model of the federated table, before it becomes a row: the simulation's, or one a federation elsewhere
/// trained (the Flower integration), measured the same way by [`report`].
pub struct Model {
    /// The row's `method`: `federated` (the learned federation) or a [`FedMethod`] key.
    pub method: &'static str,
    /// The model.
    pub net: Classifier,
    /// Wall seconds it took (learning for `federated`, unlearning for the others).
    pub seconds: f64,
    /// The unlearning seconds (none on the learning row).
    pub unlearning_seconds: Option<f64>,
    /// Test accuracy (and backdoor success) after each round.
    pub curve: Vec<lethe_protocol::federated::RoundPoint>,
    /// Local training work: client epochs.
    pub client_epochs: usize,
    /// Per-example forward and backward passes of the clients' local training, summed.
    pub sample_grads: u64,
    /// Bytes of the server's history the method stands on (learning and FedEraser).
    pub history_bytes: Option<usize>,
}

impl Model {
    /// An unlearning method's model from its run.
    fn unlearned(method: FedMethod, run: FedRun, history_bytes: Option<usize>) -> Self {
        Self {
            method: method.key(),
            net: run.model,
            seconds: run.seconds,
            unlearning_seconds: Some(run.seconds),
            curve: run.curve,
            client_epochs: run.client_epochs,
            sample_grads: 0,
            history_bytes,
        }
    }
}

/// The clients' data, with the target client's rows backdoored when asked.
pub struct Setup {
    /// The data as trained on (the backdoor stamped).
    pub data: Prepared,
    /// Each client's training positions.
    pub parts: Vec<Vec<usize>>,
    /// The triggered test copy and the target class, with a backdoor.
    pub triggered: Option<(Split, u32)>,
    /// Rows stamped with the backdoor.
    pub stamped: usize,
}

/// Partitions the training split over the clients and stamps the target client's backdoor: the data every
/// client trains on, in the simulation and in a federation elsewhere.
pub fn setup(
    experiment: &ValidExperiment,
    config: &FederatedConfig,
    data: &Prepared,
) -> Result<Setup> {
    let (seed, k) = (experiment.seed, data.n_classes());
    let parts = clients::partition(&data.train.y, k, config.clients, &config.split, seed)?;
    let target = config.target_client;
    let Some(b) = &config.target_backdoor else {
        return Ok(Setup {
            data: data.clone(),
            parts,
            triggered: None,
            stamped: 0,
        });
    };
    if b.target_class as usize >= k {
        return Err(EngineError::Unlearn(format!(
            "federated.target_backdoor.target_class is {}, but the dataset has {k} classes (0 to {})",
            b.target_class,
            k - 1
        )));
    }
    let wanted = (b.fraction * parts[target].len() as f64).round() as usize;
    let mut rng = Rng64::new(seed, stream::FORGET);
    let plan = backdoor_in(
        data.clone(),
        &parts[target],
        wanted,
        b.target_class,
        experiment.data.plot_features[0],
        &mut rng,
    )?;
    Ok(Setup {
        data: plan.data,
        parts,
        triggered: plan.triggered,
        stamped: plan.positions.map_or(0, |p| p.len()),
    })
}

/// Runs the experiment's `federated` section on prepared data.
pub async fn run_federated<H: Host>(
    experiment: &ValidExperiment,
    config: &FederatedConfig,
    data: &Prepared,
    rt: &Runtime,
    host: &mut H,
) -> Result<Ended> {
    let (seed, d, k) = (experiment.seed, data.n_features(), data.n_classes());
    let setup = setup(experiment, config, data)?;
    let fed = Federation {
        clients: setup
            .parts
            .iter()
            .map(|p| subset(&setup.data.train, p, d))
            .collect(),
        d,
        n_classes: k,
        local: TrainConfig {
            epochs: config.local_epochs,
            ..experiment.train.clone()
        },
        seed,
        rt,
        test: &setup.data.test,
        triggered: setup.triggered.as_ref(),
    };
    let initial = Classifier::new(&experiment.model, d, k, seed, &rt.device);

    // Federated learning, with the server's history.
    let plan = schedule(config.clients, config.rounds, config.participation, seed, 0);
    let mut rngs = client_rngs(config.clients, seed);
    let mut tally = Tally::new(host);
    let learned = fed
        .run(
            initial.clone(),
            &plan,
            None,
            Some(config.retain_every),
            &mut rngs,
            "federated learning",
            0,
            &mut tally,
        )
        .await?;
    let learning_grads = tally.sample_grads;
    let history = learned.history.clone().unwrap_or_default();
    let mut models = vec![Model {
        method: "federated",
        net: learned.model.clone(),
        seconds: learned.seconds,
        unlearning_seconds: None,
        curve: learned.curve.clone(),
        client_epochs: learned.client_epochs,
        sample_grads: learning_grads,
        history_bytes: Some(history.bytes()),
    }];
    models
        .extend(unlearn_each(config, &fed, &history, &initial, &learned.model, seed, host).await?);

    let outcome = TaskReport::Federated(report(config, &setup, &models, seed, rt).await?);
    Ok(Ended::Finished {
        outcome: Box::new(outcome),
        dataset: setup.data.summary(),
        trained: Some(Box::new(Trained {
            model: learned.model,
            history: Vec::new(),
            cancelled: false,
            seconds: learned.seconds,
            sample_grads: learning_grads,
        })),
    })
}

/// The federated table: every model measured against FedRetrain ([`rows`]), with the clients' cards. `models`
/// starts with the learned federation (`federated`, whose outputs train the shadow attack) and holds
/// `fed_retrain`.
pub async fn report(
    config: &FederatedConfig,
    setup: &Setup,
    models: &[Model],
    seed: u64,
    rt: &Runtime,
) -> Result<FederatedReport> {
    if models.first().map(|m| m.method) != Some("federated") {
        return Err(EngineError::Unlearn(
            "the federated table starts with the learned federation (method \"federated\")".into(),
        ));
    }
    if !models
        .iter()
        .any(|m| m.method == FedMethod::FedRetrain.key())
    {
        return Err(EngineError::Unlearn(
            "the federated table needs fed_retrain: every row is measured against it".into(),
        ));
    }
    let runs = rows::measure(config, setup, models, seed, rt).await?;
    Ok(FederatedReport {
        runs,
        federation: summary(config, setup, setup.data.n_classes()),
    })
}

/// Forgets the target client each way the section lists, from the same learned federation.
#[allow(clippy::too_many_arguments)]
async fn unlearn_each<H: Host>(
    config: &FederatedConfig,
    fed: &Federation<'_>,
    history: &History,
    initial: &Classifier,
    learned: &Classifier,
    seed: u64,
    host: &mut H,
) -> Result<Vec<Model>> {
    let target = config.target_client;
    let layer_sizes = sizes(initial);
    let mut models = Vec::new();
    for method in config.plan() {
        // Every method replays the clients' shuffles from the start, as the learning run did.
        let mut rngs = client_rngs(config.clients, seed);
        let mut tally = Tally::new(host);
        let mut m = match method {
            FedMethod::FedRetrain => {
                let plan = schedule(config.clients, config.rounds, config.participation, seed, 0);
                let r = fed
                    .run(
                        initial.clone(),
                        &plan,
                        Some(target),
                        None,
                        &mut rngs,
                        "fed_retrain",
                        0,
                        &mut tally,
                    )
                    .await?;
                Model::unlearned(method, r, None)
            }
            FedMethod::Federaser | FedMethod::FederaserNoCalibration => {
                let calibration =
                    (method == FedMethod::Federaser).then(|| config.calibration_epochs());
                let e = federaser::erase(
                    fed,
                    history,
                    initial.clone(),
                    target,
                    calibration,
                    &layer_sizes,
                    &mut rngs,
                    method.key(),
                    &mut tally,
                )
                .await?;
                Model::unlearned(method, e, Some(history.bytes()))
            }
            FedMethod::ContinueWithout => {
                let more = schedule(
                    config.clients,
                    config.continue_rounds,
                    config.participation,
                    seed,
                    config.rounds,
                );
                let r = fed
                    .run(
                        learned.clone(),
                        &more,
                        Some(target),
                        None,
                        &mut rngs,
                        method.key(),
                        config.rounds,
                        &mut tally,
                    )
                    .await?;
                Model::unlearned(method, r, None)
            }
        };
        m.sample_grads = tally.sample_grads;
        models.push(m);
    }
    Ok(models)
}

/// The clients, for the page's cards.
fn summary(config: &FederatedConfig, setup: &Setup, k: usize) -> FederationSummary {
    let target = config.target_client;
    FederationSummary {
        clients: setup
            .parts
            .iter()
            .enumerate()
            .map(|(c, p)| ClientSummary {
                size: p.len(),
                class_counts: (0..k)
                    .map(|class| {
                        p.iter()
                            .filter(|&&i| setup.data.train.y[i] as usize == class)
                            .count()
                    })
                    .collect(),
                backdoored: if c == target { setup.stamped } else { 0 },
            })
            .collect(),
        target_client: target,
        attack: shadow::DESCRIPTION.into(),
    }
}
