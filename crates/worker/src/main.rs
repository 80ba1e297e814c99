//! The engine's Web Worker (a wasm bin that trunk builds with `data-type="worker"`). The page sends JSON
//! commands; the worker drives the engine and answers with JSON events. Natively it only explains itself, so that
//! `cargo test --workspace` builds it without the WebGPU stack.

#[cfg(target_arch = "wasm32")]
mod choose;
#[cfg(target_arch = "wasm32")]
mod slice;
#[cfg(target_arch = "wasm32")]
mod worker;

#[cfg(target_arch = "wasm32")]
fn main() {
    worker::start();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!(
        "lethe-worker runs inside a browser's Web Worker: build it with `trunk build --release`."
    );
}
