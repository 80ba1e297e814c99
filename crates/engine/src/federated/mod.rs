//! Federated unlearning: FedAvg over simulated clients, then one client forgotten four ways from the same trained
//! federation (FedRetrain, the oracle; FedEraser with and without calibration; continuing without the client),
//! each measured with the lab's yardstick (the target client's rows as the forget set), the shadow-model
//! membership attack, the angle to FedRetrain and the counted client work.

pub mod clients;
pub mod fedavg;
pub mod federaser;

use std::collections::BTreeMap;

use lethe_protocol::federated::{
    ClientSummary, FedAudit, FedMethod, FederatedConfig, FederationSummary,
};
use lethe_protocol::{Audit, RunReport, TrainConfig, ValidExperiment};
use web_time::Instant;

use self::fedavg::{Federation, client_rngs, schedule};
use crate::audit::divergence::{mean_js, tow};
use crate::audit::mia::Pairs;
use crate::audit::shadow::{self, Logistic, MAX_ATTACK_POINTS, sorted_rows};
use crate::audit::warnings::{Band, Bands, FORGET_ACC_TOLERANCE, MIA_TOLERANCE, warnings};
use crate::audit::yardstick::{Measured, Yardstick};
use crate::backend::Runtime;
use crate::data::Prepared;
use crate::data::rng::{Rng64, stream};
use crate::error::{EngineError, Result};
use crate::host::{Host, Tally};
use crate::metrics;
use crate::model::Classifier;
use crate::run::{Outcome, misclassified, report};
use crate::train::Trained;
use crate::unlearn::Fitted;
use crate::unlearn::forget::{Sets, backdoor_in, subset};
use crate::unlearn::params::{flat, l2_distance, sizes};

/// One model of the federated table, before it becomes a row.
struct Model {
    method: &'static str,
    net: Classifier,
    seconds: f64,
    unlearning_seconds: Option<f64>,
    curve: Vec<lethe_protocol::federated::RoundPoint>,
    client_epochs: usize,
    /// Per-example forward and backward passes of the clients' local training, summed.
    sample_grads: u64,
    history_bytes: Option<usize>,
}

impl Model {
    /// An unlearning method's model from its run.
    fn unlearned(method: FedMethod, run: fedavg::FedRun, history_bytes: Option<usize>) -> Self {
        Self {
            method: method.key(),
            net: run.model,
            seconds: run.seconds,
            unlearning_seconds: Some(run.seconds),
            curve: run.curve,
            client_epochs: run.client_epochs,
            sample_grads: 0,
            history_bytes,
        }
    }
}

