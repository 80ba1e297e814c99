//! The engine's Web Worker: the page sends JSON commands; the worker drives the engine and answers with JSON events.
//! Two builds share this code: `lethe-worker` (this crate's bin), the CPU-only engine that every page loads, and
//! `lethe-worker-gpu` (crates/worker-gpu, this library with the `webgpu` feature), loaded only for a run on WebGPU,
//! so that visitors without a GPU never download burn's WebGPU stack. Natively the library is empty, so that
//! `cargo test --workspace` builds it without the WebGPU stack.

#[cfg(target_arch = "wasm32")]
mod choose;
#[cfg(target_arch = "wasm32")]
mod models;
#[cfg(target_arch = "wasm32")]
mod post;
#[cfg(target_arch = "wasm32")]
mod slice;
#[cfg(target_arch = "wasm32")]
mod worker;

/// Installs the worker's message handler and tells the page it is listening.
#[cfg(target_arch = "wasm32")]
pub fn start() {
    worker::start();
}
