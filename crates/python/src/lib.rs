//! `lethe_unlearn._engine`: Lethe's engine for the `lethe_unlearn` Python package. The package's Python part
//! (python/lethe_unlearn) turns experiments, numpy arrays and paths into the plain values these functions take; the
//! engine runs with the GIL released, stops between steps on Ctrl-C, and reports progress to a callback.

mod host;

use lethe_engine::data::{Rng64, as_given};
use lethe_engine::federated::{self, fedavg::client_rngs, fedavg::local_fit};
use lethe_engine::host::Tally;
use lethe_engine::model::Classifier;
use lethe_engine::unlearn::Fitted;
use lethe_engine::weights;
use lethe_engine::{EngineError, Outcome, Runtime, block_on, prepare_data, run_experiment};
use lethe_protocol::{Experiment, Task};
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
fn arrays_to_csv(
    x: &[u8],
    n_features: usize,
    y: &[String],
    split: Option<&[bool]>,
) -> Result<String, Failure> {
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
    if let Some(split) = split
        && split.len() != rows
    {
        return Err(Failure::Invalid(format!(
            "the split has {} rows, but X has {rows}",
            split.len()
        )));
    }
    let mut writer = csv::Writer::from_writer(Vec::new());
    let mut header: Vec<String> = (0..n_features).map(|j| format!("x{j}")).collect();
    header.push("label".into());
    if split.is_some() {
        header.push("split".into());
    }
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
        if let Some(split) = split {
            record.push(if split[i] { "test" } else { "train" }.into());
        }
        writer.write_record(&record).map_err(invalid)?;
    }
    let bytes = writer
        .into_inner()
        .map_err(|e| Failure::Invalid(format!("X, y: {e}")))?;
    String::from_utf8(bytes).map_err(|e| Failure::Invalid(format!("y: {e}")))
}

/// Where a run's data comes from, as the package passes it (a dict): the experiment's own when empty, `csv_text`
/// for a CSV source, or the arrays `x` (float32 bytes, `n_features` per row) with the labels `y`, and with `split`
/// a `split` column (whether each row is a test row).
#[derive(FromPyObject)]
#[pyo3(from_item_all)]
struct Source {
    #[pyo3(default)]
    csv_text: Option<String>,
    #[pyo3(default)]
    x: Option<Vec<u8>>,
    /// Columns of `x` (0 without arrays): always given, so that the dict is never empty.
    n_features: usize,
    #[pyo3(default)]
    y: Option<Vec<String>>,
    #[pyo3(default)]
    split: Option<Vec<bool>>,
}

impl Source {
    /// The CSV text the engine reads: the arrays written as one ([`arrays_to_csv`]) when given, else `csv_text`.
    fn csv_text(self) -> Result<Option<String>, Failure> {
        match (self.x, self.y) {
            (Some(x), Some(y)) => {
                arrays_to_csv(&x, self.n_features, &y, self.split.as_deref()).map(Some)
            }
            _ => Ok(self.csv_text),
        }
    }
}

/// The experiment's JSON text, read and checked once.
fn checked(experiment: &str) -> Result<lethe_protocol::ValidExperiment, Failure> {
    Experiment::from_json(experiment)
        .and_then(Experiment::validate)
        .map_err(|e| Failure::Invalid(e.to_string()))
}

/// Each kept row's model: its row key and its safetensors file.
type RowFiles = Vec<(String, Vec<u8>)>;

/// Where the imported model's weights come from: a file (`model.import.file` next to the experiment; `.pt` read as
/// PyTorch's) or the bytes of a safetensors file the package wrote.
fn read_weights(
    path: Option<String>,
    bytes: Option<Vec<u8>>,
    name: &str,
) -> Result<Option<Vec<weights::NamedTensor>>, Failure> {
    let invalid = |e: EngineError| Failure::Invalid(e.to_string());
    match (bytes, path) {
        (Some(bytes), _) => weights::read::safetensors(bytes, name)
            .map(Some)
            .map_err(invalid),
        (None, Some(path)) => weights::read::file(std::path::Path::new(&path), name)
            .map(Some)
            .map_err(invalid),
        (None, None) => Ok(None),
    }
}

