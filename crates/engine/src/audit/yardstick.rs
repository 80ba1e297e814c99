//! One model measured on an unlearning experiment's sets (forget, retain, test, a triggered copy): accuracies,
//! the membership attack's paired losses and AUC, the backdoor's success. The lab and the federated simulation
//! measure every model with the same yardstick.

use crate::audit::mia::{Pairs, attack_auc};
use crate::backend::Runtime;
use crate::error::Result;
use crate::forget::Sets;
use crate::metrics::{accuracy, losses, predictions};
use crate::unlearn::Fitted;

/// One model's measurements on the lab's sets.
pub(crate) struct Measured {
    pub(crate) retain_acc: f64,
    pub(crate) forget_acc: f64,
    pub(crate) test_acc: f64,
    pub(crate) retain_loss: f64,
    pub(crate) mia_auc: Option<f64>,
    pub(crate) forget_probs: Vec<f32>,
    pub(crate) test_predicted: Vec<u32>,
    pub(crate) backdoor_asr: Option<f64>,
    /// The attack's paired losses (members: forget points; non-members: their test partners).
    pub(crate) members: Vec<f64>,
    pub(crate) non_members: Vec<f64>,
}

/// What every model is measured against: the sets and the membership-attack pairs, fixed for the whole lab.
pub(crate) struct Yardstick<'a> {
    pub(crate) sets: &'a Sets,
    pub(crate) pairs: Pairs,
    pub(crate) rt: &'a Runtime,
}

impl Yardstick<'_> {
    /// Measures `model` on the sets.
    pub(crate) async fn measure(&self, model: &Fitted) -> Result<Measured> {
        let (s, k) = (self.sets, self.sets.n_classes);
        let eval = &self.rt.eval;
        let retain = model.probabilities(&s.retain.x, s.d, eval).await?;
        let forget = model.probabilities(&s.forget.x, s.d, eval).await?;
        let test = model.probabilities(&s.test.x, s.d, eval).await?;
        let test_predicted = predictions(&test, k);
        let (f_loss, t_loss) = (losses(&forget, &s.forget.y, k), losses(&test, &s.test.y, k));
        let members: Vec<f64> = self.pairs.members.iter().map(|&i| f_loss[i]).collect();
        let non_members: Vec<f64> = self.pairs.non_members.iter().map(|&i| t_loss[i]).collect();
        let backdoor_asr = match &s.triggered {
            Some((triggered, target)) => {
                let p = model.probabilities(&triggered.x, s.d, eval).await?;
                let hits = predictions(&p, k).iter().filter(|&&c| c == *target).count();
                Some(hits as f64 / triggered.len().max(1) as f64)
            }
            None => None,
        };
        let retain_loss = losses(&retain, &s.retain.y, k);
        Ok(Measured {
            retain_acc: accuracy(&predictions(&retain, k), &s.retain.y),
            forget_acc: accuracy(&predictions(&forget, k), &s.forget.y),
            test_acc: accuracy(&test_predicted, &s.test.y),
            retain_loss: retain_loss.iter().sum::<f64>() / retain_loss.len().max(1) as f64,
            mia_auc: attack_auc(&members, &non_members),
            forget_probs: forget,
            test_predicted,
            backdoor_asr,
            members,
            non_members,
        })
    }
}
