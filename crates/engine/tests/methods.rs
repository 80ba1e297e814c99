//! Each method against what would betray a broken version of it, called directly on a small trained model (the
//! digits MLP, a few epochs, class 3 forgotten). Each test names the break it catches; each was checked once by
//! breaking the method locally and watching the test fail.

use burn::prelude::*;
use lethe_engine::data::Prepared;
use lethe_engine::data::rng::{Rng64, stream};
use lethe_engine::metrics::{accuracy, predictions};
use lethe_engine::model::Classifier;
use lethe_engine::train::log::UpdateLog;
use lethe_engine::train::{Trained, train_logged};
use lethe_engine::unlearn::amnesiac::Amnesiac;
use lethe_engine::unlearn::finetune::on_retain;
use lethe_engine::unlearn::fisher::Fisher;
use lethe_engine::unlearn::salun::Salun;
use lethe_engine::unlearn::scrub::Scrub;
use lethe_engine::unlearn::unsir::{Unsir, noise_loss};
use lethe_engine::unlearn::{Context, Fitted, Sets, TrainingState, Unlearner};
use lethe_engine::{Runtime, Straight, block_on, params_of, prepare_data};
use lethe_protocol::{DataSource, Experiment, Method, MethodSpec, ModelKind, ValidExperiment};

struct Bench {
    valid: ValidExperiment,
    rt: Runtime,
    trained: Trained,
    sets: Sets,
    state: TrainingState,
}

/// The digits MLP (64-32-32-10) trained 6 epochs with the update log kept; class 3 is the forget set.
fn bench() -> Bench {
    let mut e = Experiment::demo();
    e.data.source = DataSource::Digits;
    e.model.kind = ModelKind::Mlp;
    e.model.width = 32;
    e.train.epochs = 6;
    e.train.learning_rate = 0.003;
    bench_with(e, |data, _| {
        (0..data.train.len())
            .filter(|&i| data.train.y[i] == 3)
            .collect()
    })
}

/// `e` trained with the update log kept; `forget` picks the forget set's positions from the data and the log.
fn bench_with(e: Experiment, forget: impl FnOnce(&Prepared, &UpdateLog) -> Vec<usize>) -> Bench {
    let valid = e.validate().unwrap();
    let data = prepare_data(&valid, None).unwrap();
    let rt = Runtime::cpu();
    let (d, k) = (data.n_features(), data.n_classes());
    let model = Classifier::new(&valid.model, d, k, valid.seed, &rt.device);
    let steps = valid.train.epochs * data.train.len().div_ceil(valid.train.batch_size);
    let mut log = UpdateLog::new(steps, model.num_params(), "test").unwrap();
    let trained = block_on(train_logged(
        model,
        &data,
        &valid.train,
        valid.seed,
        &rt,
        [0, 1],
        &mut Straight,
        Some(&mut log),
    ))
    .unwrap();
    let positions = forget(&data, &log);
    let sets = Sets::new(&data, positions, None).unwrap();
    let state = TrainingState {
        log: Some(log),
        ..Default::default()
    };
    Bench {
        valid,
        rt,
        trained,
        sets,
        state,
    }
}