/// Runs an experiment (JSON text) and returns its report as JSON text, the report `lethe run` prints, with the
/// safetensors file of each row's model named in `models` (`"*"`: every row). The data comes from `source`
/// ([`Source`]). The imported model's weights are
/// `weights_bytes` (a safetensors file) or the file at `weights_path`. `progress`, when given, is called with a dict
/// per epoch and per step of the lab.
#[pyfunction]
#[pyo3(signature = (experiment, source, weights_path=None, weights_bytes=None, models=Vec::new(), progress=None))]
fn run(
    py: Python<'_>,
    experiment: &str,
    source: Source,
    weights_path: Option<String>,
    weights_bytes: Option<Vec<u8>>,
    models: Vec<String>,
    progress: Option<Py<PyAny>>,
) -> PyResult<(String, RowFiles)> {
    let result = py.detach(move || -> Result<(String, RowFiles), Failure> {
        let started = web_time::Instant::now();
        let invalid = |e: EngineError| Failure::Invalid(e.to_string());
        let experiment = checked(experiment)?;
        let csv_text = source.csv_text()?;
        let (experiment, imported) = match &experiment.model.import {
            Some(import) => match read_weights(weights_path, weights_bytes, &import.file)? {
                Some(tensors) => {
                    let (experiment, imported) =
                        weights::resolve(experiment, tensors).map_err(invalid)?;
                    (experiment, Some(imported))
                }
                None => (experiment, None),
            },
            None => (experiment, None),
        };
        let data = prepare_data(&experiment, csv_text.as_deref()).map_err(invalid)?;
        let runtime = Runtime::cpu();
        let (kept, origin) = weights::start(&experiment, imported.as_ref(), &data, &runtime.device)
            .map_err(invalid)?;
        let mut host = PyHost::new(progress, models);
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
                let files = host
                    .take_models()
                    .into_iter()
                    .map(|(row, fitted)| {
                        block_on(weights::export::safetensors(&fitted, &origin))
                            .map(|bytes| (row, bytes))
                            .map_err(invalid)
                    })
                    .collect::<Result<_, _>>()?;
                Ok((report.to_json(), files))
            }
            Outcome::Cancelled { .. } => Err(Failure::Interrupted),
        }
    });
    result.map_err(PyErr::from)
}

/// One client's local training as the federated simulation runs it ([`federated::fedavg::local_fit`]): the model
/// in `weights` (a safetensors file in `layout`, its architecture read from it and `experiment`'s `model`), trained
/// `experiment`'s `train` recipe (its `epochs` included) on the rows `x` (float32 bytes, `n_features` per row, taken
/// as they are) with the class indices `y` (below the classes the model scores), shuffled by the generator `rng_state` (48 bytes,
/// [`Rng64::state`]). Returns the trained weights (a safetensors file, the same names and layout), the generator's
/// state after, and the per-example passes computed.
#[pyfunction]
#[pyo3(signature = (experiment, weights, x, n_features, y, rng_state, progress=None))]
#[allow(clippy::too_many_arguments)]
fn fit_local(
    py: Python<'_>,
    experiment: &str,
    weights: Vec<u8>,
    x: Vec<u8>,
    n_features: usize,
    y: Vec<u32>,
    rng_state: Vec<u8>,
    progress: Option<Py<PyAny>>,
) -> PyResult<(Vec<u8>, Vec<u8>, u64)> {
    let result = py.detach(move || -> Result<(Vec<u8>, Vec<u8>, u64), Failure> {
        let invalid = |e: EngineError| Failure::Invalid(e.to_string());
        let experiment = checked(experiment)?;
        let state: [u8; 48] = rng_state.as_slice().try_into().map_err(|_| {
            Failure::Invalid(format!(
                "rng_state must be the 48 bytes client_rng_state or fit_local gave, got {} bytes",
                rng_state.len()
            ))
        })?;
        if n_features == 0 || x.len() != 4 * n_features * y.len() {
            return Err(Failure::Invalid(format!(
                "X must have {} rows (one per label) of at least one column, got {} values for {n_features} columns",
                y.len(),
                x.len() / 4
            )));
        }
        let values: Vec<f32> = x
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect();
        if let Some(at) = values.iter().position(|v| !v.is_finite()) {
            return Err(Failure::Invalid(format!(
                "X[{}, {}] is {}; features must be finite",
                at / n_features,
                at % n_features,
                values[at]
            )));
        }
        let import = experiment
            .model
            .import
            .clone()
            .ok_or_else(|| Failure::Invalid("model.import is missing".into()))?;
        let tensors = weights::read::safetensors(weights, &import.file).map_err(invalid)?;
        let (experiment, imported) = weights::resolve(experiment, tensors).map_err(invalid)?;
        let n_classes = imported.classes();
        if let Some((i, c)) = y.iter().enumerate().find(|(_, c)| **c as usize >= n_classes) {
            return Err(Failure::Invalid(format!(
                "y[{i}] is {c}, but the model scores {n_classes} classes (0 to {})",
                n_classes - 1
            )));
        }
        let classes: Vec<String> = (0..n_classes).map(|c| c.to_string()).collect();
        let data = as_given(values, y, n_features, classes);
        let runtime = Runtime::cpu();
        let (model, origin) = imported
            .classifier(&data, &[], &runtime.device)
            .map_err(invalid)?;
        let mut rng = Rng64::from_state(&state);
        let mut host = PyHost::new(progress, Vec::new());
        let mut tally = Tally::new(&mut host);
        let trained = block_on(local_fit(
            model,
            &data.train,
            n_features,
            &experiment.train,
            &mut rng,
            &runtime.device,
            &mut tally,
        ));
        let sample_grads = tally.sample_grads;
        if let Some(e) = host.take_error() {
            return Err(e);
        }
        let trained = trained.map_err(invalid)?;
        let bytes = block_on(weights::export::safetensors(&Fitted::Net(trained), &origin))
            .map_err(invalid)?;
        Ok((bytes, rng.state().to_vec(), sample_grads))
    });
    result.map_err(PyErr::from)
}

