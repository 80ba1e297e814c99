//! [`Experiment::validate`]: every setting checked once, each error naming the field and the value.

use super::limits::*;
use super::{DataSource, Experiment, ModelKind, ValidExperiment};
use crate::task::Task;
use crate::unlearn::Method;
use crate::{ConfigError, EXPERIMENT_VERSION};

impl Experiment {
    /// Checks every setting once. The error names the field and shows the value.
    pub fn validate(mut self) -> Result<ValidExperiment, ConfigError> {
        if self.version != EXPERIMENT_VERSION {
            return Err(ConfigError::Version {
                found: self.version.to_string(),
                expected: EXPERIMENT_VERSION,
            });
        }
        // An MLP's per-layer widths set its hidden layers; `layers` and `width` follow them, so that a reader of
        // either key sees the same network.
        if let Some(&first) = self.model.widths.first()
            && self.model.kind == ModelKind::Mlp
        {
            self.model.layers = self.model.widths.len();
            self.model.width = first;
        }
        let d = &self.data;
        if d.source.is_generated() {
            if !(MIN_SAMPLES..=MAX_SAMPLES).contains(&d.n_samples) {
                return Err(ConfigError::range(
                    "data.n_samples",
                    format!("between {MIN_SAMPLES} and {MAX_SAMPLES}"),
                    d.n_samples,
                ));
            }
            if !(d.noise.is_finite() && (0.0..=2.0).contains(&d.noise)) {
                return Err(ConfigError::range("data.noise", "between 0 and 2", d.noise));
            }
        }
        if d.source == DataSource::Blobs && !(2..=MAX_CLASSES).contains(&d.classes) {
            return Err(ConfigError::range(
                "data.classes",
                format!("between 2 and {MAX_CLASSES}"),
                d.classes,
            ));
        }
        if !(d.test_fraction.is_finite() && (0.05..=0.9).contains(&d.test_fraction)) {
            return Err(ConfigError::range(
                "data.test_fraction",
                "between 0.05 and 0.9",
                d.test_fraction,
            ));
        }
        if let Some(n) = d.source.feature_count()
            && let Some(&f) = d.plot_features.iter().find(|&&f| f >= n)
        {
            return Err(ConfigError::range(
                "data.plot_features",
                format!(
                    "feature indices from 0 to {} (data.source \"{}\" has {n} features)",
                    n - 1,
                    d.source.key()
                ),
                f,
            ));
        }
        if d.source == DataSource::Csv && d.csv.is_none() {
            return Err(ConfigError::range(
                "data.csv",
                "present when data.source is \"csv\"",
                "nothing",
            ));
        }
        if let Some(scaling) = &self.data.scaling {
            check_scaling(scaling)?;
        }
        let m = &self.model;
        if m.kind == ModelKind::Cnn && !matches!(d.source, DataSource::Digits | DataSource::Csv) {
            return Err(ConfigError::range(
                "model.kind",
                "\"cnn\" only with image data (data.source \"digits\", or a CSV of square images)",
                format!("\"cnn\" with data.source \"{}\"", d.source.key()),
            ));
        }
        if !m.widths.is_empty() && !matches!(m.kind, ModelKind::Mlp | ModelKind::Cnn) {
            return Err(ConfigError::range(
                "model.widths",
                "absent unless model.kind is \"mlp\" or \"cnn\"",
                format!("{:?} with model.kind \"{}\"", m.widths, m.kind.key()),
            ));
        }
        check_convs(m)?;
        if !m.widths.is_empty() {
            if m.widths.len() > MAX_LAYERS {
                return Err(ConfigError::range(
                    "model.widths",
                    format!("at most {MAX_LAYERS} hidden layers"),
                    format!("{} layers", m.widths.len()),
                ));
            }
            if let Some((i, w)) = m
                .widths
                .iter()
                .enumerate()
                .find(|(_, w)| !(1..=MAX_WIDTH).contains(*w))
            {
                return Err(ConfigError::range(
                    format!("model.widths[{i}]"),
                    format!("between 1 and {MAX_WIDTH}"),
                    w,
                ));
            }
        }
        if m.kind == ModelKind::Mlp {
            if !(1..=MAX_LAYERS).contains(&m.layers) {
                return Err(ConfigError::range(
                    "model.layers",
                    format!("between 1 and {MAX_LAYERS}"),
                    m.layers,
                ));
            }
            if !(1..=MAX_WIDTH).contains(&m.width) {
                return Err(ConfigError::range(
                    "model.width",
                    format!("between 1 and {MAX_WIDTH}"),
                    m.width,
                ));
            }
        }
        let t = &self.train;
        if !(t.learning_rate.is_finite() && t.learning_rate > 0.0 && t.learning_rate <= 10.0) {
            return Err(ConfigError::range(
                "train.learning_rate",
                "> 0 and ≤ 10",
                t.learning_rate,
            ));
        }
        if !(t.momentum.is_finite() && (0.0..1.0).contains(&t.momentum)) {
            return Err(ConfigError::range(
                "train.momentum",
                "in [0, 1)",
                t.momentum,
            ));
        }
        if !(1..=65_536).contains(&t.batch_size) {
            return Err(ConfigError::range(
                "train.batch_size",
                "between 1 and 65536",
                t.batch_size,
            ));
        }
        if !(1..=MAX_EPOCHS).contains(&t.epochs) {
            return Err(ConfigError::range(
                "train.epochs",
                format!("between 1 and {MAX_EPOCHS}"),
                t.epochs,
            ));
        }
        if !(t.l2.is_finite() && (0.0..=1.0).contains(&t.l2)) {
            return Err(ConfigError::range("train.l2", "between 0 and 1", t.l2));
        }
        if m.kind == ModelKind::BayesLogistic {
            m.bayes.clone().unwrap_or_default().validate()?;
            if !(1..=crate::vbu::MAX_BAYES_PARAMETERS).contains(&m.width) {
                return Err(ConfigError::range(
                    "model.width",
                    format!(
                        "between 1 and {} for bayes_logistic (random features; a full covariance grows with its square)",
                        crate::vbu::MAX_BAYES_PARAMETERS
                    ),
                    m.width,
                ));
            }
        }
        self.validate_task()?;
        super::import::check_import(&self)?;
        Ok(ValidExperiment(self))
    }

