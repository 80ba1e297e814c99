//! Warnings on an unlearned model, read against the retrain band: forgetting too little (under-unlearning), too
//! much (over-unlearning: the forget set now stands out, itself a membership leak), and a forget set too small for
//! the membership attack to mean anything.

// The band and its tolerances live in the protocol, so that the page draws the very band the engine judged by.
pub use lethe_protocol::audit::{Band, FORGET_ACC_TOLERANCE, MIA_TOLERANCE, MIN_MIA_PAIRS};
use lethe_protocol::{WarnedMetric, Warning, WarningKind};

/// The retrain bands an unlearned model is read against.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bands {
    /// Forget accuracy.
    pub forget_acc: Band,
    /// MIA AUC (absent when the attack had too few pairs to run).
    pub mia_auc: Option<Band>,
}

/// The warnings for a model with forget accuracy `forget_acc` and attack AUC `mia_auc`, given `pairs` attack pairs.
pub fn warnings(
    forget_acc: f64,
    mia_auc: Option<f64>,
    pairs: usize,
    bands: &Bands,
) -> Vec<Warning> {
    let mut out = Vec::new();
    let mut against = |metric: WarnedMetric, value: f64, b: Band| {
        let band = [b.lo.max(0.0), b.hi.min(1.0)];
        if value < b.lo {
            out.push(WarningKind::OverUnlearning {
                metric,
                value,
                band,
            });
        } else if value > b.hi {
            out.push(WarningKind::UnderUnlearning {
                metric,
                value,
                band,
            });
        }
    };
    against(WarnedMetric::ForgetAcc, forget_acc, bands.forget_acc);
    if let (Some(auc), Some(band)) = (mia_auc, bands.mia_auc) {
        against(WarnedMetric::MiaAuc, auc, band);
    }
    if pairs < MIN_MIA_PAIRS {
        out.push(WarningKind::FewAttackPairs {
            pairs,
            min: MIN_MIA_PAIRS,
        });
    }
    out.into_iter().map(Warning::from).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /* Band arithmetic: mean 0.5, std 0.08 → half-width max(0.16, 0.1) = 0.16, [0.34, 0.66]; std 0 → tolerance. */
    #[test]
    fn bands_and_warnings() {
        let b = Band::new(0.5, 0.08, MIA_TOLERANCE);
        assert!((b.lo - 0.34).abs() < 1e-12 && (b.hi - 0.66).abs() < 1e-12);
        let bands = Bands {
            forget_acc: Band::new(0.0, 0.0, FORGET_ACC_TOLERANCE),
            mia_auc: Some(Band::new(0.5, 0.0, MIA_TOLERANCE)),
        };
        assert!(warnings(0.02, Some(0.55), 100, &bands).is_empty());
        let under = warnings(0.4, Some(0.7), 100, &bands);
        assert_eq!(under.len(), 2);
        assert!(
            under
                .iter()
                .all(|w| matches!(w.kind, WarningKind::UnderUnlearning { .. })
                    && w.text.starts_with("under-unlearning")),
            "{under:?}"
        );
        let over = warnings(0.0, Some(0.2), 10, &bands);
        assert!(
            matches!(over[0].kind, WarningKind::OverUnlearning { metric: WarnedMetric::MiaAuc, value, band }
                if value == 0.2 && (band[0] - 0.4).abs() < 1e-12 && (band[1] - 0.6).abs() < 1e-12),
            "{over:?}"
        );
        assert!(
            over[0].text.starts_with(
                "over-unlearning: MIA AUC 0.200 is below the retrain band [0.400, 0.600]"
            ),
            "{over:?}"
        );
        assert_eq!(
            over[1].kind,
            WarningKind::FewAttackPairs { pairs: 10, min: 50 }
        );
        assert!(
            over[1].text.contains("only 10 member/non-member pairs"),
            "{over:?}"
        );
    }
}
