//! The training loop: minibatch cross-entropy with SGD (momentum) or Adam and L2 weight decay, written as an
//! explicit loop (burn's `Learner` is not for wasm, docs/architecture.md §3). Reads are async so that the same code runs
//! on WebGPU; on the CPU they resolve at once.

pub mod log;

use burn::nn::loss::CrossEntropyLossConfig;
use burn::optim::GradientsParams;
use burn::prelude::*;
use burn::tensor::activation::softmax;
use lethe_protocol::{BoundaryGrid, EpochRecord, TrainConfig};
use web_time::Instant;

use crate::backend::Runtime;
use crate::data::rng::{Rng64, stream};
use crate::data::{Prepared, Split};
use crate::error::{EngineError, Result};
use crate::host::{Flow, Host};
use crate::model::Classifier;
use log::UpdateLog;

/// Cells per axis of the decision-boundary grid.
pub const BOUNDARY_RESOLUTION: usize = 48;

/// What a training run leaves behind (the worker keeps it, so that a later unlearning job starts from it).
#[derive(Debug, Clone)]
pub struct Trained {
    /// The model after the last completed epoch.
    pub model: Classifier,
    /// One record per completed epoch.
    pub history: Vec<EpochRecord>,
    /// True when the host stopped the run early.
    pub cancelled: bool,
    /// Wall time of the loop.
    pub seconds: f64,
    /// Per-example forward and backward passes of the loop (each step on b rows counts b).
    pub sample_grads: u64,
}

impl Trained {
    /// A model trained elsewhere (`model.import`): no epochs, no time, no work.
    pub fn imported(model: Classifier) -> Self {
        Self {
            model,
            history: Vec::new(),
            cancelled: false,
            seconds: 0.0,
            sample_grads: 0,
        }
    }
}

/// Predictions and loss of a model on one split.
#[derive(Debug, Clone)]
pub struct Evaluation {
    /// Predicted class per row.
    pub predicted: Vec<u32>,
    /// Mean cross-entropy.
    pub loss: f64,
    /// Fraction right.
    pub accuracy: f64,
}

use crate::fit::descent::{batch as batch_tensors, optimizer};

/// Trains `model` on `data.train` for `config.epochs` epochs, reporting each epoch to `host`.
pub async fn train<H: Host>(
    model: Classifier,
    data: &Prepared,
    config: &TrainConfig,
    seed: u64,
    rt: &Runtime,
    plot_features: [usize; 2],
    host: &mut H,
) -> Result<Trained> {
    train_logged(model, data, config, seed, rt, plot_features, host, None).await
}

/// [`train`], recording each batch's parameter update in `log` when given (amnesiac unlearning needs it).
#[allow(clippy::too_many_arguments)]
pub async fn train_logged<H: Host>(
    mut model: Classifier,
    data: &Prepared,
    config: &TrainConfig,
    seed: u64,
    rt: &Runtime,
    plot_features: [usize; 2],
    host: &mut H,
    mut log: Option<&mut UpdateLog>,
) -> Result<Trained> {
    let started = Instant::now();
    let d = data.n_features();
    let n = data.train.len();
    let mut optim = optimizer(config);
    let loss_fn = CrossEntropyLossConfig::new().init(&rt.device);
    let mut rng = Rng64::new(seed, stream::SHUFFLE);
    let mut history = Vec::with_capacity(config.epochs);
    let mut steps = 0u64;
    let mut sample_grads = 0u64;
    for epoch in 1..=config.epochs {
        // A fresh permutation of the rows each epoch, as PyTorch's shuffling DataLoader draws one, and as
        // retraining, SISA, fine-tuning and the federated clients draw theirs (`descent::minibatches`).
        let mut order: Vec<usize> = (0..n).collect();
        rng.shuffle(&mut order);
        let mut loss_sum = Tensor::<1>::zeros([1], &rt.device);
        for rows in order.chunks(config.batch_size) {
            let (x, y) = batch_tensors(&data.train, rows, d, &rt.device);
            let loss = loss_fn.forward(model.forward(x), y);
            loss_sum = loss_sum + loss.clone().detach().mul_scalar(rows.len() as f32);
            let grads = GradientsParams::from_grads(loss.backward(), &model);
            let before = log.as_deref_mut().map(|l| l.snapshot(&model));
            model = optim.step(config.learning_rate, model, grads);
            steps += 1;
            sample_grads += rows.len() as u64;
            host.work(rows.len());
            if let (Some(log), Some(before)) = (log.as_deref_mut(), before) {
                log.record(rows, before, &model);
            }
            if host.pause().await == Flow::Stop {
                return Ok(Trained {
                    model,
                    history,
                    cancelled: true,
                    seconds: started.elapsed().as_secs_f64(),
                    sample_grads,
                });
            }
        }
        let train_loss = read_scalar(loss_sum).await? / n as f64;
        if !train_loss.is_finite() {
            return Err(EngineError::NonFiniteLoss {
                epoch,
                value: format!("{train_loss}"),
                split: "training",
            });
        }
        let on_train = evaluate(&model, &data.train, d, rt).await?;
        let on_test = evaluate(&model, &data.test, d, rt).await?;
        // The weights can diverge on the last step of an epoch: the training loss (summed before each step) is still
        // finite, the model's outputs are not.
        for (split, loss) in [("training", on_train.loss), ("test", on_test.loss)] {
            if !loss.is_finite() {
                return Err(EngineError::NonFiniteLoss {
                    epoch,
                    value: format!("{loss}"),
                    split,
                });
            }
        }
        let record = EpochRecord {
            epoch,
            train_loss,
            test_loss: on_test.loss,
            train_acc: on_train.accuracy,
            test_acc: on_test.accuracy,
            elapsed_seconds: started.elapsed().as_secs_f64(),
            steps,
        };
        host.epoch(&record, config.epochs)?;
        history.push(record);
        if d == 2 && (epoch == config.epochs || host.wants_boundary()) {
            let grid = boundary(&model, data, plot_features, rt).await?;
            host.boundary(epoch, grid);
        }
    }
    Ok(Trained {
        model,
        history,
        cancelled: false,
        seconds: started.elapsed().as_secs_f64(),
        sample_grads,
    })
}

