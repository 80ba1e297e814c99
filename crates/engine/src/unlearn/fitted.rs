//! What an unlearning method leaves behind, and its class probabilities: a network, an ensemble of networks
//! (SISA), or a linear model solved in f64 (certified removal). The audit only ever asks for probabilities.

use burn::prelude::*;

use crate::error::Result;
use crate::fit::predict::net_probabilities;
use crate::model::Classifier;
use crate::unlearn::certified::LinearOvr;

/// A model that predicts.
#[derive(Debug, Clone)]
pub enum Fitted {
    /// One network (every gradient method, retrain).
    Net(Classifier),
    /// Several networks whose probabilities are averaged (SISA).
    Ensemble(Vec<Classifier>),
    /// A one-vs-rest linear model (certified removal).
    Linear(LinearOvr),
}

impl Fitted {
    /// Class probabilities for the row-major points `x`.
    pub async fn probabilities(&self, x: &[f32], d: usize, eval: &Device) -> Result<Vec<f32>> {
        match self {
            Self::Net(model) => net_probabilities(model, x, d, eval).await,
            Self::Ensemble(models) => {
                let mut sum: Vec<f32> = Vec::new();
                for model in models {
                    let p = net_probabilities(model, x, d, eval).await?;
                    if sum.is_empty() {
                        sum = p;
                    } else {
                        sum.iter_mut().zip(&p).for_each(|(s, v)| *s += v);
                    }
                }
                let k = models.len().max(1) as f32;
                Ok(sum.into_iter().map(|s| s / k).collect())
            }
            Self::Linear(linear) => Ok(linear.probabilities(x)),
        }
    }
}
