//! FedEraser (Liu et al., IWQoS 2021): rebuild the global model from the server's history without the target
//! client, replaying only the retained rounds.
//!
//! - First retained round: the weighted mean of the remaining clients' stored models (they all started from the
//!   initial model, which holds nothing of the target).
//! - Each later retained round t: with calibration, the remaining clients train the new global model for
//!   ⌈r × local_epochs⌉ epochs, and the update is, per parameter tensor,
//!   ‖oldCM̄_t − oldGM_t‖ · (newCM̄_t − newGM_t) / ‖newCM̄_t − newGM_t‖: the stored update's size, the
//!   calibration's direction. Without calibration, the stored update oldCM̄_t − oldGM_t is replayed as it is.

use web_time::Instant;

use super::fedavg::{FedRun, Federation, History, weighted_mean};
use crate::data::rng::Rng64;
use crate::error::{EngineError, Result};
use crate::fit::params::{flat, with_flat};
use crate::host::Host;
use crate::model::Classifier;

/// `a − b`.
fn minus(a: &[f32], b: &[f32]) -> Vec<f32> {
    a.iter().zip(b).map(|(x, y)| x - y).collect()
}

/// Per parameter tensor (`sizes`, in flat order): `old`'s norm in `new`'s direction (zero where `new` is zero).
pub fn calibrate(old: &[f32], new: &[f32], sizes: &[usize]) -> Vec<f32> {
    let mut out = Vec::with_capacity(old.len());
    let mut at = 0;
    for &n in sizes {
        let (o, w) = (&old[at..at + n], &new[at..at + n]);
        let norm = |v: &[f32]| v.iter().map(|x| (*x as f64).powi(2)).sum::<f64>().sqrt();
        let (no, nw) = (norm(o), norm(w));
        let scale = if nw > 0.0 { no / nw } else { 0.0 };
        out.extend(w.iter().map(|x| (*x as f64 * scale) as f32));
        at += n;
    }
    out
}

/// Rebuilds the global model from `history` without `target`; `calibration_epochs` None replays without
/// calibration. `start` is the initial global model (its architecture and device).
#[allow(clippy::too_many_arguments)]
pub async fn erase<H: Host>(
    fed: &Federation<'_>,
    history: &History,
    start: Classifier,
    target: usize,
    calibration_epochs: Option<usize>,
    sizes: &[usize],
    rngs: &mut [Rng64],
    label: &str,
    host: &mut H,
) -> Result<FedRun> {
    let started = Instant::now();
    let mut global = start;
    let mut curve = Vec::new();
    let mut client_epochs = 0;
    let steps = history.retained.len();
    for (i, (round, stored)) in history.retained.iter().enumerate() {
        host.stage(label, i, steps);
        let remaining: Vec<&(usize, Vec<f32>)> =
            stored.iter().filter(|(k, _)| *k != target).collect();
        if remaining.is_empty() {
            continue; // only the target trained in this round: nothing of the others to replay
        }
        let weights: Vec<f64> = remaining
            .iter()
            .map(|(k, _)| fed.clients[*k].len() as f64)
            .collect();
        let old_mean = weighted_mean(
            &remaining
                .iter()
                .map(|(_, w)| w.as_slice())
                .collect::<Vec<_>>(),
            &weights,
        );
        let next = if i == 0 {
            old_mean
        } else {
            let old_global = history.globals.get(*round).ok_or_else(|| {
                EngineError::Unlearn(format!("the history has no global model for round {round}"))
            })?;
            let old_update = minus(&old_mean, old_global);
            let current = flat(&global).await?;
            let update = match calibration_epochs {
                None => old_update,
                Some(epochs) => {
                    let mut news = Vec::with_capacity(remaining.len());
                    for (k, _) in &remaining {
                        news.push(fed.local(*k, &global, epochs, &mut rngs[*k], host).await?);
                        client_epochs += epochs;
                    }
                    let new_mean = weighted_mean(
                        &news.iter().map(Vec::as_slice).collect::<Vec<_>>(),
                        &weights,
                    );
                    calibrate(&old_update, &minus(&new_mean, &current), sizes)
                }
            };
            current.iter().zip(&update).map(|(w, u)| w + u).collect()
        };
        global = with_flat(global, &next, &fed.rt.device);
        curve.push(fed.point(round + 1, &global).await?);
    }
    Ok(FedRun {
        model: global,
        history: None,
        curve,
        client_epochs,
        seconds: started.elapsed().as_secs_f64(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /* Source: closed form: per tensor, the old update's norm (5 and 1) in the new update's direction. */
    #[test]
    fn calibration_takes_the_size_from_history_and_the_direction_from_calibration() {
        let old = [3.0, 4.0, -1.0];
        let new = [0.0, 2.0, 0.5];
        let c = calibrate(&old, &new, &[2, 1]);
        assert_eq!(c, vec![0.0, 5.0, 1.0]);
        assert_eq!(calibrate(&old, &[0.0, 0.0, 0.0], &[3]), vec![0.0; 3]);
    }
}