    /// The task's own checks, and the combinations of task and model that cannot run.
    fn validate_task(&self) -> Result<(), ConfigError> {
        let kind = self.model.kind;
        match &self.task {
            Task::Train => Ok(()),
            Task::Vbu(_) | Task::Unlearn(_) | Task::Federated(_)
                if (kind == ModelKind::BayesLogistic) != matches!(self.task, Task::Vbu(_)) =>
            {
                Err(ConfigError::range(
                    "model.kind",
                    "\"bayes_logistic\" with a vbu section, and a network or \"logistic\" with an unlearn or federated section",
                    format!(
                        "\"{}\" with the {} section",
                        kind.key(),
                        self.task.kind().key()
                    ),
                ))
            }
            Task::Vbu(v) => v.validate(),
            Task::Federated(f) => f.validate(),
            Task::Unlearn(u) => {
                u.validate()?;
                let Some(i) = u.methods.iter().position(|s| s.method == Method::Certified) else {
                    return Ok(());
                };
                if kind != ModelKind::Logistic {
                    return Err(ConfigError::range(
                        format!("unlearn.methods[{i}]"),
                        "used with model.kind \"logistic\" only (certified removal needs a convex loss)",
                        format!("\"certified\" with model.kind \"{}\"", kind.key()),
                    ));
                }
                if self.train.l2 <= 0.0 {
                    return Err(ConfigError::range(
                        format!("unlearn.methods[{i}]"),
                        "used with train.l2 > 0 (the certificate needs a strongly convex loss)",
                        "\"certified\" with train.l2 = 0",
                    ));
                }
                Ok(())
            }
        }
    }
}

/// A CNN's convolutions, each setting in its range and named by its place (`model.convs[1].kernel`); whether they fit
/// the image is checked when the data is known (the engine's `prepare_data`).
fn check_convs(m: &super::ModelConfig) -> Result<(), ConfigError> {
    if m.convs.is_empty() {
        return Ok(());
    }
    if m.kind != ModelKind::Cnn {
        return Err(ConfigError::range(
            "model.convs",
            "absent unless model.kind is \"cnn\"",
            format!(
                "{} layers with model.kind \"{}\"",
                m.convs.len(),
                m.kind.key()
            ),
        ));
    }
    if m.convs.len() > MAX_CONV_LAYERS {
        return Err(ConfigError::range(
            "model.convs",
            format!("at most {MAX_CONV_LAYERS} convolutions"),
            format!("{} convolutions", m.convs.len()),
        ));
    }
    for (i, c) in m.convs.iter().enumerate() {
        let field = |name: &str| format!("model.convs[{i}].{name}");
        if !(1..=MAX_CHANNELS).contains(&c.channels) {
            return Err(ConfigError::range(
                field("channels"),
                format!("between 1 and {MAX_CHANNELS}"),
                c.channels,
            ));
        }
        if !(1..=MAX_KERNEL).contains(&c.kernel) {
            return Err(ConfigError::range(
                field("kernel"),
                format!("between 1 and {MAX_KERNEL}"),
                c.kernel,
            ));
        }
        if c.padding >= c.kernel {
            return Err(ConfigError::range(
                field("padding"),
                format!("less than the kernel ({})", c.kernel),
                c.padding,
            ));
        }
        if !(1..=MAX_POOL).contains(&c.pool) {
            return Err(ConfigError::range(
                field("pool"),
                format!("between 1 and {MAX_POOL}"),
                c.pool,
            ));
        }
    }
    Ok(())
}

/// Given scaling statistics: as many standard deviations as means, every number finite, every deviation positive
/// (their count against the features is checked when the data is known).
fn check_scaling(scaling: &super::Scaling) -> Result<(), ConfigError> {
    let super::Scaling::Given { mean, std } = scaling else {
        return Ok(());
    };
    if mean.len() != std.len() {
        return Err(ConfigError::range(
            "data.scaling.std",
            format!("one entry per entry of data.scaling.mean ({})", mean.len()),
            format!("{} entries", std.len()),
        ));
    }
    if let Some((i, m)) = mean.iter().enumerate().find(|(_, m)| !m.is_finite()) {
        return Err(ConfigError::range(
            format!("data.scaling.mean[{i}]"),
            "finite",
            m,
        ));
    }
    if let Some((i, s)) = std
        .iter()
        .enumerate()
        .find(|(_, s)| !(s.is_finite() && **s > 0.0))
    {
        return Err(ConfigError::range(
            format!("data.scaling.std[{i}]"),
            "finite and > 0",
            s,
        ));
    }
    Ok(())
}
