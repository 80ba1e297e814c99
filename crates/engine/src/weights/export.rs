//! A fitted model → a safetensors file, in the layout and with the names it came with: an imported model's file
//! reads back into its framework (`model.load_state_dict(load_file(path), strict=True)`, or Keras's
//! `set_weights` in key order), and a model Lethe trained is written as the PyTorch `nn.Sequential` of
//! [`Origin::sequential`]. SISA's ensemble is written as its constituents (`shard0.…`, `shard1.…`) whose softmax
//! probabilities are averaged; certified removal's one-vs-rest linear model as one `weight` tensor on the features
//! docs/your-model.md defines.

use std::collections::BTreeMap;

use lethe_protocol::WeightLayout;
use safetensors::{Dtype, tensor::TensorView};

use super::Origin;
use super::import::permute_columns;
use super::layout::{conv_to_keras, file_shape, reorder_rows, transpose};
use crate::error::{EngineError, Result};
use crate::model::Classifier;
use crate::unlearn::Fitted;

/// One tensor to write: shape and little-endian bytes.
struct Out {
    dtype: Dtype,
    shape: Vec<usize>,
    bytes: Vec<u8>,
}

fn f32s(shape: Vec<usize>, values: &[f32]) -> Out {
    Out {
        dtype: Dtype::F32,
        shape,
        bytes: values.iter().flat_map(|v| v.to_le_bytes()).collect(),
    }
}

/// The safetensors file of `fitted`, written as `origin` says.
pub async fn safetensors(fitted: &Fitted, origin: &Origin) -> Result<Vec<u8>> {
    let mut tensors = BTreeMap::new();
    let mut metadata = vec![(
        "lethe".to_string(),
        lethe_protocol::LETHE_VERSION.to_string(),
    )];
    match fitted {
        Fitted::Net(model) => net(model, origin, "", &mut tensors).await?,
        Fitted::Ensemble(models) => {
            for (i, model) in models.iter().enumerate() {
                net(model, origin, &format!("shard{i}."), &mut tensors).await?;
            }
            metadata.push((
                "aggregation".into(),
                format!(
                    "mean of the softmax probabilities of the {} constituents shard0. … shard{}.",
                    models.len(),
                    models.len().saturating_sub(1)
                ),
            ));
        }
        Fitted::Linear(linear) => {
            let dim = linear.w.first().map_or(0, Vec::len);
            let values: Vec<u8> = linear
                .w
                .iter()
                .flatten()
                .flat_map(|v| v.to_le_bytes())
                .collect();
            tensors.insert(
                "weight".to_string(),
                Out {
                    dtype: Dtype::F64,
                    shape: vec![linear.w.len(), dim],
                    bytes: values,
                },
            );
            metadata.push((
                "features".into(),
                format!(
                    "each row scaled as data.scaling says{}, then divided by its L2 norm; p = sigmoid(weight · row) \
                     per row of weight ({})",
                    if linear.bias { ", with a trailing 1 appended" } else { "" },
                    if linear.w.len() == 1 {
                        "one row: the probability of the second class"
                    } else {
                        "one row per class, the probabilities normalised to sum to 1"
                    }
                ),
            ));
        }
    }
    let views: Vec<(String, TensorView<'_>)> = tensors
        .iter()
        .map(|(name, t)| {
            TensorView::new(t.dtype, t.shape.clone(), &t.bytes)
                .map(|v| (name.clone(), v))
                .map_err(|e| EngineError::Backend(format!("writing tensor {name}: {e}")))
        })
        .collect::<Result<_>>()?;
    safetensors::serialize(views, Some(metadata.into_iter().collect()))
        .map_err(|e| EngineError::Backend(format!("writing the weights file: {e}")))
}

/// One network's tensors, named `prefix` + the origin's names.
async fn net(
    model: &Classifier,
    origin: &Origin,
    prefix: &str,
    tensors: &mut BTreeMap<String, Out>,
) -> Result<()> {
    let mut layers = model.layer_values().await?;
    if layers.len() != origin.names.len() {
        return Err(EngineError::Backend(format!(
            "the model has {} layers and its origin names {}",
            layers.len(),
            origin.names.len()
        )));
    }
    let n_convs = model.convs().len();
    let head = layers.last_mut().expect("a classifier has an output layer");
    permute_columns(head, &origin.classes, true);
    if origin.binary {
        // Softmax over [z0, z1] is σ(z1 − z0): one unit of weight w1 − w0 and bias b1 − b0.
        let d_in = head.shape[0];
        head.weight = (0..d_in)
            .map(|r| head.weight[r * 2 + 1] - head.weight[r * 2])
            .collect();
        head.bias = vec![head.bias[1] - head.bias[0]];
        head.shape = vec![d_in, 1];
    }
    let channels = model.convs().last().map_or(0, |c| c.weight.val().dims()[0]);
    let pixels = model.feature_side() * model.feature_side();
    for (n, (layer, names)) in layers.iter().zip(&origin.names).enumerate() {
        let shape = file_shape(&layer.shape, origin.layout);
        let weight = match (origin.layout, layer.shape.as_slice()) {
            (WeightLayout::Pytorch, &[i, o]) => transpose(&layer.weight, i, o),
            (WeightLayout::Keras, &[o, i, kh, kw]) => conv_to_keras(&layer.weight, [o, i, kh, kw]),
            (WeightLayout::Keras, &[_, o]) if n == n_convs && n_convs > 0 => {
                reorder_rows(&layer.weight, channels, pixels, o, true)
            }
            _ => layer.weight.clone(),
        };
        tensors.insert(format!("{prefix}{}", names[0]), f32s(shape, &weight));
        tensors.insert(
            format!("{prefix}{}", names[1]),
            f32s(vec![layer.bias.len()], &layer.bias),
        );
    }
    Ok(())
}
