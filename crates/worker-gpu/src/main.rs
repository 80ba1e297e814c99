//! The WebGPU engine worker: the same worker as `lethe-worker`, built with burn's WebGPU backend. The page loads
//! it only for a run that takes WebGPU (forced in the settings, or Auto on a hardware adapter for a large model).

#[cfg(target_arch = "wasm32")]
fn main() {
    lethe_worker::start();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!(
        "lethe-worker-gpu runs inside a browser's Web Worker: build it with `trunk build --release`."
    );
}
