//! The compute backend, chosen at run time: burn's CPU backend (flex) everywhere, WebGPU in the browser.

use burn::prelude::*;

/// A ready device: `device` trains (autodiff), `eval` evaluates.
#[derive(Debug, Clone)]
pub struct Runtime {
    /// Autodiff device for training.
    pub device: Device,
    /// The plain device that [`Module::valid`] models live on.
    pub eval: Device,
    /// `"cpu"`, `"webgpu"` (the browser) or `"wgpu"` (native GPU).
    pub name: &'static str,
}

impl Runtime {
    /// burn's pure-Rust CPU backend.
    pub fn cpu() -> Self {
        Self::from_device(Device::flex(), "cpu")
    }

    /// WebGPU, initialised asynchronously (the only way in a browser; docs/architecture.md §4). Call once per worker.
    #[cfg(feature = "webgpu")]
    pub async fn webgpu() -> crate::Result<Self> {
        use burn::tensor::wgpu::WgpuBackend;
        let device = Device::wgpu_options()
            .graphics_api(WgpuBackend::WebGpu)
            .init_async()
            .await
            .map_err(|e| crate::EngineError::Backend(format!("WebGPU failed to start: {e}")))?;
        Ok(Self::from_device(device, "webgpu"))
    }

    /// burn's wgpu backend natively, on the first adapter wgpu finds (Vulkan on Linux): the CLI's `--backend wgpu`,
    /// for checking the engine on a real GPU. It compiles the same WGSL kernels as the browser's WebGPU.
    #[cfg(all(feature = "wgpu", not(target_arch = "wasm32")))]
    pub fn wgpu() -> crate::Result<Self> {
        let device = Device::wgpu_options()
            .init()
            .map_err(|e| crate::EngineError::Backend(format!("wgpu failed to start: {e}")))?;
        Ok(Self::from_device(device, "wgpu"))
    }

    fn from_device(plain: Device, name: &'static str) -> Self {
        Self {
            device: plain.clone().autodiff(),
            eval: plain,
            name,
        }
    }
}
