//! The CPU-only engine worker (a wasm bin that trunk builds with `data-type="worker"`); see the library.

#[cfg(target_arch = "wasm32")]
fn main() {
    lethe_worker::start();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!(
        "lethe-worker runs inside a browser's Web Worker: build it with `trunk build --release`."
    );
}
