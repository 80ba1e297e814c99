//! The host of a run from Python: it checks for Ctrl-C between steps (the GIL is taken for a moment, about ten
//! times a second), calls the progress callback with a dict per epoch and per step of the lab, and keeps the row
//! models asked for.

use std::time::{Duration, Instant};

use lethe_engine::unlearn::Fitted;
use lethe_engine::{Flow, Host};
use lethe_protocol::EpochRecord;
use pyo3::IntoPyObjectExt;
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::Failure;

/// How often a run looks for Ctrl-C.
const SIGNAL_EVERY: Duration = Duration::from_millis(100);

/// Runs straight through, but stops at the next step after Ctrl-C or an error in the callback.
pub struct PyHost {
    progress: Option<Py<PyAny>>,
    /// The rows whose models to keep (`"*"`: every row), and those kept.
    wanted: Vec<String>,
    kept: Vec<(String, Fitted)>,
    last_check: Instant,
    steps: u64,
    error: Option<Failure>,
}

impl PyHost {
    /// A host that reports to `progress`, when given, and keeps the models of the rows in `wanted`.
    pub fn new(progress: Option<Py<PyAny>>, wanted: Vec<String>) -> Self {
        Self {
            progress,
            wanted,
            kept: Vec::new(),
            last_check: Instant::now(),
            steps: 0,
            error: None,
        }
    }

    /// The models kept, in the order the rows finished.
    pub fn take_models(&mut self) -> Vec<(String, Fitted)> {
        std::mem::take(&mut self.kept)
    }

    /// Why the run stopped, if it was not the engine's own doing.
    pub fn take_error(&mut self) -> Option<Failure> {
        self.error.take()
    }

    /// Calls the callback with `fields` (and the steps so far); an error in it stops the run.
    fn report(&mut self, fields: &[(&str, Py<PyAny>)]) {
        let Some(progress) = &self.progress else {
            return;
        };
        let steps = self.steps;
        let called = Python::attach(|py| -> PyResult<()> {
            let dict = PyDict::new(py);
            for (key, value) in fields {
                dict.set_item(key, value.bind(py))?;
            }
            dict.set_item("steps", steps)?;
            progress.call1(py, (dict,))?;
            Ok(())
        });
        if let Err(e) = called {
            self.error.get_or_insert(Failure::Python(e));
        }
    }
}

fn value<T: for<'py> IntoPyObject<'py>>(v: T) -> Py<PyAny> {
    Python::attach(|py| v.into_py_any(py).unwrap_or_else(|_| py.None()))
}

impl Host for PyHost {
    async fn pause(&mut self) -> Flow {
        self.steps += 1;
        if self.last_check.elapsed() >= SIGNAL_EVERY {
            self.last_check = Instant::now();
            if let Err(e) = Python::attach(|py| py.check_signals()) {
                let interrupt = Python::attach(|py| {
                    e.is_instance_of::<pyo3::exceptions::PyKeyboardInterrupt>(py)
                });
                self.error.get_or_insert(if interrupt {
                    Failure::Interrupted
                } else {
                    Failure::Python(e)
                });
            }
        }
        if self.error.is_some() {
            Flow::Stop
        } else {
            Flow::Continue
        }
    }

    fn epoch(&mut self, record: &EpochRecord, epochs_total: usize) -> lethe_engine::Result<()> {
        self.report(&[
            ("epoch", value(record.epoch)),
            ("epochs_total", value(epochs_total)),
            ("train_loss", value(record.train_loss)),
            ("test_acc", value(record.test_acc)),
        ]);
        Ok(())
    }

    fn model(&mut self, row: &str, model: &dyn std::any::Any) {
        if let Some(model) = model.downcast_ref::<Fitted>()
            && self.wanted.iter().any(|w| w == row || w == "*")
        {
            self.kept.push((row.to_string(), model.clone()));
        }
    }

    fn stage(&mut self, label: &str, done: usize, total: usize) {
        self.report(&[
            ("stage", value(label)),
            ("done", value(done)),
            ("total", value(total)),
        ]);
    }
}
