//! Types shared by every part of Lethe, free of burn and of any UI.
//!
//! * [`experiment`]: the experiment file (versioned; checked once by [`Experiment::validate`]).
//! * [`report`]: what a run produces; the CLI prints it and the page downloads it.
//! * [`message`]: the JSON messages between the page and the engine's Web Worker.
//! * [`dataset`]: the light view of a prepared dataset that the page plots.

pub mod audit;
pub mod auto;
pub mod dataset;
pub mod error;
pub mod experiment;
pub mod fault;
pub mod federated;
pub mod finite;
pub mod forget;
pub mod message;
pub mod report;
pub mod task;
pub mod unlearn;
pub mod vbu;
pub mod warning;

pub use audit::{
    Audit, Certificate, DataSummary, Distribution, FeatureSummary, ForgetSummary, Forgetting,
    PrivacyScore, SisaDetails, Suggestion,
};
pub use auto::{AutoChoice, AutoReason, auto_backend};
pub use dataset::{BoundaryGrid, DatasetView, Projection};
pub use error::ConfigError;
pub use experiment::{
    Activation, BackendChoice, CsvSpec, DataConfig, DataSource, Experiment, ModelConfig,
    ModelImport, ModelKind, OptimizerKind, Scaling, TrainConfig, ValidExperiment, WeightLayout,
};
pub use fault::Fault;
pub use federated::{FedMethod, FederatedConfig};
pub use finite::check_finite;
pub use forget::ForgetSpec;
pub use message::{Command, Event, PROTOCOL_VERSION};
pub use report::{
    ClassMetrics, EpochRecord, FedRow, FederatedReport, MAX_MISCLASSIFIED, Misclassified, Report,
    RunReport, TaskReport, TrainReport, UnlearnReport, UnlearnRow, VbuReport, VbuRow,
};
pub use task::{Task, TaskKind};
pub use unlearn::{
    Family, Guarantee, Method, MethodSpec, Need, Originals, PrivacyScoreConfig, SweepPoint,
    SweepReport, SweepSpec, UnlearnConfig,
};
pub use warning::{SignalMetric, WarnedMetric, Warning, WarningKind};

/// Version of the experiment file format written into every experiment and report.
pub const EXPERIMENT_VERSION: u32 = 1;

/// Version of Lethe itself, written into reports.
pub const LETHE_VERSION: &str = env!("CARGO_PKG_VERSION");
