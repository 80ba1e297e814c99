//! The data-driven family starts from the data: which training points should be removed? This ranks every
//! training point by four signals of the trained model and the data, each standardised over the training split:
//! its loss (the model disagrees with its label), disagreement with its k nearest neighbours' labels (likely
//! mislabeled), the distance to its k-th neighbour (an outlier), and its self-influence: the squared norm of its
//! loss gradient with respect to the output layer, ‖p − e_y‖²(‖h‖² + 1) for last hidden activations h (TracIn's
//! self-influence at the final checkpoint, restricted to the last layer, where it has this closed form).
//! Also here: the class histogram and per-feature summaries that compare the training set and the retained set.

use burn::prelude::*;
use lethe_protocol::Suggestion;

use crate::backend::Runtime;
use crate::data::Prepared;
use crate::data::rng::{Rng64, stream};
use crate::error::{EngineError, Result};
use crate::fit::predict::net_probabilities;
use crate::metrics::{losses, mean_std};
use crate::model::Classifier;

/// Neighbours consulted.
const NEIGHBOURS: usize = 10;
/// Most reference points the neighbour search compares against (a seeded sample beyond it).
const MAX_REFERENCE: usize = 3000;
/// A signal this many standard deviations above its mean is named as a reason.
const REASON_Z: f64 = 2.0;

/// A training point with its signals; `position` is its index in the training split.
#[derive(Debug, Clone)]
pub struct Ranked {
    /// Index in the training split.
    pub position: usize,
    /// The suggestion as reported (its `row` is the dataset row).
    pub suggestion: Suggestion,
}

/// Ranks every training point, most suggested first.
pub async fn rank(
    data: &Prepared,
    model: &Classifier,
    rt: &Runtime,
    seed: u64,
) -> Result<Vec<Ranked>> {
    let (train, d, k) = (&data.train, data.n_features(), data.n_classes());
    let n = train.len();
    let probs = net_probabilities(model, &train.x, d, &rt.eval).await?;
    let loss = losses(&probs, &train.y, k);
    let hidden = hidden_norms(model, &train.x, d, rt).await?;
    let influence: Vec<f64> = (0..n)
        .map(|i| {
            let gap: f64 = (0..k)
                .map(|c| {
                    let target = if c as u32 == train.y[i] { 1.0 } else { 0.0 };
                    (probs[i * k + c] as f64 - target).powi(2)
                })
                .sum();
            gap * (hidden[i] + 1.0)
        })
        .collect();
    let (agreement, kth) = neighbours(&train.x, &train.y, d, seed);
    let z = |v: &[f64]| {
        let (m, s) = mean_std(v);
        let s = if s > 1e-12 { s } else { 1.0 };
        v.iter().map(|x| (x - m) / s).collect::<Vec<f64>>()
    };
    let disagreement: Vec<f64> = agreement.iter().map(|a| 1.0 - a).collect();
    let (z_loss, z_dis, z_out, z_inf) = (z(&loss), z(&disagreement), z(&kth), z(&influence));
    let rows: Vec<usize> = data.train_rows().collect();
    let mut ranked: Vec<Ranked> = (0..n)
        .map(|i| {
            let signals = [z_loss[i], z_dis[i], z_out[i], z_inf[i]];
            let score = signals.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let agree = (agreement[i] * NEIGHBOURS as f64).round() as usize;
            let mut reasons = Vec::new();
            if agreement[i] < 0.5 && z_loss[i] >= 1.0 {
                reasons.push(format!(
                    "likely mislabeled: loss {:.2} and only {agree} of its {NEIGHBOURS} nearest neighbours share its label",
                    loss[i]
                ));
            } else if z_loss[i] >= REASON_Z {
                reasons.push(format!(
                    "high loss {:.2} ({:.1} standard deviations above the mean): the model disagrees with its label",
                    loss[i], z_loss[i]
                ));
            }
            if z_out[i] >= REASON_Z {
                reasons.push(format!(
                    "outlier: its {NEIGHBOURS}th nearest neighbour is {:.1} standard deviations further away than usual",
                    z_out[i]
                ));
            }
            if z_inf[i] >= REASON_Z {
                reasons.push(format!(
                    "high self-influence {:.3} ({:.1} standard deviations above the mean): the model bends most to fit it",
                    influence[i], z_inf[i]
                ));
            }
            if reasons.is_empty() {
                reasons.push(format!("no signal stands out (largest {score:.1} standard deviations)"));
            }
            Ranked {
                position: i,
                suggestion: Suggestion {
                    row: rows[i],
                    label: train.y[i],
                    score,
                    loss: loss[i],
                    neighbour_agreement: agreement[i],
                    outlier_z: z_out[i],
                    self_influence: influence[i],
                    reasons,
                },
            }
        })
        .collect();
    ranked.sort_by(|a, b| {
        b.suggestion
            .score
            .total_cmp(&a.suggestion.score)
            .then(a.position.cmp(&b.position))
    });
    Ok(ranked)
}

/// ‖h‖² of the last hidden activations of each row.
async fn hidden_norms(model: &Classifier, x: &[f32], d: usize, rt: &Runtime) -> Result<Vec<f64>> {
    let n = x.len() / d.max(1);
    let valid = model.valid();
    let mut out = Vec::with_capacity(n);
    for start in (0..n).step_by(4096) {
        let len = 4096.min(n - start);
        let input = Tensor::<2>::from_data(
            TensorData::new(x[start * d..(start + len) * d].to_vec(), [len, d]),
            &rt.eval,
        );
        let norms = valid
            .penultimate(input)
            .powf_scalar(2.0)
            .sum_dim(1)
            .into_data_async()
            .await
            .map_err(|e| EngineError::Backend(format!("reading activations: {e:?}")))?;
        out.extend(norms.iter::<f32>().map(|v| v as f64));
    }
    Ok(out)
}

/// For each point: the fraction of its nearest neighbours (Euclidean, standardised features; itself excluded)
/// that share its label, and the distance to the k-th of them. Neighbours come from at most [`MAX_REFERENCE`]
/// reference points (a seeded sample of larger splits).
fn neighbours(x: &[f32], y: &[u32], d: usize, seed: u64) -> (Vec<f64>, Vec<f64>) {
    let n = y.len();
    let mut reference: Vec<usize> = (0..n).collect();
    if n > MAX_REFERENCE {
        Rng64::new(seed, stream::AUDIT).shuffle(&mut reference);
        reference.truncate(MAX_REFERENCE);
    }
    let k = NEIGHBOURS.min(reference.len().saturating_sub(1)).max(1);
    let mut agreement = Vec::with_capacity(n);
    let mut kth = Vec::with_capacity(n);
    let mut best: Vec<(f32, u32)> = Vec::with_capacity(reference.len());
    for i in 0..n {
        best.clear();
        let xi = &x[i * d..(i + 1) * d];
        for &j in reference.iter().filter(|&&j| j != i) {
            let xj = &x[j * d..(j + 1) * d];
            let dist: f32 = xi.iter().zip(xj).map(|(a, b)| (a - b) * (a - b)).sum();
            best.push((dist, y[j]));
        }
        let k = k.min(best.len());
        if k == 0 {
            agreement.push(1.0);
            kth.push(0.0);
            continue;
        }
        best.select_nth_unstable_by(k - 1, |a, b| a.0.total_cmp(&b.0));
        let near = &best[..k];
        agreement.push(near.iter().filter(|(_, c)| *c == y[i]).count() as f64 / k as f64);
        kth.push(near.iter().map(|p| p.0).fold(0.0f32, f32::max).sqrt() as f64);
    }
    (agreement, kth)
}
