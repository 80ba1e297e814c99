//! The pieces every gradient-based unlearning method is written with: minibatches of a split, a cross-entropy,
//! a distillation divergence, one optimiser step, and a cancellable pause. Each method keeps its own small loop,
//! so that its objective reads like its paper.

use burn::nn::loss::CrossEntropyLossConfig;
use burn::optim::decay::WeightDecayConfig;
use burn::optim::momentum::MomentumConfig;
use burn::optim::{AdamConfig, GradientsParams, ModuleOptimizer, SgdConfig};
use burn::prelude::*;
use burn::tensor::activation::log_softmax;
use lethe_protocol::{OptimizerKind, TrainConfig};

use crate::data::Split;
use crate::data::rng::Rng64;
use crate::error::{EngineError, Result};
use crate::host::{Flow, Host};
use crate::model::Classifier;

/// A fresh optimiser of the training recipe's kind (SGD with PyTorch's momentum, or Adam), with its weight decay.
pub fn optimizer(config: &TrainConfig) -> ModuleOptimizer {
    let decay = (config.l2 > 0.0).then(|| WeightDecayConfig::new(config.l2 as f32));
    match config.optimizer {
        OptimizerKind::Adam => AdamConfig::new().with_weight_decay(decay).init(),
        OptimizerKind::Sgd => {
            // PyTorch's SGD momentum (dampening 0); burn's default dampening is 0.1.
            let momentum = (config.momentum > 0.0).then(|| {
                MomentumConfig::new()
                    .with_momentum(config.momentum)
                    .with_dampening(0.0)
            });
            SgdConfig::new()
                .with_weight_decay(decay)
                .with_momentum(momentum)
                .init()
        }
    }
}

/// The features and labels of `rows` of `split` as tensors on `device`.
///
/// # Shapes
/// - output: `([rows.len(), d], [rows.len()])`
pub fn batch(
    split: &Split,
    rows: &[usize],
    d: usize,
    device: &Device,
) -> (Tensor<2>, Tensor<1, Int>) {
    let mut x = Vec::with_capacity(rows.len() * d);
    for &r in rows {
        x.extend_from_slice(&split.x[r * d..(r + 1) * d]);
    }
    let y: Vec<i64> = rows.iter().map(|&r| split.y[r] as i64).collect();
    (
        Tensor::<2>::from_data(TensorData::new(x, [rows.len(), d]), device),
        Tensor::<1, Int>::from_data(TensorData::new(y, [rows.len()]), device),
    )
}

/// Labels as a tensor.
pub fn labels(y: &[u32], device: &Device) -> Tensor<1, Int> {
    let y: Vec<i64> = y.iter().map(|&v| v as i64).collect();
    let n = y.len();
    Tensor::<1, Int>::from_data(TensorData::new(y, [n]), device)
}

/// A shuffled order of `0..n`, in minibatches of `size` (the last one may be smaller).
pub fn minibatches(n: usize, size: usize, rng: &mut Rng64) -> Vec<Vec<usize>> {
    let mut order: Vec<usize> = (0..n).collect();
    rng.shuffle(&mut order);
    order.chunks(size.max(1)).map(<[usize]>::to_vec).collect()
}

/// Mean cross-entropy of `logits` against `y`.
pub fn cross_entropy(logits: Tensor<2>, y: Tensor<1, Int>) -> Tensor<1> {
    CrossEntropyLossConfig::new()
        .init(&logits.device())
        .forward(logits, y)
}

/// Mean KL(teacher ‖ student) over a batch, both softened by `temperature`, scaled by T² (Hinton et al. 2015)
/// so that its gradients keep their size as T changes. The teacher is treated as a constant.
///
/// # Shapes
/// - `teacher`, `student`: `[batch, classes]`
pub fn distillation(teacher: Tensor<2>, student: Tensor<2>, temperature: f64) -> Tensor<1> {
    let t = temperature as f32;
    let log_p_t = log_softmax(teacher.detach().div_scalar(t), 1);
    let p_t = log_p_t.clone().exp();
    let log_p_s = log_softmax(student.div_scalar(t), 1);
    let [batch, _] = p_t.dims();
    (p_t * (log_p_t - log_p_s))
        .sum()
        .div_scalar(batch as f32)
        .mul_scalar(t * t)
        .reshape([1])
}

/// One optimiser step on `loss`.
pub fn step(
    model: Classifier,
    optim: &mut ModuleOptimizer,
    lr: f64,
    loss: Tensor<1>,
) -> Classifier {
    let grads = GradientsParams::from_grads(loss.backward(), &model);
    optim.step(lr, model, grads)
}

