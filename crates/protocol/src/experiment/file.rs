//! The experiment as its file writes it: version 1, with at most one of the optional sections `unlearn`,
//! `federated` and `vbu`. [`Experiment`] reads and writes through this form, so the file format is unchanged while
//! the code holds one [`Task`].

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{BackendChoice, DataConfig, Experiment, ModelConfig, TrainConfig};
use crate::ConfigError;
use crate::federated::FederatedConfig;
use crate::forget::{ForgetSpec, VBU_KINDS};
use crate::task::{Task, TaskKind};
use crate::unlearn::UnlearnConfig;
use crate::vbu::VbuConfig;

/// The file's fields, one optional section per task.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ExperimentFile {
    version: u32,
    seed: u64,
    data: DataConfig,
    model: ModelConfig,
    train: TrainConfig,
    #[serde(default)]
    backend: BackendChoice,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    unlearn: Option<UnlearnConfig>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    federated: Option<FederatedConfig>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    vbu: Option<VbuConfig>,
}

/// The section keys a file may hold, one per task that has a configuration.
const SECTIONS: [TaskKind; 3] = [TaskKind::Unlearn, TaskKind::Federated, TaskKind::Vbu];

/// A second section is an impossible combination: the error names it and the first.
fn one_section(present: &[TaskKind]) -> Result<(), ConfigError> {
    match present {
        [first, second, ..] => Err(ConfigError::range(
            second.key(),
            format!(
                "absent: an experiment has one task, and its \"{}\" section already sets it",
                first.key()
            ),
            "a second section",
        )),
        _ => Ok(()),
    }
}

/// Checks the task sections of a file's JSON before serde reads it, so that their errors name their field and
/// value: one section at most, `unlearn` read field by field, `vbu.erase` with the kinds VBU takes.
pub(super) fn check_sections(value: &Value) -> Result<(), ConfigError> {
    let present: Vec<TaskKind> = SECTIONS
        .into_iter()
        .filter(|k| value.get(k.key()).is_some())
        .collect();
    one_section(&present)?;
    if let Some(section) = value.get("unlearn") {
        UnlearnConfig::from_value(section)?;
    }
    if let Some(erase) = value.get("vbu").and_then(|v| v.get("erase")) {
        ForgetSpec::from_value("vbu.erase", erase, VBU_KINDS)?;
    }
    Ok(())
}

impl TryFrom<ExperimentFile> for Experiment {
    type Error = ConfigError;

    fn try_from(f: ExperimentFile) -> Result<Self, ConfigError> {
        let present: Vec<TaskKind> = [
            f.unlearn.as_ref().map(|_| TaskKind::Unlearn),
            f.federated.as_ref().map(|_| TaskKind::Federated),
            f.vbu.as_ref().map(|_| TaskKind::Vbu),
        ]
        .into_iter()
        .flatten()
        .collect();
        one_section(&present)?;
        let task = match (f.unlearn, f.federated, f.vbu) {
            (Some(u), _, _) => Task::Unlearn(u),
            (_, Some(c), _) => Task::Federated(c),
            (_, _, Some(v)) => Task::Vbu(v),
            _ => Task::Train,
        };
        Ok(Experiment {
            version: f.version,
            seed: f.seed,
            data: f.data,
            model: f.model,
            train: f.train,
            backend: f.backend,
            task,
        })
    }
}

impl From<Experiment> for ExperimentFile {
    fn from(e: Experiment) -> Self {
        let (mut unlearn, mut federated, mut vbu) = (None, None, None);
        match e.task {
            Task::Train => {}
            Task::Unlearn(u) => unlearn = Some(u),
            Task::Federated(c) => federated = Some(c),
            Task::Vbu(v) => vbu = Some(v),
        }
        ExperimentFile {
            version: e.version,
            seed: e.seed,
            data: e.data,
            model: e.model,
            train: e.train,
            backend: e.backend,
            unlearn,
            federated,
            vbu,
        }
    }
}