async fn read_scalar(t: Tensor<1>) -> Result<f64> {
    let data = t
        .into_data_async()
        .await
        .map_err(|e| EngineError::Backend(format!("reading the loss: {e:?}")))?;
    Ok(data.iter::<f32>().next().unwrap_or(f32::NAN) as f64)
}

/// Predictions, mean cross-entropy and accuracy of `model` on `split`.
pub async fn evaluate(
    model: &Classifier,
    split: &Split,
    d: usize,
    rt: &Runtime,
) -> Result<Evaluation> {
    let rows: Vec<usize> = (0..split.len()).collect();
    let (x, y) = batch_tensors(split, &rows, d, &rt.eval);
    let logits = model.valid().forward(x);
    let loss = CrossEntropyLossConfig::new()
        .init(&rt.eval)
        .forward(logits.clone(), y);
    let predicted = logits.argmax(1).reshape([-1]);
    let loss = read_scalar(loss).await?;
    let predicted: Vec<u32> = predicted
        .into_data_async()
        .await
        .map_err(|e| EngineError::Backend(format!("reading predictions: {e:?}")))?
        .iter::<i64>()
        .map(|p| p as u32)
        .collect();
    let right = predicted
        .iter()
        .zip(&split.y)
        .filter(|(p, y)| p == y)
        .count();
    Ok(Evaluation {
        accuracy: right as f64 / split.len().max(1) as f64,
        loss,
        predicted,
    })
}

/// The model's prediction over a grid spanning the two plotted features (2-D data only).
pub async fn boundary(
    model: &Classifier,
    data: &Prepared,
    features: [usize; 2],
    rt: &Runtime,
) -> Result<BoundaryGrid> {
    let res = BOUNDARY_RESOLUTION;
    let (xr, yr, points) = data.plane_grid(features, res);
    let x = Tensor::<2>::from_data(TensorData::new(points, [res * res, 2]), &rt.eval);
    let probs = softmax(model.valid().forward(x), 1);
    let class = probs.clone().argmax(1).reshape([-1]);
    let confidence = probs.max_dim(1).reshape([-1]);
    let read_err = |e| EngineError::Backend(format!("reading the boundary: {e:?}"));
    let class = class
        .into_data_async()
        .await
        .map_err(read_err)?
        .iter::<i64>()
        .map(|c| c as u32)
        .collect();
    let confidence = confidence
        .into_data_async()
        .await
        .map_err(read_err)?
        .iter::<f32>()
        .collect::<Vec<f32>>();
    if let Some(bad) = confidence.iter().find(|c| !c.is_finite()) {
        return Err(EngineError::Data(format!(
            "the model's confidence over the plotted area is {bad}: its weights diverged; lower the learning rate"
        )));
    }
    Ok(BoundaryGrid {
        x_range: xr,
        y_range: yr,
        resolution: res,
        class,
        confidence,
    })
}
