//! A weights file → its tensors, by name, as f32. burn's store crate parses the container: a safetensors file
//! (checked whole before any tensor is read: a header that claims more bytes than the file has, or offsets that
//! overlap or leave gaps, is refused) or, natively, a PyTorch `.pt` archive. Sizes are checked before values are
//! copied, so a file that claims a huge tensor is refused without allocating it.

use burn_store::{ModuleStore, SafetensorsStore, bridge};
use lethe_protocol::experiment::MAX_WEIGHTS_BYTES;
use lethe_protocol::experiment::limits::MAX_PARAMETERS;

use super::NamedTensor;
use crate::error::{EngineError, Result};

fn refuse(file: &str, why: impl std::fmt::Display) -> EngineError {
    EngineError::Import(format!("{file}: {why}"))
}

/// The tensors of the safetensors file `bytes` (named `file` in messages), in name order.
pub fn safetensors(bytes: Vec<u8>, file: &str) -> Result<Vec<NamedTensor>> {
    if bytes.len() > MAX_WEIGHTS_BYTES {
        return Err(refuse(
            file,
            format!(
                "{} bytes; Lethe reads weights files of at most {MAX_WEIGHTS_BYTES} bytes ({MAX_PARAMETERS} parameters \
                 in float64)",
                bytes.len()
            ),
        ));
    }
    let mut store = SafetensorsStore::from_bytes(Some(bytes));
    let tensors = store
        .get_all_tensors()
        .map_err(|e| refuse(file, format!("not a readable safetensors file ({e})")))?;
    collect(tensors.values(), file)
}

/// The tensors of the PyTorch archive at `path` (`torch.save(model.state_dict(), path)`), in name order.
#[cfg(feature = "pytorch")]
pub fn pytorch(path: &std::path::Path, file: &str) -> Result<Vec<NamedTensor>> {
    use burn_store::PytorchStore;
    let size = std::fs::metadata(path)
        .map_err(|e| refuse(file, format!("cannot read it ({e})")))?
        .len();
    if size as usize > MAX_WEIGHTS_BYTES {
        return Err(refuse(
            file,
            format!("{size} bytes; Lethe reads weights files of at most {MAX_WEIGHTS_BYTES} bytes"),
        ));
    }
    // The names as saved (`0`, `2`, `4` of an nn.Sequential), not renumbered: they are written back the same.
    let mut store = PytorchStore::from_file(path).map_indices_contiguous(false);
    let tensors = store.get_all_tensors().map_err(|e| {
        refuse(
            file,
            format!("not a readable PyTorch state_dict ({e}); save one with torch.save(model.state_dict(), path)"),
        )
    })?;
    collect(tensors.values(), file)
}

/// The tensors of the weights file at `path` (named `file` in messages): a `.pt` or `.pth` through the PyTorch
/// reader, anything else as safetensors. The CLI's and the Python package's reader.
#[cfg(feature = "pytorch")]
pub fn file(path: &std::path::Path, file: &str) -> Result<Vec<NamedTensor>> {
    let lower = file.to_ascii_lowercase();
    if lower.ends_with(".pt") || lower.ends_with(".pth") {
        return pytorch(path, file);
    }
    let bytes = std::fs::read(path)
        .map_err(|e| refuse(file, format!("cannot read {}: {e}", path.display())))?;
    safetensors(bytes, file)
}

/// Every tensor's shape and values, after checking the total size against what Lethe keeps.
fn collect<'a>(
    tensors: impl Iterator<Item = &'a burn_store::burn_pack::Tensor> + Clone,
    file: &str,
) -> Result<Vec<NamedTensor>> {
    let mut total = 0usize;
    for t in tensors.clone() {
        let count = t
            .shape
            .iter()
            .try_fold(1usize, |n, &s| n.checked_mul(s))
            .unwrap_or(usize::MAX);
        total = total.saturating_add(count);
        if total > MAX_PARAMETERS {
            return Err(refuse(
                file,
                format!(
                    "tensor {} {:?} brings the file past {MAX_PARAMETERS} numbers, the most a model in Lethe has",
                    t.name,
                    t.shape.iter().collect::<Vec<_>>()
                ),
            ));
        }
    }
    tensors
        .map(|t| {
            let shape: Vec<usize> = t.shape.iter().copied().collect();
            let float = matches!(
                t.dtype,
                burn::tensor::DType::F64
                    | burn::tensor::DType::F32
                    | burn::tensor::DType::F16
                    | burn::tensor::DType::BF16
            );
            if !float {
                return Err(refuse(
                    file,
                    format!(
                        "tensor {} {shape:?} holds {:?}; a layer's weights are floating-point numbers",
                        t.name, t.dtype
                    ),
                ));
            }
            let data = bridge::to_data(t)
                .map_err(|e| refuse(file, format!("tensor {} cannot be read ({e})", t.name)))?;
            let values: Vec<f32> = data.iter::<f32>().collect();
            if let Some(i) = values.iter().position(|v| !v.is_finite()) {
                return Err(refuse(
                    file,
                    format!(
                        "tensor {} {shape:?} holds {} at index {i}; weights must be finite",
                        t.name, values[i]
                    ),
                ));
            }
            Ok(NamedTensor {
                name: t.name.clone(),
                shape,
                values,
            })
        })
        .collect()
}
