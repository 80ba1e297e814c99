//! Each federated model measured into its row: the lab's yardstick on the target client's rows, the shadow
//! attack, the angle and distance to FedRetrain, and the times and work of each method.

use std::collections::BTreeMap;

use lethe_protocol::federated::{FedAudit, FedMethod, FederatedConfig};
use lethe_protocol::{FedRow, Forgetting, SignalMetric, WarningKind};

use super::attack::ShadowSets;
use super::{Model, Setup};
use crate::audit::divergence::{mean_js, tow};
use crate::audit::mia::Pairs;
use crate::audit::warnings::{Band, Bands, FORGET_ACC_TOLERANCE, MIA_TOLERANCE, warnings};
use crate::audit::yardstick::{Measured, Yardstick};
use crate::backend::Runtime;
use crate::error::Result;
use crate::fit::params::{flat, l2_distance};
use crate::forget::Sets;
use crate::metrics;
use crate::rows::test_row;
use crate::unlearn::Fitted;

fn accs(m: &Measured) -> [f64; 3] {
    [m.retain_acc, m.forget_acc, m.test_acc]
}

/// How far above chance (0.5) the attack's AUC on the learned federation must be for the table to read the attack as
/// evidence: at or below 0.55 it warns that the attack finds no membership signal to remove. Below chance counts as
/// no signal too: an attack that ranks the client's rows below unseen ones reads something other than membership
/// (on a backdoored client, the poisoned rows the model has not fit).
pub const NO_SIGNAL_WITHIN: f64 = 0.05;

/// FedRetrain, what every row is measured against.
struct Reference<'a> {
    model: &'a Model,
    measured: &'a Measured,
    flat: &'a [f32],
    bands: &'a Bands,
    learning_seconds: f64,
    no_calibration_seconds: Option<f64>,
}

impl Reference<'_> {
    /// What forgetting is measured by, for model `m`.
    #[allow(clippy::too_many_arguments)]
    fn forgetting(
        &self,
        config: &FederatedConfig,
        m: &Model,
        measured: &Measured,
        mia_auc: Option<f64>,
        own: &[f32],
        pairs: usize,
        k: usize,
    ) -> Forgetting {
        let judged = !matches!(m.method, "federated" | "fed_retrain");
        Forgetting {
            speedup_vs_retrain: m
                .unlearning_seconds
                .map(|s| self.model.seconds / s.max(1e-9)),
            sample_grads: Some(m.sample_grads),
            work_speedup_vs_retrain: m
                .unlearning_seconds
                .and(metrics::work_ratio(self.model.sample_grads, m.sample_grads)),
            retain_acc: measured.retain_acc,
            forget_acc: measured.forget_acc,
            mia_auc,
            js_to_retrain: Some(mean_js(
                &measured.forget_probs,
                &self.measured.forget_probs,
                k,
            )),
            tow: Some(tow(accs(measured), accs(self.measured))),
            l2_to_retrain: Some(l2_distance(own, self.flat)),
            backdoor_asr: measured.backdoor_asr,
            warnings: if judged {
                warnings(measured.forget_acc, mia_auc, pairs, self.bands)
            } else {
                Vec::new()
            },
            params: params(config, m.method),
        }
    }

    /// The federated keys of model `m`, the attack's left empty.
    fn fed_keys(&self, m: &Model, measured: &Measured, own: &[f32]) -> FedAudit {
        FedAudit {
            learning_seconds: self.learning_seconds,
            unlearning_seconds: m.unlearning_seconds,
            unlearning_no_calibration_seconds: match m.method {
                "federaser" | "federaser_no_calibration" => self.no_calibration_seconds,
                _ => None,
            },
            retrain_seconds: self.model.seconds,
            mia_precision: None,
            mia_recall: None,
            target_acc: measured.forget_acc,
            angle_to_retrain_deg: angle_deg(own, self.flat),
            history_bytes: m.history_bytes,
            client_epochs: m.client_epochs,
            curve: m.curve.clone(),
        }
    }
}