/// Counts the step's work (`sample_grads` per-example forward and backward passes: the rows of every batch that
/// was differentiated) and lets the host yield; an error when the user cancelled, so that `?` unwinds the whole lab.
pub async fn checkpoint<H: Host>(host: &mut H, sample_grads: usize) -> Result<()> {
    host.work(sample_grads);
    match host.pause().await {
        Flow::Continue => Ok(()),
        Flow::Stop => Err(EngineError::Cancelled),
    }
}

/// Plain minibatch training of `model` on `split` with the recipe `config`, shuffled by `rng`: the training loop
/// without its per-epoch evaluation, its shuffles drawn exactly as training draws them (a fresh permutation of the
/// rows each epoch), so that from the same weights, rows and seed it ends where training ends. Retraining, SISA's
/// constituents, fine-tuning and the federated clients use it.
#[allow(clippy::too_many_arguments)] // the recipe's parts are owned by different callers
pub async fn fit<H: Host>(
    mut model: Classifier,
    split: &Split,
    d: usize,
    config: &TrainConfig,
    optim: &mut ModuleOptimizer,
    rng: &mut Rng64,
    device: &Device,
    host: &mut H,
) -> Result<Classifier> {
    for _ in 0..config.epochs {
        for rows in minibatches(split.len(), config.batch_size, rng) {
            let (x, y) = batch(split, &rows, d, device);
            let loss = cross_entropy(model.forward(x), y);
            model = step(model, optim, config.learning_rate, loss);
            checkpoint(host, rows.len()).await?;
        }
    }
    Ok(model)
}

/// One epoch over the retain set in minibatches, each paired with the next minibatch of the forget set (the
/// forget set is cycled, reshuffled each time round): the loop of methods that push the forget set away while
/// holding the retain set (NegGrad+, random labels, SalUn).
pub fn paired_batches(
    n_retain: usize,
    n_forget: usize,
    size: usize,
    rng: &mut Rng64,
) -> Vec<(Vec<usize>, Vec<usize>)> {
    let retain = minibatches(n_retain, size, rng);
    let mut forget = Vec::new();
    let mut out = Vec::with_capacity(retain.len());
    for r in retain {
        if forget.is_empty() {
            forget = minibatches(n_forget, size, rng);
            forget.reverse();
        }
        out.push((r, forget.pop().unwrap_or_default()));
    }
    out
}

/// For each label, another class drawn uniformly (labels shifted by 1 … k−1 modulo k).
pub fn wrong_labels(y: &[u32], k: usize, rng: &mut Rng64) -> Vec<u32> {
    y.iter()
        .map(|&c| ((c as usize + 1 + rng.below(k.max(2) - 1)) % k.max(1)) as u32)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /* Source: hand computation. Teacher logits (0, ln 3) give p_T = (1/4, 3/4); student logits (0, 0) give
    (1/2, 1/2). At T = 1: KL = ¼ ln ½ + ¾ ln 3/2 = 0.130812. At T = 2 the teacher's softened logits (0, ln 3 / 2)
    give p = (1/(1 + √3), √3/(1 + √3)) = (0.366025, 0.633975), KL = 0.036341, times T² = 4: 0.145363. */
    #[test]
    fn distillation_is_the_scaled_kl_of_the_softened_teacher() {
        let device = Device::flex();
        let teacher = Tensor::<2>::from_floats([[0.0, 3f32.ln()]], &device);
        let student = Tensor::<2>::from_floats([[0.0, 0.0]], &device);
        let at =
            |t: f64| distillation(teacher.clone(), student.clone(), t).into_scalar::<f32>() as f64;
        assert!((at(1.0) - 0.130_812).abs() < 1e-5, "{}", at(1.0));
        assert!((at(2.0) - 0.145_363).abs() < 1e-5, "{}", at(2.0));
    }

    /* Source: the definition. `wrong_labels` draws y + 1 + U{0 … k−2} mod k: never the true class, every other
    class equally often. Over 3,000 draws with k = 3 each wrong class is expected 1,500 times, standard deviation
    √(3000 · ½ · ½) ≈ 27; 5 standard deviations is 137. */
    #[test]
    fn wrong_labels_are_uniform_over_the_other_classes() {
        let y = vec![1u32; 3000];
        let drawn = wrong_labels(&y, 3, &mut Rng64::new(5, 0));
        assert!(drawn.iter().all(|&c| c != 1 && c < 3));
        let zeros = drawn.iter().filter(|&&c| c == 0).count() as i64;
        assert!((zeros - 1500).abs() < 137, "{zeros} of 3000 are class 0");
    }
}
