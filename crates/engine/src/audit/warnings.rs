//! Warnings on an unlearned model, read against the retrain band: forgetting too little (under-unlearning), too
//! much (over-unlearning: the forget set now stands out, itself a membership leak), and a forget set too small for
//! the membership attack to mean anything.

// The band and its tolerances live in the protocol, so that the page draws the very band the engine judged by.
pub use lethe_protocol::audit::{Band, FORGET_ACC_TOLERANCE, MIA_TOLERANCE, MIN_MIA_PAIRS};

/// The retrain bands an unlearned model is read against.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bands {
    /// Forget accuracy.
    pub forget_acc: Band,
    /// MIA AUC (absent when the attack had too few pairs to run).
    pub mia_auc: Option<Band>,
}

/// The warnings for a model with forget accuracy `forget_acc` and attack AUC `mia_auc`, given `pairs` attack pairs.
pub fn warnings(forget_acc: f64, mia_auc: Option<f64>, pairs: usize, bands: &Bands) -> Vec<String> {
    let mut out = Vec::new();
    let fa = bands.forget_acc;
    if forget_acc < fa.lo {
        out.push(format!(
            "over-unlearning: forget accuracy {forget_acc:.3} is below the retrain band [{:.3}, {:.3}]; the forget set now stands out, itself a leak",
            fa.lo.max(0.0),
            fa.hi.min(1.0)
        ));
    } else if forget_acc > fa.hi {
        out.push(format!(
            "under-unlearning: forget accuracy {forget_acc:.3} is above the retrain band [{:.3}, {:.3}]",
            fa.lo.max(0.0),
            fa.hi.min(1.0)
        ));
    }
    if let (Some(auc), Some(band)) = (mia_auc, bands.mia_auc) {
        if auc < band.lo {
            out.push(format!(
                "over-unlearning: MIA AUC {auc:.3} is below the retrain band [{:.3}, {:.3}]; the attack now tells the forget set apart by its unusual losses",
                band.lo.max(0.0),
                band.hi.min(1.0)
            ));
        } else if auc > band.hi {
            out.push(format!(
                "under-unlearning: MIA AUC {auc:.3} is above the retrain band [{:.3}, {:.3}]; the forget set still looks like training data",
                band.lo.max(0.0),
                band.hi.min(1.0)
            ));
        }
    }
    if pairs < MIN_MIA_PAIRS {
        out.push(format!(
            "the membership attack compared only {pairs} member/non-member pairs (fewer than {MIN_MIA_PAIRS}): its AUC is noise, not evidence"
        ));
    }
    out
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
            under.iter().all(|w| w.starts_with("under-unlearning")),
            "{under:?}"
        );
        let over = warnings(0.0, Some(0.2), 10, &bands);
        assert!(
            over[0].starts_with("over-unlearning: MIA AUC 0.200"),
            "{over:?}"
        );
        assert!(
            over[1].contains("only 10 member/non-member pairs"),
            "{over:?}"
        );
    }
}