impl Bench {
    fn ctx(&self) -> Context<'_> {
        Context {
            sets: &self.sets,
            original: &self.trained.model,
            model: &self.valid.model,
            train: &self.valid.train,
            seed: self.valid.seed,
            rt: &self.rt,
            state: &self.state,
        }
    }

    fn net(&self, u: &impl Unlearner) -> Classifier {
        match block_on(u.unlearn(&self.ctx(), &mut Straight))
            .unwrap()
            .model
        {
            Fitted::Net(net) => net,
            _ => panic!("a network method returns a network"),
        }
    }

    /// Forget-set accuracy of a network.
    fn forget_acc(&self, net: &Classifier) -> f64 {
        let p = block_on(Fitted::Net(net.clone()).probabilities(
            &self.sets.forget.x,
            self.sets.d,
            &self.rt.eval,
        ))
        .unwrap();
        accuracy(&predictions(&p, self.sets.n_classes), &self.sets.forget.y)
    }

    /// Mean KL(teacher ‖ net) over the forget set, in nats.
    fn forget_kl_from_teacher(&self, net: &Classifier) -> f64 {
        let probs = |m: &Classifier| {
            block_on(Fitted::Net(m.clone()).probabilities(
                &self.sets.forget.x,
                self.sets.d,
                &self.rt.eval,
            ))
            .unwrap()
        };
        let (t, s) = (probs(&self.trained.model), probs(net));
        let k = self.sets.n_classes;
        t.chunks(k)
            .zip(s.chunks(k))
            .map(|(t, s)| {
                t.iter()
                    .zip(s)
                    .map(|(&a, &b)| {
                        let (a, b) = (a as f64, (b as f64).max(1e-12));
                        if a > 0.0 { a * (a / b).ln() } else { 0.0 }
                    })
                    .sum::<f64>()
            })
            .sum::<f64>()
            / self.sets.forget.len() as f64
    }
}

fn spec(method: Method, settings: &[(&str, f64)]) -> MethodSpec {
    MethodSpec {
        method,
        settings: settings.iter().map(|(k, v)| (k.to_string(), *v)).collect(),
    }
}

fn params(net: &Classifier) -> Vec<f32> {
    block_on(params_of(net)).unwrap()
}

/* Breaks caught: a mask that covers every weight, and unmasked weights that move. Source: the method's definition
(SalUn, Fan et al. 2024): only the top `sparsity` fraction of weights by saliency may change; the rest stay exactly
as trained. With sparsity 0.2 at most 20 % of the weights (plus ties at the threshold, of which a float saliency has
none in practice) differ from the trained ones, and some do. */
#[test]
fn salun_changes_only_its_mask() {
    let b = bench();
    let before = params(&b.trained.model);
    let t = &b.valid.train;
    let after = params(&b.net(&Salun::new(&spec(Method::Salun, &[("sparsity", 0.2)]), t)));
    let changed = before.iter().zip(&after).filter(|(a, c)| a != c).count();
    let share = changed as f64 / before.len() as f64;
    assert!(
        share <= 0.2 + 1e-3,
        "{share} of the weights changed, above the mask's 0.2"
    );
    assert!(share >= 0.05, "only {share} of the weights changed");
}

/* Break caught: a mask of the right size that is not the most salient weights (a random 20 %, the least salient,
a saliency taken on the retain set). Source: the definition (SalUn, Fan et al. 2024): the saliency of a weight is
|∂L(D_f)/∂θ| at the trained model, L the mean cross-entropy over the whole forget set; the mask is its top share.
The test computes that saliency itself (burn's cross-entropy, one backward pass over the forget set, the gradients
in the model's flat order) and ranks it itself: every weight SalUn changed lies at or above the 20 % threshold
(ties included, as Lethe includes them), and most of those above it changed. */
#[test]
fn salun_mask_is_the_top_share_of_the_forget_saliency() {
    use burn::nn::loss::CrossEntropyLossConfig;
    let b = bench();
    let before = params(&b.trained.model);
    let t = &b.valid.train;
    let after = params(&b.net(&Salun::new(&spec(Method::Salun, &[("sparsity", 0.2)]), t)));
    let device = &b.rt.device;
    let n = b.sets.forget.len();
    let x = Tensor::<2>::from_data(
        TensorData::new(b.sets.forget.x.clone(), [n, b.sets.d]),
        device,
    );
    let y = Tensor::<1, Int>::from_data(
        TensorData::new(
            b.sets
                .forget
                .y
                .iter()
                .map(|&c| c as i64)
                .collect::<Vec<_>>(),
            [n],
        ),
        device,
    );
    let loss = CrossEntropyLossConfig::new()
        .init(device)
        .forward(b.trained.model.forward(x), y);
    let grads = loss.backward();
    let saliency: Vec<f32> =
        lethe_engine::fit::params::flat_grads(&b.trained.model, &grads, "test")
            .unwrap()
            .abs()
            .into_data()
            .iter::<f32>()
            .collect();
    let mut ranked = saliency.clone();
    ranked.sort_by(|a, c| c.total_cmp(a));
    let threshold = ranked[(saliency.len() as f64 * 0.2).round() as usize - 1];
    let changed: Vec<usize> = (0..before.len())
        .filter(|&i| before[i] != after[i])
        .collect();
    let outside = changed.iter().filter(|&&i| saliency[i] < threshold).count();
    assert_eq!(
        outside, 0,
        "{outside} changed weights lie below the saliency threshold {threshold}"
    );
    let top = saliency.iter().filter(|&&s| s >= threshold).count();
    assert!(
        changed.len() * 2 >= top,
        "only {} of the {top} most salient weights changed",
        changed.len()
    );
}

