//! The federated table's membership attack, set up with the source paper's protocol: the shadow attack learns
//! from the original global model (every client's rows as members, half the test split as non-members) and is
//! applied unchanged to each model (the target client's rows against the other half).

use crate::audit::shadow::{self, Logistic, MAX_ATTACK_POINTS, features};
use crate::backend::Runtime;
use crate::data::rng::{Rng64, stream};
use crate::data::{Prepared, Split};
use crate::error::Result;
use crate::fit::subset::subset;
use crate::forget::Sets;
use crate::model::Classifier;
use crate::unlearn::Fitted;

/// The attack on one model: precision and recall at ½, the AUC, and how many members (and as many non-members) it
/// compared.
pub(super) struct Reading {
    pub(super) precision: Option<f64>,
    pub(super) recall: Option<f64>,
    pub(super) auc: Option<f64>,
    pub(super) pairs: usize,
}

/// The shadow attack's data: members to learn from (the remaining clients' rows), non-members to learn from (the
/// first half of the test split), and the evaluation (the target's rows against the second half).
pub(super) struct ShadowSets {
    train_members: Split,
    train_non_members: Split,
    eval_non_members: Split,
}

impl ShadowSets {
    pub(super) fn new(sets: &Sets, data: &Prepared, parts: &[Vec<usize>], seed: u64) -> Self {
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
    pub(super) async fn fit(
        &self,
        original: &Classifier,
        sets: &Sets,
        rt: &Runtime,
    ) -> Result<Logistic> {
        let k = sets.n_classes;
        let fitted = Fitted::Net(original.clone());
        let (d, eval) = (sets.d, &rt.eval);
        let members = features(
            &fitted.probabilities(&self.train_members.x, d, eval).await?,
            &self.train_members.y,
            k,
        );
        let non_members = features(
            &fitted
                .probabilities(&self.train_non_members.x, d, eval)
                .await?,
            &self.train_non_members.y,
            k,
        );
        Ok(Logistic::fit(&members, &non_members))
    }

    /// The attack, unchanged, on `model`: the target client's rows (members) against as many unseen test rows; its
    /// precision and recall at the threshold ½, and its AUC over every threshold.
    pub(super) async fn evaluate(
        &self,
        attack: &Logistic,
        model: &Classifier,
        sets: &Sets,
        rt: &Runtime,
    ) -> Result<Reading> {
        let k = sets.n_classes;
        let fitted = Fitted::Net(model.clone());
        let (d, eval) = (sets.d, &rt.eval);
        let target: Vec<Vec<f64>> = features(
            &fitted.probabilities(&sets.forget.x, d, eval).await?,
            &sets.forget.y,
            k,
        )
        .into_iter()
        .take(MAX_ATTACK_POINTS)
        .collect();
        let others = features(
            &fitted
                .probabilities(&self.eval_non_members.x, d, eval)
                .await?,
            &self.eval_non_members.y,
            k,
        );
        let (precision, recall) = shadow::precision_recall(attack, &target, &others);
        Ok(Reading {
            precision,
            recall,
            auc: shadow::attack_auc(attack, &target, &others),
            pairs: target.len().min(others.len()),
        })
    }
}
