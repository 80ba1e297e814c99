//! A model's parameters as one flat vector, in the struct's field order (deterministic for a given type, so the
//! vectors of two models of the same architecture line up): for distances, masks, noise and logged updates.

use burn::module::{Module, ModuleMapper, ModuleVisitor, Param};
use burn::prelude::*;

use crate::error::{EngineError, Result};
use crate::model::Classifier;

struct Flatten {
    parts: Vec<Tensor<1>>,
}

impl ModuleVisitor for Flatten {
    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
        self.parts.push(param.val().detach().reshape([-1]));
    }
}

/// The parameters as one tensor on the model's device (no readback).
pub fn flat_tensor(model: &Classifier) -> Tensor<1> {
    let mut f = Flatten { parts: Vec::new() };
    model.visit(&mut f);
    Tensor::cat(f.parts, 0)
}

/// The parameters as one host vector.
pub async fn flat(model: &Classifier) -> Result<Vec<f32>> {
    Ok(flat_tensor(model)
        .into_data_async()
        .await
        .map_err(|e| EngineError::Backend(format!("reading the parameters: {e:?}")))?
        .iter::<f32>()
        .collect())
}

struct Sizes(Vec<usize>);

impl ModuleVisitor for Sizes {
    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
        self.0.push(param.val().shape().num_elements());
    }
}

/// The size of each parameter tensor, in the order of [`flat`] (for per-layer operations on flat vectors).
pub fn sizes(model: &Classifier) -> Vec<usize> {
    let mut s = Sizes(Vec::new());
    model.visit(&mut s);
    s.0
}

struct Unflatten {
    flat: Tensor<1>,
    offset: usize,
}

impl ModuleMapper for Unflatten {
    fn map_float<const D: usize>(&mut self, param: Param<Tensor<D>>) -> Param<Tensor<D>> {
        let shape = param.lazy_shape();
        let n = shape.num_elements();
        let chunk = self
            .flat
            .clone()
            .narrow(0, self.offset, n)
            .reshape(shape)
            .detach();
        self.offset += n;
        // A detached chunk is a new leaf: it needs gradients again wherever the old value had them.
        param.map(|old| {
            if old.is_require_grad() {
                chunk.require_grad()
            } else {
                chunk
            }
        })
    }
}

/// `model` with its parameters replaced by `values` (same order and length as [`flat`]), on `device`.
pub fn with_flat(model: Classifier, values: &[f32], device: &Device) -> Classifier {
    let flat = Tensor::<1>::from_data(TensorData::new(values.to_vec(), [values.len()]), device);
    with_flat_tensor(model, flat)
}

/// `model` with its parameters replaced by the flat tensor `flat`.
pub fn with_flat_tensor(model: Classifier, flat: Tensor<1>) -> Classifier {
    model.map(&mut Unflatten { flat, offset: 0 })
}

/// Euclidean distance between two flat vectors.
pub fn l2_distance(a: &[f32], b: &[f32]) -> f64 {
    a.iter()
        .zip(b)
        .map(|(x, y)| (*x as f64 - *y as f64).powi(2))
        .sum::<f64>()
        .sqrt()
}
