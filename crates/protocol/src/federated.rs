//! The experiment's optional `federated` section: FedAvg over simulated clients, then one client forgotten four
//! ways (FedRetrain, FedEraser with and without calibration, continuing without it), and what the report says
//! about each. Documented in `docs/experiment-format.md`.

use serde::{Deserialize, Serialize};

use crate::ConfigError;

/// Fewest and most clients.
pub const MIN_CLIENTS: usize = 2;
/// Most clients (page and CLI).
pub const MAX_CLIENTS: usize = 100;
/// Most FedAvg rounds.
pub const MAX_ROUNDS: usize = 1000;
/// Most local epochs per round.
pub const MAX_LOCAL_EPOCHS: usize = 100;

/// How the training split is divided among the clients.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum ClientSplit {
    /// Shuffled and dealt out evenly.
    Iid,
    /// Per class, client shares drawn from a symmetric Dirichlet(`alpha`): small alpha, few classes per client.
    Dirichlet { alpha: f64 },
    /// Sorted by class, cut into `classes_per_client` × clients shards, each client taking that many.
    Shards { classes_per_client: usize },
}

/// A backdoor on the target client's data only: a `fraction` of its rows of other classes get the trigger and the
/// label `target_class`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClientBackdoor {
    /// The label triggered points get.
    pub target_class: u32,
    /// Fraction of the target client's rows stamped.
    pub fraction: f64,
}

/// The ways to forget one client.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FedMethod {
    /// FedAvg from scratch without the client, same seeds and schedule: the oracle.
    FedRetrain,
    /// FedEraser: calibration training on the remaining clients at the retained rounds, each calibrated update
    /// taking its magnitude from history and its direction from calibration, layer by layer.
    Federaser,
    /// The stored updates of the remaining clients replayed without the target's.
    FederaserNoCalibration,
    /// FedAvg goes on for `continue_rounds` rounds without the client (the naive baseline).
    ContinueWithout,
}

impl FedMethod {
    /// Every method, in the order reports list them.
    pub const ALL: [FedMethod; 4] = [
        FedMethod::FedRetrain,
        FedMethod::Federaser,
        FedMethod::FederaserNoCalibration,
        FedMethod::ContinueWithout,
    ];

    /// The `method` key.
    pub fn key(self) -> &'static str {
        match self {
            FedMethod::FedRetrain => "fed_retrain",
            FedMethod::Federaser => "federaser",
            FedMethod::FederaserNoCalibration => "federaser_no_calibration",
            FedMethod::ContinueWithout => "continue_without",
        }
    }
}

fn default_participation() -> f64 {
    1.0
}
fn default_local_epochs() -> usize {
    2
}
fn default_retain_every() -> usize {
    2
}
fn default_calibration_ratio() -> f64 {
    0.5
}
fn default_continue_rounds() -> usize {
    5
}
fn default_methods() -> Vec<FedMethod> {
    FedMethod::ALL.to_vec()
}

/// The `federated` section.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FederatedConfig {
    /// Simulated clients.
    pub clients: usize,
    /// How the training split is divided among them.
    pub split: ClientSplit,
    /// FedAvg rounds.
    pub rounds: usize,
    /// Fraction of the clients that train in each round (at least one).
    #[serde(default = "default_participation")]
    pub participation: f64,
    /// Local epochs per round (in place of `train.epochs`).
    #[serde(default = "default_local_epochs")]
    pub local_epochs: usize,
    /// The server keeps the client updates of every `retain_every`-th round (FedEraser's Δt).
    #[serde(default = "default_retain_every")]
    pub retain_every: usize,
    /// Calibration epochs = ⌈`calibration_ratio` × `local_epochs`⌉ (FedEraser's r).
    #[serde(default = "default_calibration_ratio")]
    pub calibration_ratio: f64,
    /// Rounds of `continue_without`.
    #[serde(default = "default_continue_rounds")]
    pub continue_rounds: usize,
    /// The client to forget (0-based).
    pub target_client: usize,
    /// A backdoor on the target client's data, the direct evidence that its contribution is gone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_backdoor: Option<ClientBackdoor>,
    /// The ways to forget it (`fed_retrain` always runs first: it is the reference).
    #[serde(default = "default_methods")]
    pub methods: Vec<FedMethod>,
}