/// Runs the experiment's `federated` section on prepared data.
pub async fn run_federated<H: Host>(
    experiment: &ValidExperiment,
    config: &FederatedConfig,
    data: &Prepared,
    rt: &Runtime,
    host: &mut H,
    host_name: &str,
    started: Instant,
) -> Result<Outcome> {
    let (seed, d, k) = (experiment.seed, data.n_features(), data.n_classes());
    let parts = clients::partition(&data.train.y, k, config.clients, &config.split, seed)?;
    let target = config.target_client;
    // The backdoor, on the target client's rows only.
    let (data, triggered, stamped) = match &config.target_backdoor {
        Some(b) => {
            if b.target_class as usize >= k {
                return Err(EngineError::Unlearn(format!(
                    "federated.target_backdoor.target_class is {}, but the dataset has {k} classes (0 to {})",
                    b.target_class,
                    k - 1
                )));
            }
            let wanted = (b.fraction * parts[target].len() as f64).round() as usize;
            let mut rng = Rng64::new(seed, stream::FORGET);
            let plan = backdoor_in(
                data.clone(),
                &parts[target],
                wanted,
                b.target_class,
                experiment.data.plot_features[0],
                &mut rng,
            )?;
            let stamped = plan.positions.map_or(0, |p| p.len());
            (plan.data, plan.triggered, stamped)
        }
        None => (data.clone(), None, 0),
    };
    let fed = Federation {
        clients: parts.iter().map(|p| subset(&data.train, p, d)).collect(),
        d,
        n_classes: k,
        local: TrainConfig {
            epochs: config.local_epochs,
            ..experiment.train.clone()
        },
        seed,
        rt,
        test: &data.test,
        triggered: triggered.as_ref(),
    };
    let plan = schedule(config.clients, config.rounds, config.participation, seed, 0);
    let initial = Classifier::new(&experiment.model, d, k, seed, &rt.device);
    let layer_sizes = sizes(&initial);

    // Federated learning, with the server's history.
    let mut rngs = client_rngs(config.clients, seed);
    let mut tally = Tally::new(host);
    let learned = fed
        .run(
            initial.clone(),
            &plan,
            None,
            Some(config.retain_every),
            &mut rngs,
            "federated learning",
            0,
            &mut tally,
        )
        .await?;
    let learning_grads = tally.sample_grads;
    let history = learned.history.clone().unwrap_or_default();
    let learning_seconds = learned.seconds;

    let mut models = vec![Model {
        method: "federated",
        net: learned.model.clone(),
        seconds: learning_seconds,
        unlearning_seconds: None,
        curve: learned.curve.clone(),
        client_epochs: learned.client_epochs,
        sample_grads: learning_grads,
        history_bytes: Some(history.bytes()),
    }];
    for method in config.plan() {
        // Every method replays the clients' shuffles from the start, as the learning run did.
        let mut rngs = client_rngs(config.clients, seed);
        let mut tally = Tally::new(host);
        let mut m = match method {
            FedMethod::FedRetrain => {
                let r = fed
                    .run(
                        initial.clone(),
                        &plan,
                        Some(target),
                        None,
                        &mut rngs,
                        "fed_retrain",
                        0,
                        &mut tally,
                    )
                    .await?;
                Model::unlearned(method, r, None)
            }
            FedMethod::Federaser | FedMethod::FederaserNoCalibration => {
                let calibration =
                    (method == FedMethod::Federaser).then(|| config.calibration_epochs());
                let e = federaser::erase(
                    &fed,
                    &history,
                    initial.clone(),
                    target,
                    calibration,
                    &layer_sizes,
                    &mut rngs,
                    method.key(),
                    &mut tally,
                )
                .await?;
                Model::unlearned(method, e, Some(history.bytes()))
            }
            FedMethod::ContinueWithout => {
                let more = schedule(
                    config.clients,
                    config.continue_rounds,
                    config.participation,
                    seed,
                    config.rounds,
                );
                let r = fed
                    .run(
                        learned.model.clone(),
                        &more,
                        Some(target),
                        None,
                        &mut rngs,
                        method.key(),
                        config.rounds,
                        &mut tally,
                    )
                    .await?;
                Model::unlearned(method, r, None)
            }
        };
        m.sample_grads = tally.sample_grads;
        models.push(m);
    }

    // Measuring: the target client's rows are the forget set.
    let sets = Sets::new(&data, parts[target].clone(), triggered.clone())?;
    let yard = Yardstick {
        pairs: Pairs::class_matched(&sets.forget.y, &sets.test.y, k, seed),
        sets: &sets,
        rt,
    };
    let retrain = models
        .iter()
        .find(|m| m.method == FedMethod::FedRetrain.key())
        .expect("fed_retrain always runs");
    let retrain_seconds = retrain.seconds;
    let retrain_grads = retrain.sample_grads;
    let retrain_measured = yard.measure(&Fitted::Net(retrain.net.clone())).await?;
    let retrain_flat = flat(&retrain.net).await?;
    let bands = Bands {
        forget_acc: Band::new(retrain_measured.forget_acc, 0.0, FORGET_ACC_TOLERANCE),
        mia_auc: retrain_measured
            .mia_auc
            .map(|m| Band::new(m, 0.0, MIA_TOLERANCE)),
    };
    let no_cal_seconds = models
        .iter()
        .find(|m| m.method == FedMethod::FederaserNoCalibration.key())
        .map(|m| m.seconds);
    let attack = ShadowSets::new(&sets, &data, &parts, seed);
    let shadow = attack.fit(&models[0].net, &sets, rt).await?;
    let mut rows = Vec::with_capacity(models.len());
    for m in &models {
        let measured = yard.measure(&Fitted::Net(m.net.clone())).await?;
        let own = flat(&m.net).await?;
        let (mia_precision, mia_recall) = attack.evaluate(&shadow, &m.net, &sets, rt).await?;
        let learning_row = m.method == "federated";
        let audit = Audit {
            family: None,
            guarantee: None,
            speedup_vs_retrain: m.unlearning_seconds.map(|s| retrain_seconds / s.max(1e-9)),
            sample_grads: Some(m.sample_grads),
            work_speedup_vs_retrain: m
                .unlearning_seconds
                .and(metrics::work_ratio(retrain_grads, m.sample_grads)),
            hessian_rows: None,
            retain_acc: measured.retain_acc,
            forget_acc: measured.forget_acc,
            mia_auc: measured.mia_auc,
            js_to_retrain: Some(mean_js(
                &measured.forget_probs,
                &retrain_measured.forget_probs,
                k,
            )),
            tow: Some(tow(accs(&measured), accs(&retrain_measured))),
            l2_to_retrain: Some(l2_distance(&own, &retrain_flat)),
            backdoor_asr: measured.backdoor_asr,
            relearn_epochs: None,
            warnings: if learning_row || m.method == "fed_retrain" {
                vec![]
            } else {
                warnings(
                    measured.forget_acc,
                    measured.mia_auc,
                    yard.pairs.len(),
                    &bands,
                )
            },
            params: params(config, m.method),
            prepare_seconds: None,
            retain_acc_std: None,
            forget_acc_std: None,
            test_acc_std: None,
            mia_auc_std: None,
            certificate: None,
            sisa: None,
        };
        let fed_audit = FedAudit {
            learning_seconds,
            unlearning_seconds: m.unlearning_seconds,
            unlearning_no_calibration_seconds: match m.method {
                "federaser" | "federaser_no_calibration" => no_cal_seconds,
                _ => None,
            },
            retrain_seconds,
            mia_precision,
            mia_recall,
            target_acc: measured.forget_acc,
            angle_to_retrain_deg: angle_deg(&own, &retrain_flat),
            history_bytes: m.history_bytes,
            client_epochs: m.client_epochs,
            curve: m.curve.clone(),
        };
        rows.push(row(m, &measured, &data, audit, fed_audit));
    }
    let mut report = report(experiment, &data, rt, host_name, rows, started);
    report.federation = Some(FederationSummary {
        clients: parts
            .iter()
            .enumerate()
            .map(|(c, p)| ClientSummary {
                size: p.len(),
                class_counts: (0..k)
                    .map(|class| {
                        p.iter()
                            .filter(|&&i| data.train.y[i] as usize == class)
                            .count()
                    })
                    .collect(),
                backdoored: if c == target { stamped } else { 0 },
            })
            .collect(),
        target_client: target,
        attack: shadow::DESCRIPTION.into(),
    });
    Ok(Outcome::Finished {
        report: Box::new(report),
        trained: Some(Box::new(Trained {
            model: learned.model,
            history: Vec::new(),
            cancelled: false,
            seconds: learning_seconds,
            sample_grads: learning_grads,
        })),
    })
}

