//! The page's words for what the protocol names by key: dataset labels for pickers, Auto's reason for its choice
//! of backend (the engine badge), and each experiment-file field's label and hint. The protocol holds data; its
//! wording for people lives here.

use lethe_protocol::{AutoReason, DataSource};

/// A dataset's label in pickers and the summary line.
pub fn source_label(source: DataSource) -> &'static str {
    match source {
        DataSource::Moons => "Two moons",
        DataSource::Circles => "Circles",
        DataSource::Spiral => "Spiral",
        DataSource::Xor => "XOR",
        DataSource::Blobs => "Gaussian blobs",
        DataSource::BreastCancer => "Breast cancer (569 × 30)",
        DataSource::Digits => "Digits 8×8 (1797 × 64)",
        DataSource::Iris => "Iris (150 × 4)",
        DataSource::Wine => "Wine (178 × 13)",
        DataSource::Csv => "Your own CSV",
    }
}

/// Auto's reason, in words, for the engine badge.
pub fn auto_reason(reason: &AutoReason) -> String {
    let millions = |x: usize| x as f64 / 1e6;
    match reason {
        AutoReason::NoAdapter => "no hardware WebGPU adapter".into(),
        AutoReason::Vbu => "VBU computes in f64 on the CPU".into(),
        AutoReason::Federated => "the federated clients' steps are too small for a GPU".into(),
        AutoReason::SmallStep { step, adapter } => format!(
            "a step of this model ({:.1} M multiply-adds) is too small for the GPU ({adapter}) to pay; the CPU is faster",
            millions(*step)
        ),
        AutoReason::ShortRun { run } => format!(
            "the run ({:.0} M multiply-adds) is shorter than compiling the GPU's kernels; the CPU is faster",
            millions(*run)
        ),
        AutoReason::LargeStep { step, adapter } => format!(
            "{:.0} M multiply-adds a step: WebGPU on the hardware adapter ({adapter})",
            millions(*step)
        ),
    }
}

/// What the form says about each experiment-file field: its label and, for number settings, one line on what it
/// means (shown under the field and read with it). One table, so that a label reads the same on the form and in the
/// messages.
const FIELDS: [(&str, &str, Option<&str>); 17] = [
    (
        "data.n_samples",
        "Points",
        Some("How many points the generator draws."),
    ),
    (
        "data.noise",
        "Noise",
        Some("How far points scatter from the shape (0: none)."),
    ),
    (
        "data.classes",
        "Classes",
        Some("How many blobs, one class each."),
    ),
    (
        "data.test_fraction",
        "Test fraction",
        Some("Share of rows held out, never trained on, to measure accuracy."),
    ),
    ("data.plot_features", "Plot axes", None),
    ("data.csv", "Dataset", None),
    (
        "seed",
        "Seed",
        Some(
            "Fixes the data, the split, the first weights and the batch order: same seed, same run.",
        ),
    ),
    ("model.kind", "Model", None),
    (
        "model.layers",
        "Hidden layers",
        Some("Hidden layers between the input and the output."),
    ),
    ("model.width", "Width", Some("Units in each hidden layer.")),
    (
        "model.widths",
        "Widths per layer",
        Some(
            "Units of each hidden layer, input side first (128, 64). MLP: empty means the same width in every layer; CNN: the dense layers before the head (empty: none).",
        ),
    ),
    (
        "model.convs",
        "Convolutions",
        Some(
            "Each as filters/kernel/padding/pool, input side first (16/3/1/1, 32/3/1/2 is the default).",
        ),
    ),
    (
        "train.learning_rate",
        "Learning rate",
        Some("Size of each update step."),
    ),
    (
        "train.momentum",
        "Momentum",
        Some("How much of the last step carries into the next."),
    ),
    (
        "train.batch_size",
        "Batch size",
        Some("Rows per update step."),
    ),
    (
        "train.epochs",
        "Epochs",
        Some("Passes over the training split."),
    ),
    (
        "train.l2",
        "L2 penalty",
        Some("Weight decay: pulls the weights toward zero against overfitting."),
    ),
];

/// The label and the hint of an experiment-file field.
pub fn field_text(field: &str) -> Option<(&'static str, Option<&'static str>)> {
    FIELDS
        .iter()
        .find(|(key, ..)| *key == field)
        .map(|&(_, label, hint)| (label, hint))
}

/// The form's label for an experiment-file field, so that a message names both what the user sees and the key in
/// the experiment file.
pub fn field_label(field: &str) -> Option<&'static str> {
    field_text(field).map(|(label, _)| label)
}

/// `message` about `field`, led by the field's label when the form has one.
pub fn labelled(field: &str, message: String) -> String {
    match field_label(field) {
        Some(label) => format!("{label}: {message}"),
        None => message,
    }
}