/// Measures every model against FedRetrain: the target client's rows are the forget set.
pub(super) async fn measure(
    config: &FederatedConfig,
    setup: &Setup,
    models: &[Model],
    seed: u64,
    rt: &Runtime,
) -> Result<Vec<FedRow>> {
    let (data, k) = (&setup.data, setup.data.n_classes());
    let sets = Sets::new(
        data,
        setup.parts[config.target_client].clone(),
        setup.triggered.clone(),
    )?;
    let yard = Yardstick {
        pairs: Pairs::class_matched(&sets.forget.y, &sets.test.y, k, seed),
        sets: &sets,
        rt,
    };
    let retrain = models
        .iter()
        .find(|m| m.method == FedMethod::FedRetrain.key())
        .expect("fed_retrain always runs");
    let retrain_measured = yard.measure(&Fitted::Net(retrain.net.clone())).await?;
    let retrain_flat = flat(&retrain.net).await?;
    // One attack for the whole table: trained once on the learned federation, applied unchanged to every model.
    let attack = ShadowSets::new(&sets, data, &setup.parts, seed);
    let shadow = attack.fit(&models[0].net, &sets, rt).await?;
    let retrain_auc = attack.evaluate(&shadow, &retrain.net, &sets, rt).await?.auc;
    let bands = Bands {
        forget_acc: Band::new(retrain_measured.forget_acc, 0.0, FORGET_ACC_TOLERANCE),
        mia_auc: retrain_auc.map(|m| Band::new(m, 0.0, MIA_TOLERANCE)),
    };
    let no_cal_seconds = models
        .iter()
        .find(|m| m.method == FedMethod::FederaserNoCalibration.key())
        .map(|m| m.seconds);
    let reference = Reference {
        model: retrain,
        measured: &retrain_measured,
        flat: &retrain_flat,
        bands: &bands,
        learning_seconds: models[0].seconds,
        no_calibration_seconds: no_cal_seconds,
    };
    let mut rows = Vec::with_capacity(models.len());
    let mut control = None;
    for m in models {
        let measured = yard.measure(&Fitted::Net(m.net.clone())).await?;
        let own = flat(&m.net).await?;
        let reading = attack.evaluate(&shadow, &m.net, &sets, rt).await?;
        if m.method == "federated" {
            control = reading.auc;
        }
        let fed = FedAudit {
            mia_precision: reading.precision,
            mia_recall: reading.recall,
            ..reference.fed_keys(m, &measured, &own)
        };
        let run = test_row(
            m.method,
            m.seconds,
            m.curve.len(),
            (measured.retain_loss, measured.retain_acc),
            &measured.test_predicted,
            data,
        );
        rows.push(FedRow {
            run,
            forgetting: reference.forgetting(
                config,
                m,
                &measured,
                reading.auc,
                &own,
                reading.pairs,
                k,
            ),
            fed,
        });
    }
    // The positive control: the learned federation, before any unlearning. An attack at chance (or below) on it
    // cannot show forgetting on any row.
    if let Some(auc) = control
        && auc <= 0.5 + NO_SIGNAL_WITHIN
    {
        let w: lethe_protocol::Warning = WarningKind::NoMembershipSignal {
            metric: SignalMetric::MiaAuc,
            control: auc,
            control_ci: None,
            reference: 0.5,
            reference_ci: [0.0, 0.5 + NO_SIGNAL_WITHIN],
        }
        .into();
        rows.iter_mut()
            .for_each(|r| r.forgetting.warnings.push(w.clone()));
    }
    Ok(rows)
}

/// The settings a row ran with.
fn params(config: &FederatedConfig, method: &str) -> BTreeMap<String, f64> {
    let mut p = BTreeMap::new();
    p.insert("clients".into(), config.clients as f64);
    p.insert("rounds".into(), config.rounds as f64);
    p.insert("local_epochs".into(), config.local_epochs as f64);
    match method {
        "federaser" => {
            p.insert("retain_every".into(), config.retain_every as f64);
            p.insert(
                "calibration_epochs".into(),
                config.calibration_epochs() as f64,
            );
        }
        "federaser_no_calibration" => {
            p.insert("retain_every".into(), config.retain_every as f64);
        }
        "continue_without" => {
            p.insert("continue_rounds".into(), config.continue_rounds as f64);
        }
        _ => {}
    }
    p
}

/// The angle between two parameter vectors, in degrees (null when one is zero).
pub fn angle_deg(a: &[f32], b: &[f32]) -> Option<f64> {
    let dot: f64 = a.iter().zip(b).map(|(x, y)| *x as f64 * *y as f64).sum();
    let na = a.iter().map(|x| (*x as f64).powi(2)).sum::<f64>().sqrt();
    let nb = b.iter().map(|x| (*x as f64).powi(2)).sum::<f64>().sqrt();
    (na > 0.0 && nb > 0.0).then(|| (dot / (na * nb)).clamp(-1.0, 1.0).acos().to_degrees())
}