/* Break caught: α = 0 (no noise). Source: closed form. In the reference form nearly every weight's noise is at the
cap, N(0, 10⁻³²), whose mean absolute value is 10⁻³·√(2/π) = 0.80·10⁻³; the ×10 parameters (the 10-class output
bias) add a little. The mean absolute change must lie within [0.6, 1.5]·10⁻³; with α = 0 it is 0. */
#[test]
fn fisher_adds_the_reference_noise() {
    let b = bench();
    let before = params(&b.trained.model);
    let t = &b.valid.train;
    let mean_change = |net: &Classifier| {
        let after = params(net);
        before
            .iter()
            .zip(&after)
            .map(|(a, c)| (a - c).abs() as f64)
            .sum::<f64>()
            / before.len() as f64
    };
    let reference = mean_change(&b.net(&Fisher::new(&spec(Method::Fisher, &[]), t)));
    assert!(
        (0.6e-3..=1.5e-3).contains(&reference),
        "mean |Δθ| {reference}, not the reference's capped noise"
    );
    let none = mean_change(&b.net(&Fisher::new(&spec(Method::Fisher, &[("alpha", 0.0)]), t)));
    assert_eq!(none, 0.0, "α = 0 adds no noise");
}

/* Break caught: a noise optimiser that does not raise the forget labels' loss. Source: the reference's objective
(UNSIR): Adam on −CE(f(N), y) + λ·mean_rows Σ N² must end lower than it started, and the model's cross-entropy on
the noise (its error on the forget labels) higher. */
#[test]
fn unsir_noise_maximises_the_forget_labels_error() {
    let b = bench();
    let ctx = b.ctx();
    let u = Unsir::new(
        &spec(Method::Unsir, &[]),
        &b.valid.train,
        b.valid.model.kind,
    );
    let mut rng = Rng64::new(b.valid.seed, stream::UNLEARN);
    let noise = block_on(u.noise(&ctx, &mut rng, &mut Straight)).unwrap();
    let target = lethe_engine::fit::descent::labels(&noise.labels, &b.rt.device);
    let loss = |n: &Tensor<2>, l2: f64| -> f64 {
        noise_loss(&ctx, n.clone(), target.clone(), l2).into_scalar::<f32>() as f64
    };
    assert!(
        loss(&noise.shaped, u.noise_l2) < loss(&noise.initial, u.noise_l2),
        "the noise's loss did not fall"
    );
    // λ = 0 leaves −CE: its negation is the cross-entropy, which must have risen.
    assert!(
        -loss(&noise.shaped, 0.0) > -loss(&noise.initial, 0.0),
        "the forget labels' error did not rise"
    );
}

/* Break caught: a max phase that does not push the student away from the teacher on the forget set. Source: the
method's definition (SCRUB, Kurmanji et al. 2023): the max-steps maximise KL(teacher ‖ student) on the forget set,
so with them the forget set's divergence from the teacher must end larger than without them (max_epochs 0, the
same min-steps otherwise). */
#[test]
fn scrub_max_phase_drives_the_forget_set_away_from_the_teacher() {
    let b = bench();
    let t = &b.valid.train;
    let with_max = b.net(&Scrub::new(
        &spec(Method::Scrub, &[("epochs", 2.0), ("max_epochs", 1.0)]),
        t,
        b.valid.model.kind,
    ));
    let without = b.net(&Scrub::new(
        &spec(Method::Scrub, &[("epochs", 2.0), ("max_epochs", 0.0)]),
        t,
        b.valid.model.kind,
    ));
    let (pushed, held) = (
        b.forget_kl_from_teacher(&with_max),
        b.forget_kl_from_teacher(&without),
    );
    assert!(
        pushed > held + 0.05,
        "KL from the teacher on the forget set: {pushed} with the max phase, {held} without"
    );
}

