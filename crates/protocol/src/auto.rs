//! Auto's choice of backend for one run. WebGPU pays only where a step has enough arithmetic to hide its kernel
//! launches and the run is long enough to pay for compiling its shaders; everything else trains faster on the CPU.
//!
//! The thresholds come from the native wgpu measurements on an NVIDIA H200 (docs/BENCHMARKS.md, "The engine on a
//! real GPU"): a step of the digits MLP (batch 128 × 25,856 multiply-adds, 3.3 M) ran 2–5× slower on the GPU than
//! on the CPU (launch-bound), a step of the digits CNN (batch 128 × 309,248, 39.6 M) 9× faster. The crossover lies
//! between; [`GPU_STEP_MULTIPLY_ADDS`] sits near their geometric mean. Compiling the shaders took 3.5–5.4 s on the
//! first run, about what the browser's CPU needs for [`GPU_RUN_MULTIPLY_ADDS`] (the digits CNN's 5 epochs, 2.1 G
//! forward multiply-adds, train in about 3 s there), so a shorter run stays on the CPU.

use crate::{Experiment, ModelKind, TaskKind};

/// Least forward multiply-adds in one optimiser step (batch × per example) for which Auto takes WebGPU.
pub const GPU_STEP_MULTIPLY_ADDS: usize = 10_000_000;
/// Least forward multiply-adds over the whole training run (epochs × training rows × per example).
pub const GPU_RUN_MULTIPLY_ADDS: usize = 1_000_000_000;

/// Where Auto runs a job, and why (the page words the reason on its badge).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AutoChoice {
    /// True for WebGPU.
    pub gpu: bool,
    /// Why.
    pub reason: AutoReason,
}

/// Why Auto chose its backend, with the numbers it compared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AutoReason {
    /// The browser has no hardware WebGPU adapter.
    NoAdapter,
    /// VBU computes in f64 on the CPU.
    Vbu,
    /// A federated client's steps are too small for a GPU.
    Federated,
    /// One step's forward multiply-adds are below [`GPU_STEP_MULTIPLY_ADDS`].
    SmallStep {
        /// Forward multiply-adds in one step.
        step: usize,
        /// The adapter's name.
        adapter: String,
    },
    /// The whole run's forward multiply-adds are below [`GPU_RUN_MULTIPLY_ADDS`].
    ShortRun {
        /// Forward multiply-adds over the run.
        run: usize,
    },
    /// A step large enough and a run long enough: WebGPU.
    LargeStep {
        /// Forward multiply-adds in one step.
        step: usize,
        /// The adapter's name.
        adapter: String,
    },
}

/// Auto's backend for training `experiment` on `n_train` rows of `d` features and `k` classes, given the name of a
/// hardware WebGPU adapter when the browser has one. The federated simulation and VBU always take the CPU: a
/// client's local steps are small, and VBU's math is f64 outside burn.
pub fn auto_backend(
    experiment: &Experiment,
    n_train: usize,
    d: usize,
    k: usize,
    adapter: Option<&str>,
) -> AutoChoice {
    let cpu = |reason: AutoReason| AutoChoice { gpu: false, reason };
    let Some(adapter) = adapter else {
        return cpu(AutoReason::NoAdapter);
    };
    match experiment.task.kind() {
        _ if experiment.model.kind == ModelKind::BayesLogistic => return cpu(AutoReason::Vbu),
        TaskKind::Vbu => return cpu(AutoReason::Vbu),
        TaskKind::Federated => return cpu(AutoReason::Federated),
        TaskKind::Train | TaskKind::Unlearn => {}
    }
    let per_example = experiment.model.cost(d, k).multiply_adds;
    let step = per_example.saturating_mul(experiment.train.batch_size.min(n_train.max(1)));
    let run = per_example
        .saturating_mul(n_train)
        .saturating_mul(experiment.train.epochs);
    if step < GPU_STEP_MULTIPLY_ADDS {
        return cpu(AutoReason::SmallStep {
            step,
            adapter: adapter.into(),
        });
    }
    if run < GPU_RUN_MULTIPLY_ADDS {
        return cpu(AutoReason::ShortRun { run });
    }
    AutoChoice {
        gpu: true,
        reason: AutoReason::LargeStep {
            step,
            adapter: adapter.into(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn experiment(json: &str) -> Experiment {
        serde_json::from_str(json).unwrap()
    }

    const CNN: &str = r#"{"version":1,"seed":1,"data":{"source":"digits","test_fraction":0.25},
        "model":{"kind":"cnn","layers":1,"width":32,"activation":"relu"},
        "train":{"optimizer":"adam","learning_rate":0.01,"batch_size":128,"epochs":5}}"#;
    const MLP: &str = r#"{"version":1,"seed":1,"data":{"source":"digits","test_fraction":0.25},
        "model":{"kind":"mlp","layers":2,"width":128,"activation":"relu"},
        "train":{"optimizer":"adam","learning_rate":0.01,"batch_size":128,"epochs":20}}"#;

    #[test]
    fn the_measured_workloads_fall_on_the_measured_sides() {
        // Closed form: the digits CNN's step is 128 × (64·16·9 + 64·16·32·9 + 512·10) = 39.6 M multiply-adds.
        let cnn = auto_backend(&experiment(CNN), 1347, 64, 10, Some("NVIDIA"));
        assert!(cnn.gpu, "{:?}", cnn.reason);
        assert!(
            matches!(
                cnn.reason,
                AutoReason::LargeStep {
                    step: 39_583_744,
                    ..
                }
            ),
            "{:?}",
            cnn.reason
        );
        let mlp = auto_backend(&experiment(MLP), 1347, 64, 10, Some("NVIDIA"));
        // 128 × (64·128 + 128·128 + 128·10) = 3.3 M.
        assert!(
            !mlp.gpu
                && matches!(
                    mlp.reason,
                    AutoReason::SmallStep {
                        step: 3_309_568,
                        ..
                    }
                ),
            "{:?}",
            mlp.reason
        );
        let none = auto_backend(&experiment(CNN), 1347, 64, 10, None);
        assert_eq!(none.reason, AutoReason::NoAdapter);
    }

    #[test]
    fn a_short_cnn_run_stays_on_the_cpu() {
        let mut e = experiment(CNN);
        e.train.epochs = 1;
        let c = auto_backend(&e, 1347, 64, 10, Some("NVIDIA"));
        assert!(
            !c.gpu && matches!(c.reason, AutoReason::ShortRun { .. }),
            "{:?}",
            c.reason
        );
    }
}
