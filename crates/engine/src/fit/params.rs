//! A model's parameters as one flat vector, in the struct's field order (deterministic for a given type, so the
//! vectors of two models of the same architecture line up): for distances, masks, noise and logged updates.

use burn::module::{Module, ModuleMapper, ModuleVisitor, Param};
use burn::prelude::*;
use burn::tensor::Gradients;

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

struct Grads<'a> {
    grads: &'a Gradients,
    parts: Vec<Tensor<1>>,
    path: Vec<String>,
    index: usize,
    missing: Option<String>,
}

impl ModuleVisitor for Grads<'_> {
    fn enter_module(&mut self, name: &str, _container_type: &str) {
        self.path.push(name.to_string());
    }
    fn exit_module(&mut self, _name: &str, _container_type: &str) {
        self.path.pop();
    }
    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
        let value = param.val();
        match value.grad(self.grads) {
            Some(g) => self.parts.push(Tensor::<D>::from_inner(g).reshape([-1])),
            None => {
                if self.missing.is_none() {
                    let place = self
                        .path
                        .iter()
                        .filter(|p| !p.is_empty())
                        .cloned()
                        .collect::<Vec<_>>();
                    self.missing = Some(format!(
                        "parameter {} ({}, shape {:?})",
                        self.index,
                        if place.is_empty() {
                            "the model".into()
                        } else {
                            place.join(".")
                        },
                        value.dims()
                    ));
                }
                self.parts.push(value.detach().zeros_like().reshape([-1]));
            }
        }
        self.index += 1;
    }
}

/// The gradient of every parameter in `grads`, flattened in the order of [`flat`]. A parameter without a gradient
/// is an error naming it: read as zeros it would silently make SalUn's mask all-ones and Fisher's noise maximal.
pub fn flat_grads(model: &Classifier, grads: &Gradients, what: &str) -> Result<Tensor<1>> {
    let mut g = Grads {
        grads,
        parts: Vec::new(),
        path: Vec::new(),
        index: 0,
        missing: None,
    };
    model.visit(&mut g);
    match g.missing {
        Some(which) => Err(EngineError::Unlearn(format!(
            "{what}: {which} has no gradient; the model's parameters must all take part in its loss"
        ))),
        None => Ok(Tensor::cat(g.parts, 0)),
    }
}

/// For each parameter, in the order of [`flat`]: its number of values and the last dimension of its shape in
/// PyTorch's layout (burn keeps a linear layer's weight as `[in, out]`, PyTorch as `[out, in]`; biases and
/// convolution kernels have the same layout in both), so that rules written against PyTorch shapes can be applied.
pub fn torch_last_dims(model: &Classifier) -> Vec<(usize, usize)> {
    struct Last(Vec<(usize, usize)>);
    impl ModuleVisitor for Last {
        fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
            let dims = param.val().dims();
            let last = if D == 2 { dims[0] } else { dims[D - 1] };
            self.0.push((dims.iter().product(), last));
        }
    }
    let mut l = Last(Vec::new());
    model.visit(&mut l);
    l.0
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
