//! A network's class probabilities, in chunks so that a large split never becomes one huge tensor.

use burn::prelude::*;
use burn::tensor::activation::softmax;

use crate::error::{EngineError, Result};
use crate::model::Classifier;

/// Rows evaluated per forward pass, so that a large split never becomes one huge tensor.
const EVAL_CHUNK: usize = 4096;

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