impl FederatedConfig {
    /// Ranges and relations, each error naming its field and value. `n_classes`, when known, checks the
    /// backdoor's target class.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let f = |name: &str| format!("federated.{name}");
        if !(MIN_CLIENTS..=MAX_CLIENTS).contains(&self.clients) {
            return Err(ConfigError::range(
                f("clients"),
                format!("between {MIN_CLIENTS} and {MAX_CLIENTS}"),
                self.clients,
            ));
        }
        match &self.split {
            ClientSplit::Dirichlet { alpha }
                if !(alpha.is_finite() && *alpha > 0.0 && *alpha <= 1000.0) =>
            {
                return Err(ConfigError::range(
                    f("split.alpha"),
                    "> 0 and ≤ 1000",
                    alpha,
                ));
            }
            ClientSplit::Shards { classes_per_client }
                if !(1..=50).contains(classes_per_client) =>
            {
                return Err(ConfigError::range(
                    f("split.classes_per_client"),
                    "between 1 and 50",
                    classes_per_client,
                ));
            }
            _ => {}
        }
        if !(1..=MAX_ROUNDS).contains(&self.rounds) {
            return Err(ConfigError::range(
                f("rounds"),
                format!("between 1 and {MAX_ROUNDS}"),
                self.rounds,
            ));
        }
        if !(self.participation.is_finite()
            && self.participation > 0.0
            && self.participation <= 1.0)
        {
            return Err(ConfigError::range(
                f("participation"),
                "> 0 and ≤ 1",
                self.participation,
            ));
        }
        if !(1..=MAX_LOCAL_EPOCHS).contains(&self.local_epochs) {
            return Err(ConfigError::range(
                f("local_epochs"),
                format!("between 1 and {MAX_LOCAL_EPOCHS}"),
                self.local_epochs,
            ));
        }
        if self.retain_every < 1 || self.retain_every > self.rounds {
            return Err(ConfigError::range(
                f("retain_every"),
                format!("between 1 and federated.rounds ({})", self.rounds),
                self.retain_every,
            ));
        }
        if !(self.calibration_ratio.is_finite()
            && self.calibration_ratio > 0.0
            && self.calibration_ratio <= 1.0)
        {
            return Err(ConfigError::range(
                f("calibration_ratio"),
                "> 0 and ≤ 1",
                self.calibration_ratio,
            ));
        }
        if !(1..=MAX_ROUNDS).contains(&self.continue_rounds) {
            return Err(ConfigError::range(
                f("continue_rounds"),
                format!("between 1 and {MAX_ROUNDS}"),
                self.continue_rounds,
            ));
        }
        if self.target_client >= self.clients {
            return Err(ConfigError::range(
                f("target_client"),
                format!(
                    "a client from 0 to {} (federated.clients is {})",
                    self.clients - 1,
                    self.clients
                ),
                self.target_client,
            ));
        }
        if let Some(b) = &self.target_backdoor
            && !(b.fraction.is_finite() && b.fraction > 0.0 && b.fraction <= 1.0)
        {
            return Err(ConfigError::range(
                f("target_backdoor.fraction"),
                "> 0 and ≤ 1",
                b.fraction,
            ));
        }
        if let Some(i) = self
            .methods
            .iter()
            .enumerate()
            .position(|(i, m)| self.methods[..i].contains(m))
        {
            return Err(ConfigError::range(
                format!("federated.methods[{i}]"),
                "listed once",
                format!("\"{}\" again", self.methods[i].key()),
            ));
        }
        Ok(())
    }

    /// The methods in run order: `fed_retrain` first (listed or not), then the others as listed.
    pub fn plan(&self) -> Vec<FedMethod> {
        let mut plan = vec![FedMethod::FedRetrain];
        plan.extend(
            self.methods
                .iter()
                .copied()
                .filter(|&m| m != FedMethod::FedRetrain),
        );
        plan
    }

    /// Local epochs of FedEraser's calibration: ⌈r × local_epochs⌉, at least 1.
    pub fn calibration_epochs(&self) -> usize {
        ((self.calibration_ratio * self.local_epochs as f64).ceil() as usize).max(1)
    }
}

/// What a federated row adds to its `runs[]` row (flattened): the paper's three times, the attack's precision and
/// recall, the target client's accuracy, the angle to FedRetrain, the history's size and the counted work.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FedAudit {
    /// Seconds of federated learning (the same on every row: the federation all methods start from).
    pub learning_seconds: f64,
    /// Seconds this method took to unlearn the client (null on the learning row).
    pub unlearning_seconds: Option<f64>,
    /// Seconds of FedEraser without calibration (on the `federaser` and `federaser_no_calibration` rows).
    pub unlearning_no_calibration_seconds: Option<f64>,
    /// Seconds of FedRetrain, the reference.
    pub retrain_seconds: f64,
    /// Precision of the shadow-model membership attack (target client's rows as members against as many test
    /// rows).
    pub mia_precision: Option<f64>,
    /// Its recall: the share of the target client's rows it calls members.
    pub mia_recall: Option<f64>,
    /// Accuracy on the target client's rows (labels as trained on).
    pub target_acc: f64,
    /// Angle between this model's parameters and FedRetrain's, in degrees.
    pub angle_to_retrain_deg: Option<f64>,
    /// Bytes of the server's history (global models and retained client models) this method relied on.
    pub history_bytes: Option<usize>,
    /// Local training work this method asked of the clients, in client epochs (one client, one pass over its data).
    pub client_epochs: usize,
    /// Global test accuracy (and backdoor success, with a backdoor) after each round of this method.
    pub curve: Vec<RoundPoint>,
}

/// The global model after one round.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RoundPoint {
    /// Round, 1-based.
    pub round: usize,
    /// Test accuracy of the global model.
    pub test_acc: f64,
    /// Backdoor attack success rate (null without a backdoor).
    pub backdoor_asr: Option<f64>,
}

/// The simulated federation, for the page's client cards.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FederationSummary {
    /// One entry per client.
    pub clients: Vec<ClientSummary>,
    /// The client forgotten.
    pub target_client: usize,
    /// The shadow attack the precision and recall come from, in words.
    pub attack: String,
}

/// One client.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClientSummary {
    /// Training rows it holds.
    pub size: usize,
    /// Its rows per class.
    pub class_counts: Vec<usize>,
    /// Rows stamped with the backdoor (the target client only).
    pub backdoored: usize,
}