/// Class probabilities of the model in `weights` (a safetensors file in `experiment`'s `model.import` layout) for
/// the rows `x` (float32 bytes, `n_features` per row, taken as they are), row-major, one per class.
#[pyfunction]
fn predict(
    py: Python<'_>,
    experiment: &str,
    weights: Vec<u8>,
    x: Vec<u8>,
    n_features: usize,
) -> PyResult<Vec<f32>> {
    let result = py.detach(move || {
        let invalid = |e: EngineError| Failure::Invalid(e.to_string());
        let experiment = checked(experiment)?;
        let import = experiment
            .model
            .import
            .clone()
            .ok_or_else(|| Failure::Invalid("model.import is missing".into()))?;
        if n_features == 0 || !x.len().is_multiple_of(4 * n_features) {
            return Err(Failure::Invalid(format!(
                "X must have {n_features} columns, got {} values",
                x.len() / 4
            )));
        }
        let values: Vec<f32> = x
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect();
        let tensors = weights::read::safetensors(weights, &import.file).map_err(invalid)?;
        let (_, imported) = weights::resolve(experiment, tensors).map_err(invalid)?;
        let k = imported.classes();
        let classes: Vec<String> = (0..k).map(|c| c.to_string()).collect();
        let rows = values.len() / n_features;
        let data = as_given(values.clone(), vec![0; rows], n_features, classes);
        let runtime = Runtime::cpu();
        let (model, _) = imported
            .classifier(&data, &[], &runtime.device)
            .map_err(invalid)?;
        block_on(Fitted::Net(model).probabilities(&values, n_features, &runtime.eval))
            .map_err(invalid)
    });
    result.map_err(PyErr::from)
}

/// The generator client `client` of a federation with seed `seed` shuffles its rows with, at its start (48 bytes,
/// for [`fit_local`]): one per client for the whole federation, as the simulation keeps it.
#[pyfunction]
fn client_rng_state(seed: u64, client: usize) -> Vec<u8> {
    client_rngs(client + 1, seed)[client].state().to_vec()
}

/// The dataset rows (0-based, in the data's order) of each client of the experiment's federation, as the
/// simulation partitions its training split. The data comes from `source` ([`Source`]).
#[pyfunction]
fn client_splits(py: Python<'_>, experiment: &str, source: Source) -> PyResult<Vec<Vec<usize>>> {
    let result = py.detach(move || -> Result<Vec<Vec<usize>>, Failure> {
        let invalid = |e: EngineError| Failure::Invalid(e.to_string());
        let experiment = checked(experiment)?;
        let Task::Federated(config) = &experiment.task else {
            return Err(Failure::Invalid(
                "the experiment has no federated section: client_splits partitions a federation's clients".into(),
            ));
        };
        let csv_text = source.csv_text()?;
        let data = prepare_data(&experiment, csv_text.as_deref()).map_err(invalid)?;
        let parts = federated::clients::partition(
            &data.train.y,
            data.n_classes(),
            config.clients,
            &config.split,
            experiment.seed,
        )
        .map_err(invalid)?;
        let train_rows: Vec<usize> = (0..data.raw.len()).filter(|&i| !data.is_test[i]).collect();
        Ok(parts
            .into_iter()
            .map(|p| p.into_iter().map(|i| train_rows[i]).collect())
            .collect())
    });
    result.map_err(PyErr::from)
}

