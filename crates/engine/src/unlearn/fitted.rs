//! What an unlearning method leaves behind, and its class probabilities: a network, an ensemble of networks
//! (SISA), or a linear model solved in f64 (certified removal). The audit only ever asks for probabilities.

use burn::prelude::*;
use burn::tensor::activation::softmax;

use crate::error::{EngineError, Result};
use crate::model::Classifier;
use crate::unlearn::certified::LinearOvr;

/// Rows evaluated per forward pass, so that a large split never becomes one huge tensor.
const EVAL_CHUNK: usize = 4096;

/// A model that predicts.
#[derive(Debug, Clone)]
pub enum Fitted {
    /// One network (every gradient method, retrain).
    Net(Classifier),
    /// Several networks whose probabilities are averaged (SISA).
    Ensemble(Vec<Classifier>),
    /// A one-vs-rest linear model (certified removal).
    Linear(LinearOvr),
}

/// Class probabilities of `model` for the row-major points `x` (`d` features each), on the evaluation device.
///
/// # Shapes
/// - output: `[n, classes]`, row-major
pub async fn net_probabilities(
    model: &Classifier,
    x: &[f32],
    d: usize,
    eval: &Device,
) -> Result<Vec<f32>> {
    let n = x.len() / d.max(1);
    let valid = model.valid();
    let mut out = Vec::new();
    let mut start = 0;
    while start < n {
        let len = EVAL_CHUNK.min(n - start);
        let chunk = x[start * d..(start + len) * d].to_vec();
        let input = Tensor::<2>::from_data(TensorData::new(chunk, [len, d]), eval);
        let probs = softmax(valid.forward(input), 1)
            .into_data_async()
            .await
            .map_err(|e| EngineError::Backend(format!("reading predictions: {e:?}")))?;
        out.extend(probs.iter::<f32>());
        start += len;
    }
    Ok(out)
}

impl Fitted {
    /// Class probabilities for the row-major points `x`.
    pub async fn probabilities(&self, x: &[f32], d: usize, eval: &Device) -> Result<Vec<f32>> {
        match self {
            Self::Net(model) => net_probabilities(model, x, d, eval).await,
            Self::Ensemble(models) => {
                let mut sum: Vec<f32> = Vec::new();
                for model in models {
                    let p = net_probabilities(model, x, d, eval).await?;
                    if sum.is_empty() {
                        sum = p;
                    } else {
                        sum.iter_mut().zip(&p).for_each(|(s, v)| *s += v);
                    }
                }
                let k = models.len().max(1) as f32;
                Ok(sum.into_iter().map(|s| s / k).collect())
            }
            Self::Linear(linear) => Ok(linear.probabilities(x)),
        }
    }
}
