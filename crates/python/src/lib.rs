//! `lethe_unlearn._engine`: Lethe's engine for the `lethe_unlearn` Python package. The package's Python part
//! (python/lethe_unlearn) turns experiments, numpy arrays and paths into the plain values these functions take; the
//! engine runs with the GIL released, stops between steps on Ctrl-C, and reports progress to a callback.

mod host;

use lethe_engine::weights;
use lethe_engine::{EngineError, Outcome, Runtime, block_on, prepare_data, run_experiment};
use lethe_protocol::Experiment;
use pyo3::exceptions::{PyKeyboardInterrupt, PyValueError};
use pyo3::prelude::*;

use host::PyHost;

/// Why a run did not give a report.
enum Failure {
    /// The experiment, the data or a setting is wrong: the message names the field and the value.
    Invalid(String),
    /// The user pressed Ctrl-C.
    Interrupted,
    /// A Python error raised inside the progress callback or the signal check.
    Python(PyErr),
}

impl From<Failure> for PyErr {
    fn from(f: Failure) -> Self {
        match f {
            Failure::Invalid(message) => PyValueError::new_err(message),
            Failure::Interrupted => PyKeyboardInterrupt::new_err("the run was interrupted"),
            Failure::Python(e) => e,
        }
    }
}

/// The rows of `x` (float32, little-endian, `n_features` per row) with their labels as the CSV text Lethe's reader
/// takes: a header `x0, …, label`, then one line per row. Every number is written so that it reads back exactly.
fn arrays_to_csv(x: &[u8], n_features: usize, y: &[String]) -> Result<String, Failure> {
    if n_features == 0 || !x.len().is_multiple_of(4 * n_features) {
        return Err(Failure::Invalid(format!(
            "X must have at least one column, got {} bytes for {n_features} columns",
            x.len()
        )));
    }
    let rows = x.len() / (4 * n_features);
    if rows != y.len() {
        return Err(Failure::Invalid(format!(
            "y has {} labels, but X has {rows} rows",
            y.len()
        )));
    }
    let mut writer = csv::Writer::from_writer(Vec::new());
    let mut header: Vec<String> = (0..n_features).map(|j| format!("x{j}")).collect();
    header.push("label".into());
    let invalid = |e: csv::Error| Failure::Invalid(format!("X, y: {e}"));
    writer.write_record(&header).map_err(invalid)?;
    for (i, (row, label)) in x.chunks(4 * n_features).zip(y).enumerate() {
        let mut record = Vec::with_capacity(n_features + 1);
        for (j, bytes) in row.chunks(4).enumerate() {
            let v = f32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]);
            if !v.is_finite() {
                return Err(Failure::Invalid(format!(
                    "X[{i}, {j}] is {v}; features must be finite"
                )));
            }
            record.push(v.to_string());
        }
        record.push(label.clone());
        writer.write_record(&record).map_err(invalid)?;
    }
    let bytes = writer
        .into_inner()
        .map_err(|e| Failure::Invalid(format!("X, y: {e}")))?;
    String::from_utf8(bytes).map_err(|e| Failure::Invalid(format!("y: {e}")))
}

/// Runs an experiment (JSON text) and returns its report as JSON text, the report `lethe run` prints. The data is
/// the experiment's own, or `csv_text` for a CSV source, or the arrays `x` (float32 bytes, `n_features` per row) with
/// the labels `y`; `weights_path` is `model.import`'s file. `progress`, when given, is called with a dict per epoch and per step of the lab.
#[pyfunction]
#[pyo3(signature = (experiment, csv_text=None, x=None, n_features=0, y=None, weights_path=None, progress=None))]
#[allow(clippy::too_many_arguments)]
fn run(
    py: Python<'_>,
    experiment: &str,
    csv_text: Option<String>,
    x: Option<Vec<u8>>,
    n_features: usize,
    y: Option<Vec<String>>,
    weights_path: Option<String>,
    progress: Option<Py<PyAny>>,
) -> PyResult<String> {
    let result = py.detach(move || -> Result<String, Failure> {
        let started = web_time::Instant::now();
        let invalid = |e: EngineError| Failure::Invalid(e.to_string());
        let experiment = Experiment::from_json(experiment)
            .and_then(Experiment::validate)
            .map_err(|e| Failure::Invalid(e.to_string()))?;
        let csv_text = match (x, y) {
            (Some(x), Some(y)) => Some(arrays_to_csv(&x, n_features, &y)?),
            _ => csv_text,
        };
        let (experiment, imported) = match (&experiment.model.import, weights_path) {
            (Some(import), Some(path)) => {
                let tensors = weights::read::file(std::path::Path::new(&path), &import.file)
                    .map_err(invalid)?;
                let (experiment, imported) =
                    weights::resolve(experiment, tensors).map_err(invalid)?;
                (experiment, Some(imported))
            }
            _ => (experiment, None),
        };
        let data = prepare_data(&experiment, csv_text.as_deref()).map_err(invalid)?;
        let runtime = Runtime::cpu();
        let (kept, _) = weights::start(&experiment, imported.as_ref(), &data, &runtime.device)
            .map_err(invalid)?;
        let mut host = PyHost::new(progress);
        let outcome = block_on(run_experiment(
            &experiment,
            &data,
            kept,
            &runtime,
            &mut host,
            "python",
            started,
        ));
        if let Some(e) = host.take_error() {
            return Err(e);
        }
        match outcome.map_err(invalid)? {
            Outcome::Finished { report, .. } => {
                lethe_protocol::check_finite(&*report).map_err(|at| {
                    Failure::Invalid(format!(
                        "the run produced a number that is not finite: {at}"
                    ))
                })?;
                Ok(report.to_json())
            }
            Outcome::Cancelled { .. } => Err(Failure::Interrupted),
        }
    });
    result.map_err(PyErr::from)
}

/// The extension module.
#[pymodule]
fn _engine(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", lethe_protocol::LETHE_VERSION)?;
    m.add_function(wrap_pyfunction!(run, m)?)?;
    Ok(())
}