/// The experiment's data as the engine prepares it (split, scaled as `data.scaling` says), for a federation outside
/// the simulation: (features, classes, the training split's rows as float32 bytes, its class indices, the test
/// split's rows and class indices, the dataset row of each training row, the class names).
#[pyfunction]
#[allow(clippy::type_complexity)]
fn prepared(
    py: Python<'_>,
    experiment: &str,
    source: Source,
) -> PyResult<(
    usize,
    Vec<String>,
    Vec<u8>,
    Vec<u32>,
    Vec<u8>,
    Vec<u32>,
    Vec<usize>,
)> {
    let result = py.detach(move || {
        let experiment = checked(experiment)?;
        let csv_text = source.csv_text()?;
        let data = prepare_data(&experiment, csv_text.as_deref())
            .map_err(|e| Failure::Invalid(e.to_string()))?;
        let bytes = |x: &[f32]| x.iter().flat_map(|v| v.to_le_bytes()).collect::<Vec<u8>>();
        let train_rows = (0..data.raw.len()).filter(|&i| !data.is_test[i]).collect();
        Ok::<_, Failure>((
            data.n_features(),
            data.raw.class_names.clone(),
            bytes(&data.train.x),
            data.train.y.clone(),
            bytes(&data.test.x),
            data.test.y.clone(),
            train_rows,
        ))
    });
    result.map_err(PyErr::from)
}

/// The model the experiment starts from (its `model`, seeded by its `seed`, for `n_features` inputs and
/// `n_classes` classes) as a safetensors file in the PyTorch layout of its `nn.Sequential` (docs/your-model.md):
/// a federation's initial global model.
#[pyfunction]
fn initial_weights(experiment: &str, n_features: usize, n_classes: usize) -> PyResult<Vec<u8>> {
    let experiment = checked(experiment)?;
    let runtime = Runtime::cpu();
    let model = Classifier::new(
        &experiment.model,
        n_features,
        n_classes,
        experiment.seed,
        &runtime.device,
    );
    let origin = weights::Origin::sequential(&experiment.model, n_classes);
    block_on(weights::export::safetensors(&Fitted::Net(model), &origin))
        .map_err(|e| PyValueError::new_err(e.to_string()))
}

/// The federation's data as every client trains on it ([`federated::setup`]): the prepared split with the target
/// client's rows backdoored when the experiment asks, each client's training positions, and the triggered test copy.
struct FederationData {
    experiment: lethe_protocol::ValidExperiment,
    config: lethe_protocol::federated::FederatedConfig,
    setup: federated::Setup,
}

fn federation_data(experiment: &str, source: Source) -> Result<FederationData, Failure> {
    let invalid = |e: EngineError| Failure::Invalid(e.to_string());
    let experiment = checked(experiment)?;
    let Task::Federated(config) = &experiment.task else {
        return Err(Failure::Invalid(
            "the experiment has no federated section: a federation needs one".into(),
        ));
    };
    let config = config.clone();
    let csv_text = source.csv_text()?;
    let data = prepare_data(&experiment, csv_text.as_deref()).map_err(invalid)?;
    let setup = federated::setup(&experiment, &config, &data).map_err(invalid)?;
    Ok(FederationData {
        experiment,
        config,
        setup,
    })
}

fn f32_bytes(x: &[f32]) -> Vec<u8> {
    x.iter().flat_map(|v| v.to_le_bytes()).collect()
}

/// What [`federation`] returns: features, class names, the training split (rows, classes), the test split, each
/// client's training positions, the triggered test copy (rows, classes, the backdoor's target class) when the
/// target client is backdoored, how many of its rows were stamped, and the experiment as the engine reads it (its
/// defaults written out).
type FederationArrays = (
    usize,
    Vec<String>,
    (Vec<u8>, Vec<u32>),
    (Vec<u8>, Vec<u32>),
    Vec<Vec<usize>>,
    Option<(Vec<u8>, Vec<u32>, u32)>,
    usize,
    String,
);

