//! Upper bounds of the settings, shared by validation and the page's inputs.
/// Most points a generator draws.
pub const MAX_SAMPLES: usize = 100_000;
/// Fewest points a generator draws.
pub const MIN_SAMPLES: usize = 20;
/// Most hidden layers.
pub const MAX_LAYERS: usize = 8;
/// Most units per hidden layer.
pub const MAX_WIDTH: usize = 1024;
/// Most epochs.
pub const MAX_EPOCHS: usize = 10_000;
/// Most classes for blobs.
pub const MAX_CLASSES: usize = 10;
/// Most trainable parameters of a model (the widest MLP on the widest bundled data has about 8.5 million;
/// each parameter costs the optimiser three numbers, and the worker keeps several models).
pub const MAX_PARAMETERS: usize = 10_000_000;
/// Most work in one optimiser step: batch size × multiply-adds per example. About 1.2 GFLOP forward and
/// backward, a second or two on the CPU in a browser, so that the engine's heartbeat always arrives within
/// seconds and a slow run is never taken for a dead one.
pub const MAX_STEP_WORK: usize = 200_000_000;
/// Largest CSV file accepted, in bytes (the page checks the file's size before reading it).
pub const MAX_CSV_BYTES: usize = 50 * 1024 * 1024;
/// Largest CSV accepted: rows × columns.
pub const MAX_CSV_CELLS: usize = 2_000_000;
/// Largest experiment text (a file, an import, a link's hash once decoded). The largest real one lists every
/// training row of the biggest generator in `unlearn.forget.rows`: 100 000 numbers, about 700 KB.
pub const MAX_EXPERIMENT_BYTES: usize = 1_000_000;

/// Most convolutions in a CNN (`model.convs`).
pub const MAX_CONV_LAYERS: usize = 4;
/// Most channels of one convolution.
pub const MAX_CHANNELS: usize = 256;
/// Largest kernel side of a convolution.
pub const MAX_KERNEL: usize = 9;
/// Largest max-pool side after a convolution.
pub const MAX_POOL: usize = 4;
