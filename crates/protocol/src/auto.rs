//! Auto's choice of backend for one run. WebGPU pays only where a step has enough arithmetic to hide its kernel
//! launches and the run is long enough to pay for compiling its shaders; everything else trains faster on the CPU.
//!
//! The thresholds come from the native wgpu measurements on an NVIDIA H200 (docs/BENCHMARKS.md, "The engine on a
//! real GPU"): a step of the digits MLP (batch 128 × 25,856 multiply-adds, 3.3 M) ran 2–5× slower on the GPU than
//! on the CPU (launch-bound), a step of the digits CNN (batch 128 × 309,248, 39.6 M) 9× faster. The crossover lies
//! between; [`GPU_STEP_MULTIPLY_ADDS`] sits near their geometric mean. Compiling the shaders took 3.5–5.4 s on the
//! first run, about what the browser's CPU needs for [`GPU_RUN_MULTIPLY_ADDS`] (the digits CNN's 5 epochs, 2.1 G
//! forward multiply-adds, train in about 3 s there), so a shorter run stays on the CPU.

use crate::{Experiment, ModelKind};

/// Least forward multiply-adds in one optimiser step (batch × per example) for which Auto takes WebGPU.
pub const GPU_STEP_MULTIPLY_ADDS: usize = 10_000_000;
/// Least forward multiply-adds over the whole training run (epochs × training rows × per example).
pub const GPU_RUN_MULTIPLY_ADDS: usize = 1_000_000_000;

/// Where Auto runs a job, and why (the page's badge shows the reason).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AutoChoice {
    /// True for WebGPU.
    pub gpu: bool,
    /// The reason, in words.
    pub reason: String,
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
    let cpu = |reason: String| AutoChoice { gpu: false, reason };
    let Some(adapter) = adapter else {
        return cpu("no hardware WebGPU adapter".into());
    };
    if experiment.model.kind == ModelKind::BayesLogistic || experiment.vbu.is_some() {
        return cpu("VBU computes in f64 on the CPU".into());
    }
    if experiment.federated.is_some() {
        return cpu("the federated clients' steps are too small for a GPU".into());
    }
    let per_example = experiment.model.cost(d, k).multiply_adds;
    let step = per_example.saturating_mul(experiment.train.batch_size.min(n_train.max(1)));
    let run = per_example
        .saturating_mul(n_train)
        .saturating_mul(experiment.train.epochs);
    let millions = |x: usize| x as f64 / 1e6;
    if step < GPU_STEP_MULTIPLY_ADDS {
        return cpu(format!(
            "a step of this model ({:.1} M multiply-adds) is too small for the GPU ({adapter}) to pay; the CPU is faster",
            millions(step)
        ));
    }
    if run < GPU_RUN_MULTIPLY_ADDS {
        return cpu(format!(
            "the run ({:.0} M multiply-adds) is shorter than compiling the GPU's kernels; the CPU is faster",
            millions(run)
        ));
    }
    AutoChoice {
        gpu: true,
        reason: format!(
            "{:.0} M multiply-adds a step: WebGPU on the hardware adapter ({adapter})",
            millions(step)
        ),
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
        assert!(cnn.gpu, "{}", cnn.reason);
        assert!(cnn.reason.contains("40 M"), "{}", cnn.reason);
        let mlp = auto_backend(&experiment(MLP), 1347, 64, 10, Some("NVIDIA"));
        assert!(!mlp.gpu && mlp.reason.contains("3.3 M"), "{}", mlp.reason);
        let none = auto_backend(&experiment(CNN), 1347, 64, 10, None);
        assert!(
            !none.gpu && none.reason.contains("no hardware"),
            "{}",
            none.reason
        );
    }

    #[test]
    fn a_short_cnn_run_stays_on_the_cpu() {
        let mut e = experiment(CNN);
        e.train.epochs = 1;
        let c = auto_backend(&e, 1347, 64, 10, Some("NVIDIA"));
        assert!(!c.gpu && c.reason.contains("compiling"), "{}", c.reason);
    }
}