/// The data of the experiment's federation as the simulation trains on it, for a federation outside it: the
/// prepared training split (the target client's rows stamped with `federated.target_backdoor` when set), the test
/// split, each client's positions in the training split, and the triggered test copy the backdoor's success is
/// measured on. The data comes from `source` ([`Source`]).
#[pyfunction]
fn federation(py: Python<'_>, experiment: &str, source: Source) -> PyResult<FederationArrays> {
    let result = py.detach(move || {
        let f = federation_data(experiment, source)?;
        let data = &f.setup.data;
        Ok::<_, Failure>((
            data.n_features(),
            data.raw.class_names.clone(),
            (f32_bytes(&data.train.x), data.train.y.clone()),
            (f32_bytes(&data.test.x), data.test.y.clone()),
            f.setup.parts.clone(),
            f.setup
                .triggered
                .as_ref()
                .map(|(split, target)| (f32_bytes(&split.x), split.y.clone(), *target)),
            f.setup.stamped,
            f.experiment.to_json(),
        ))
    });
    result.map_err(PyErr::from)
}

/// One model of a federation that ran outside the simulation, as the package passes it (a dict): its row's
/// `method`, its `weights` (a safetensors file in the PyTorch layout of the experiment's `nn.Sequential`,
/// [`initial_weights`]'s names), and what the federation measured while it ran.
#[derive(FromPyObject)]
#[pyo3(from_item_all)]
struct OutsideModel {
    method: String,
    weights: Vec<u8>,
    seconds: f64,
    #[pyo3(default)]
    unlearning_seconds: Option<f64>,
    /// (round, test accuracy, backdoor success) after each round.
    curve: Vec<(usize, f64, Option<f64>)>,
    client_epochs: usize,
    sample_grads: u64,
    #[pyo3(default)]
    history_bytes: Option<usize>,
}

/// The method key a row of the federated table may have.
fn method_key(method: &str) -> Result<&'static str, Failure> {
    use lethe_protocol::federated::FedMethod;
    if method == "federated" {
        return Ok("federated");
    }
    FedMethod::ALL
        .iter()
        .map(|m| m.key())
        .find(|k| *k == method)
        .ok_or_else(|| {
            Failure::Invalid(format!(
                "models: method {method:?} is not a row of the federated table (federated, fed_retrain, federaser, \
                 federaser_no_calibration, continue_without)"
            ))
        })
}

/// The report of a federation that ran elsewhere (`host`, for instance `"flower"`), measured as the simulation
/// measures its own: the experiment's federated table (every model against `fed_retrain`: the target client's
/// rows as the forget set, the shadow attack trained on the `federated` row, angles and distances, the work),
/// with `wall_seconds` for the whole. `models` lists the rows in order, `federated` first.
#[pyfunction]
#[pyo3(signature = (experiment, source, models, wall_seconds, host="flower"))]
fn federated_report(
    py: Python<'_>,
    experiment: &str,
    source: Source,
    models: Vec<OutsideModel>,
    wall_seconds: f64,
    host: &str,
) -> PyResult<String> {
    let host = host.to_string();
    let result = py.detach(move || -> Result<String, Failure> {
        let invalid = |e: EngineError| Failure::Invalid(e.to_string());
        let f = federation_data(experiment, source)?;
        let runtime = Runtime::cpu();
        let (d, k) = (f.setup.data.n_features(), f.setup.data.n_classes());
        let expected = f.experiment.model.describe(d, k);
        let mut model_config = f.experiment.model.clone();
        let mut rows = Vec::with_capacity(models.len());
        for m in models {
            let method = method_key(&m.method)?;
            if rows.iter().any(|r: &federated::Model| r.method == method) {
                return Err(Failure::Invalid(format!("models: method {method} is given twice")));
            }
            let file = format!("{method}.safetensors");
            model_config.import = Some(lethe_protocol::ModelImport {
                file: file.clone(),
                layout: lethe_protocol::WeightLayout::Pytorch,
                classes: Vec::new(),
            });
            let tensors = weights::read::safetensors(m.weights, &file).map_err(invalid)?;
            let imported = weights::Imported::new(tensors, &model_config).map_err(invalid)?;
            let found = imported.config.describe(d, k);
            if found != expected {
                return Err(Failure::Invalid(format!(
                    "models: {method}'s weights are a {found}, but the experiment's model is a {expected}"
                )));
            }
            let (net, _) = imported
                .classifier(&f.setup.data, &[], &runtime.device)
                .map_err(invalid)?;
            for (name, v) in [("seconds", m.seconds)]
                .into_iter()
                .chain(m.unlearning_seconds.map(|s| ("unlearning_seconds", s)))
                .chain(m.curve.iter().map(|p| ("curve test_acc", p.1)))
            {
                if !v.is_finite() || v < 0.0 {
                    return Err(Failure::Invalid(format!(
                        "models: {method}'s {name} is {v}; it must be a finite number ≥ 0"
                    )));
                }
            }
            rows.push(federated::Model {
                method,
                net,
                seconds: m.seconds,
                unlearning_seconds: m.unlearning_seconds,
                curve: m
                    .curve
                    .into_iter()
                    .map(|(round, test_acc, backdoor_asr)| {
                        lethe_protocol::federated::RoundPoint {
                            round,
                            test_acc,
                            backdoor_asr,
                        }
                    })
                    .collect(),
                client_epochs: m.client_epochs,
                sample_grads: m.sample_grads,
                history_bytes: m.history_bytes,
            });
        }
        let outcome = block_on(federated::report(
            &f.config,
            &f.setup,
            &rows,
            f.experiment.seed,
            &runtime,
        ))
        .map_err(invalid)?;
        let mut report = lethe_engine::run::report(
            &f.experiment,
            f.setup.data.summary(),
            &runtime,
            &host,
            lethe_protocol::TaskReport::Federated(outcome),
            web_time::Instant::now(),
        );
        report.wall_seconds = wall_seconds;
        lethe_protocol::check_finite(&report).map_err(|at| {
            Failure::Invalid(format!(
                "the report holds a number that is not finite: {at}"
            ))
        })?;
        Ok(report.to_json())
    });
    result.map_err(PyErr::from)
}

