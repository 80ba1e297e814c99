//! The user's own model in the worker: the weights file the page sent (kept like the CSV, so that it crosses once
//! per prepare), read into the experiment's architecture and model, and the rows' models of the last finished run,
//! written as safetensors files on request.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use lethe_engine::unlearn::Fitted;
use lethe_engine::weights::{self, Imported, Origin};
use lethe_engine::{EngineError, Result};
use lethe_protocol::ValidExperiment;

/// The models of one finished run, by row, and how to write them.
pub struct Saved {
    /// The run.
    pub run_id: u64,
    /// Each row's final model (`train`, `retrain`, the methods).
    pub models: Vec<(String, Fitted)>,
    /// The layout and names they are written with.
    pub origin: Origin,
}

/// The bytes of a weights file the page sent as base64.
pub fn decode(base64: &str) -> Result<Vec<u8>> {
    STANDARD
        .decode(base64)
        .map_err(|e| EngineError::Import(format!("the weights file did not arrive whole ({e})")))
}

/// The experiment with its imported architecture, and the import, when it has `model.import`; `bytes` is the
/// user's file.
pub fn resolve(
    experiment: ValidExperiment,
    bytes: Option<&[u8]>,
) -> Result<(ValidExperiment, Option<Imported>)> {
    let Some(import) = experiment.model.import.clone() else {
        return Ok((experiment, None));
    };
    let bytes = bytes.ok_or_else(|| {
        EngineError::Import(format!(
            "choose the weights file \"{}\" again: links never carry files",
            import.file
        ))
    })?;
    let tensors = weights::read::safetensors(bytes.to_vec(), &import.file)?;
    let (experiment, imported) = weights::resolve(experiment, tensors)?;
    Ok((experiment, Some(imported)))
}

/// Row `row`'s model of `saved` as a safetensors file, base64.
pub async fn file(saved: &Saved, row: &str) -> Result<String> {
    let (_, model) = saved.models.iter().find(|(r, _)| r == row).ok_or_else(|| {
        let rows: Vec<&str> = saved.models.iter().map(|(r, _)| r.as_str()).collect();
        EngineError::Import(format!(
            "the engine holds no model for row \"{row}\" (its rows: {})",
            rows.join(", ")
        ))
    })?;
    let bytes = weights::export::safetensors(model, &saved.origin).await?;
    Ok(STANDARD.encode(bytes))
}