fn accs(m: &Measured) -> [f64; 3] {
    [m.retain_acc, m.forget_acc, m.test_acc]
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

/// The row of one model: its test metrics and both audits.
fn row(m: &Model, measured: &Measured, data: &Prepared, audit: Audit, fed: FedAudit) -> RunReport {
    let confusion = metrics::confusion(&data.test.y, &measured.test_predicted, data.n_classes());
    let per_class = metrics::per_class(&confusion, &data.raw.class_names);
    let (precision, recall, f1) = metrics::macro_average(&per_class);
    RunReport {
        method: m.method.into(),
        seconds: m.seconds,
        epochs: m.curve.len(),
        train_loss: measured.retain_loss,
        train_acc: measured.retain_acc,
        test_acc: metrics::accuracy(&confusion),
        precision,
        recall,
        f1,
        confusion,
        per_class,
        history: Vec::new(),
        misclassified: misclassified(data, &measured.test_predicted),
        audit: Some(audit),
        fed: Some(fed),
        vbu: None,
    }
}

/// The shadow attack's data: members to learn from (the remaining clients' rows), non-members to learn from (the
/// first half of the test split), and the evaluation (the target's rows against the second half).
struct ShadowSets {
    train_members: crate::data::Split,
    train_non_members: crate::data::Split,
    eval_non_members: crate::data::Split,
}

impl ShadowSets {
    fn new(sets: &Sets, data: &Prepared, parts: &[Vec<usize>], seed: u64) -> Self {
        let d = data.n_features();
        let mut rng = Rng64::new(seed, stream::AUDIT);
        // The paper's protocol: the shadow attack learns from the original global model, every client's training
        // rows members, half of the test split non-members, as many of each (a balanced training set, so that its
        // threshold of ½ means something).
        let mut members: Vec<usize> = parts.iter().flat_map(|p| p.iter().copied()).collect();
        rng.shuffle(&mut members);
        let n_test = sets.test.len();
        let half = n_test / 2;
        let n = members.len().min(half).min(MAX_ATTACK_POINTS);
        members.truncate(n);
        let first: Vec<usize> = (0..n).collect();
        let wanted = sets.forget.len().min(MAX_ATTACK_POINTS).min(n_test - half);
        let second: Vec<usize> = (half..half + wanted).collect();
        Self {
            train_members: subset(&data.train, &members, d),
            train_non_members: subset(&sets.test, &first, d),
            eval_non_members: subset(&sets.test, &second, d),
        }
    }

    /// The attack, trained once on the original global model's outputs.
    async fn fit(&self, original: &Classifier, sets: &Sets, rt: &Runtime) -> Result<Logistic> {
        let k = sets.n_classes;
        let fitted = Fitted::Net(original.clone());
        let (d, eval) = (sets.d, &rt.eval);
        let members = sorted_rows(
            &fitted.probabilities(&self.train_members.x, d, eval).await?,
            k,
        );
        let non_members = sorted_rows(
            &fitted
                .probabilities(&self.train_non_members.x, d, eval)
                .await?,
            k,
        );
        Ok(Logistic::fit(&members, &non_members))
    }

    /// The attack, unchanged, on `model`: the target client's rows (members) against as many unseen test rows.
    async fn evaluate(
        &self,
        attack: &Logistic,
        model: &Classifier,
        sets: &Sets,
        rt: &Runtime,
    ) -> Result<(Option<f64>, Option<f64>)> {
        let k = sets.n_classes;
        let fitted = Fitted::Net(model.clone());
        let (d, eval) = (sets.d, &rt.eval);
        let target: Vec<Vec<f64>> =
            sorted_rows(&fitted.probabilities(&sets.forget.x, d, eval).await?, k)
                .into_iter()
                .take(MAX_ATTACK_POINTS)
                .collect();
        let others = sorted_rows(
            &fitted
                .probabilities(&self.eval_non_members.x, d, eval)
                .await?,
            k,
        );
        Ok(shadow::precision_recall(attack, &target, &others))
    }
}
