//! The lab's rows: what every model is measured by, the lab's audit around it, the row of an unlearned model, and
//! the retrain row with its spread over seeds.

use std::collections::BTreeMap;

use lethe_protocol::{Audit, Forgetting, Method, RunReport, WarningKind};

use super::relearn::Relearn;
use crate::audit::divergence::{mean_js, tow};
use crate::audit::warnings::{Bands, warnings};
use crate::audit::yardstick::{Measured, Yardstick};
use crate::data::Prepared;
use crate::error::Result;
use crate::fit::params::{flat, l2_distance};
use crate::host::Host;
use crate::metrics::mean_std;
use crate::model::Classifier;
use crate::rows::test_row;

/// Retain, forget and test accuracy, in the order tug-of-war takes them.
pub(super) fn accs(m: &Measured) -> [f64; 3] {
    [m.retain_acc, m.forget_acc, m.test_acc]
}

/// The measurements every row has; the comparisons with the reference empty.
pub(super) fn measured(m: &Measured) -> Forgetting {
    Forgetting {
        speedup_vs_retrain: None,
        sample_grads: None,
        work_speedup_vs_retrain: None,
        retain_acc: m.retain_acc,
        forget_acc: m.forget_acc,
        mia_auc: m.mia_auc,
        js_to_retrain: None,
        tow: None,
        l2_to_retrain: None,
        backdoor_asr: m.backdoor_asr,
        warnings: Vec::new(),
        params: BTreeMap::new(),
    }
}

/// The lab's audit around `forgetting`, the lab-only keys empty.
pub(super) fn audit(forgetting: Forgetting) -> Audit {
    Audit {
        family: None,
        guarantee: None,
        forgetting,
        hessian_rows: None,
        relearn_epochs: None,
        prepare_seconds: None,
        retain_acc_std: None,
        forget_acc_std: None,
        test_acc_std: None,
        mia_auc_std: None,
        certificate: None,
        sisa: None,
        privacy_score: None,
    }
}

/// The row of an unlearned model: test metrics of the row format, with `train_loss`/`train_acc` on the
/// retain set (what the model is now trained on) and no history.
pub(super) fn method_row(
    method: Method,
    seconds: f64,
    epochs: usize,
    m: &Measured,
    data: &Prepared,
) -> RunReport {
    test_row(
        method.key(),
        seconds,
        epochs,
        (m.retain_loss, m.retain_acc),
        &m.test_predicted,
        data,
    )
}

/// The retrain row: the mean over seeds (spread in the `*_std` keys), and distances from the other seeds'
/// retrains to the reference (the natural spread of retraining; 0, 1 and 0 with one seed).
#[allow(clippy::too_many_arguments)]
pub(super) async fn retrain_row<H: Host>(
    retrains: &[(Classifier, Measured, f64)],
    reference_flat: &[f32],
    bands: &Bands,
    yardstick: &Yardstick<'_>,
    relearn: &Relearn<'_>,
    seconds: f64,
    data: &Prepared,
    host: &mut H,
) -> Result<(RunReport, Audit)> {
    let k = yardstick.sets.n_classes;
    let reference = &retrains[0];
    let several = retrains.len() > 1;
    let spread =
        |f: fn(&Measured) -> f64| mean_std(&retrains.iter().map(|r| f(&r.1)).collect::<Vec<_>>());
    let (ra, ra_std) = spread(|m| m.retain_acc);
    let (fa, fa_std) = spread(|m| m.forget_acc);
    let (ta, ta_std) = spread(|m| m.test_acc);
    let mias: Vec<f64> = retrains.iter().filter_map(|r| r.1.mia_auc).collect();
    let (mia, mia_std) = mean_std(&mias);
    let others = if several { &retrains[1..] } else { retrains };
    let mut js = Vec::new();
    let mut tows = Vec::new();
    let mut l2 = Vec::new();
    for (model, m, _) in others {
        js.push(mean_js(&m.forget_probs, &reference.1.forget_probs, k));
        tows.push(tow(accs(m), accs(&reference.1)));
        l2.push(l2_distance(&flat(model).await?, reference_flat));
    }
    let mut row = method_row(
        Method::Retrain,
        seconds,
        relearn.train.epochs,
        &reference.1,
        data,
    );
    row.test_acc = ta;
    let mean = |v: &[f64]| mean_std(v).0;
    let mia_auc = (!mias.is_empty()).then_some(mia);
    // The retrain is the band: only the attack's own warning applies to it.
    let few_pairs = warnings(fa, mia_auc, yardstick.pairs.len(), bands)
        .into_iter()
        .filter(|w| matches!(w.kind, WarningKind::FewAttackPairs { .. }))
        .collect();
    let audit = Audit {
        family: Some(Method::Retrain.family()),
        guarantee: Some(Method::Retrain.guarantee()),
        forgetting: Forgetting {
            speedup_vs_retrain: Some(1.0),
            retain_acc: ra,
            forget_acc: fa,
            mia_auc,
            js_to_retrain: Some(mean(&js)),
            tow: Some(mean(&tows)),
            l2_to_retrain: Some(mean(&l2)),
            warnings: few_pairs,
            ..measured(&reference.1)
        },
        relearn_epochs: Some(relearn.epochs(&reference.0, host).await?),
        retain_acc_std: several.then_some(ra_std),
        forget_acc_std: several.then_some(fa_std),
        test_acc_std: several.then_some(ta_std),
        mia_auc_std: (several && !mias.is_empty()).then_some(mia_std),
        ..audit(measured(&reference.1))
    };
    Ok((row, audit))
}
