//! The engine's one error type. Messages name the field, line or value at fault.

/// Everything that can go wrong inside the engine.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum EngineError {
    /// The experiment is invalid.
    #[error(transparent)]
    Config(#[from] lethe_protocol::ConfigError),
    /// The user's CSV cannot be used; the message names the line, column or value.
    #[error("CSV: {0}")]
    Csv(String),
    /// A dataset is unusable for training (e.g. a split without any point).
    #[error("data: {0}")]
    Data(String),
    /// The loss on the training or the test split stopped being a finite number: training diverged.
    #[error(
        "the {split} loss became {value} at epoch {epoch}: training diverged and stopped there; lower the learning rate"
    )]
    NonFiniteLoss {
        epoch: usize,
        value: String,
        split: &'static str,
    },
    /// The user cancelled a long computation (the host answered [`crate::Flow::Stop`]).
    #[error("cancelled")]
    Cancelled,
    /// An unlearning request that cannot run as asked; the message names the field and the value.
    #[error("unlearn: {0}")]
    Unlearn(String),
    /// A model's weights file cannot be used; the message names the file, the tensor, its shape and the shape
    /// expected.
    #[error("model.import: {0}")]
    Import(String),
    /// The compute backend failed (a lost GPU, a failed readback).
    #[error("backend: {0}")]
    Backend(String),
}

impl EngineError {
    /// An experiment with `model.import` whose weights did not come with it.
    pub fn not_loaded() -> Self {
        Self::Import(
            "the weights file was not loaded (read it with lethe_engine::weights first)".into(),
        )
    }
}

/// Result with [`EngineError`].
pub type Result<T> = std::result::Result<T, EngineError>;