/// Which clients train in each of `rounds` rounds from round `offset` (0-based) of a federation of `clients`
/// seeded `seed` with `participation`: the simulation's seeded schedule ([`federated::fedavg::schedule`]).
#[pyfunction]
fn schedule(
    clients: usize,
    rounds: usize,
    participation: f64,
    seed: u64,
    offset: usize,
) -> Vec<Vec<usize>> {
    federated::fedavg::schedule(clients, rounds, participation, seed, offset)
}

/// FedEraser's calibrated update ([`federated::federaser::calibrate`]): per tensor (`sizes`, in order), the size of
/// `old` (the stored update) in the direction of `new` (the calibration's), both float32 bytes.
#[pyfunction]
fn calibrate(old: Vec<u8>, new: Vec<u8>, sizes: Vec<usize>) -> PyResult<Vec<u8>> {
    let floats = |b: &[u8]| -> Vec<f32> {
        b.chunks_exact(4)
            .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect()
    };
    let total: usize = sizes.iter().sum();
    if old.len() != 4 * total || new.len() != 4 * total {
        return Err(PyValueError::new_err(format!(
            "calibrate: the updates hold {} and {} values, the tensors {total}",
            old.len() / 4,
            new.len() / 4
        )));
    }
    let out = federated::federaser::calibrate(&floats(&old), &floats(&new), &sizes);
    Ok(f32_bytes(&out))
}

/// The CSV text `run` reads the arrays as (see [`arrays_to_csv`]): what `Unlearned.save` writes next to the
/// experiment, so that the CLI reads the very same numbers.
#[pyfunction]
#[pyo3(signature = (x, n_features, y, split=None))]
fn arrays_csv(
    x: Vec<u8>,
    n_features: usize,
    y: Vec<String>,
    split: Option<Vec<bool>>,
) -> PyResult<String> {
    arrays_to_csv(&x, n_features, &y, split.as_deref()).map_err(PyErr::from)
}

/// The extension module.
#[pymodule]
fn _engine(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", lethe_protocol::LETHE_VERSION)?;
    m.add_function(wrap_pyfunction!(run, m)?)?;
    m.add_function(wrap_pyfunction!(fit_local, m)?)?;
    m.add_function(wrap_pyfunction!(client_rng_state, m)?)?;
    m.add_function(wrap_pyfunction!(client_splits, m)?)?;
    m.add_function(wrap_pyfunction!(arrays_csv, m)?)?;
    m.add_function(wrap_pyfunction!(prepared, m)?)?;
    m.add_function(wrap_pyfunction!(initial_weights, m)?)?;
    m.add_function(wrap_pyfunction!(predict, m)?)?;
    m.add_function(wrap_pyfunction!(federation, m)?)?;
    m.add_function(wrap_pyfunction!(federated_report, m)?)?;
    m.add_function(wrap_pyfunction!(schedule, m)?)?;
    m.add_function(wrap_pyfunction!(calibrate, m)?)?;
    Ok(())
}