/* Break caught: an amnesiac step that subtracts nothing (it would then be its repair alone). Source: the retrain
oracle of the definition (Graves et al. 2021): a model that never saw class 3 classifies none of it, and subtracting
the logged updates of every batch that held a class-3 point moves the model toward that. So amnesiac's forget
accuracy must be strictly below that of its repair alone (the same repair epochs and learning rate on the retain
set, from the trained model). */
#[test]
fn amnesiac_forgets_more_than_its_repair_alone() {
    let b = bench();
    let t = &b.valid.train;
    let amnesiac = Amnesiac::new(&spec(Method::Amnesiac, &[]), t, b.valid.model.kind);
    let unlearned = b.net(&amnesiac);
    let repair_only = block_on(on_retain(
        b.trained.model.clone(),
        &b.ctx(),
        amnesiac.repair_epochs,
        amnesiac.learning_rate,
        &mut Straight,
    ))
    .unwrap();
    let (fa, fa_repair) = (b.forget_acc(&unlearned), b.forget_acc(&repair_only));
    assert!(
        fa + 0.1 < fa_repair,
        "forget accuracy {fa} after amnesiac, {fa_repair} after its repair alone"
    );
}

/* Breaks caught: an amnesiac step that subtracts the updates of the wrong batches (every batch, or none), or more
than the logged updates. Source: the definition (Graves et al. 2021) and the log's own arithmetic: training logs
θ_T = θ_0 + Σ_t δ_t. The forget set is the rows of one logged batch j of a one-epoch training, so no other batch
holds a forget point: amnesiac without repair must leave exactly θ_T − δ_j = θ_0 + Σ_{t≠j} δ_t, every other update
kept (to float rounding, 1e-5), and differ from subtracting every update (θ_0). */
#[test]
fn amnesiac_subtracts_exactly_the_forget_batches_updates() {
    let mut e = Experiment::demo();
    e.data.source = DataSource::Digits;
    e.model.width = 16;
    e.train.epochs = 1;
    e.train.batch_size = 64;
    let b = bench_with(e, |_, log| {
        let mut batch = log.steps[log.steps.len() / 2].0.clone();
        batch.sort_unstable();
        batch
    });
    let log = b.state.log.as_ref().unwrap();
    let j = log.steps.len() / 2;
    let deltas: Vec<Vec<f32>> = log
        .steps
        .iter()
        .map(|(_, delta)| delta.clone().into_data().iter::<f32>().collect())
        .collect();
    let amnesiac = Amnesiac::new(
        &spec(Method::Amnesiac, &[("repair_epochs", 0.0)]),
        &b.valid.train,
        b.valid.model.kind,
    );
    let unlearned = params(&b.net(&amnesiac));
    let initial = Classifier::new(
        &b.valid.model,
        b.sets.d,
        b.sets.n_classes,
        b.valid.seed,
        &b.rt.device,
    );
    let theta_0 = params(&initial);
    let mut kept = theta_0.clone();
    for (_, delta) in deltas.iter().enumerate().filter(|&(t, _)| t != j) {
        kept.iter_mut().zip(delta).for_each(|(k, d)| *k += d);
    }
    let gap = |a: &[f32], b: &[f32]| {
        a.iter()
            .zip(b)
            .map(|(x, y)| (x - y).abs())
            .fold(0.0f32, f32::max)
    };
    assert!(gap(&unlearned, &kept) < 1e-5, "{}", gap(&unlearned, &kept));
    assert!(
        gap(&unlearned, &theta_0) > 1e-3,
        "{}",
        gap(&unlearned, &theta_0)
    );
}
