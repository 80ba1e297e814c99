//! The data behind the lab's pictures: each model's decision boundary (2-D data) and its attack losses.

use lethe_protocol::BoundaryGrid;
use lethe_protocol::audit::{AttackLosses, MAX_ATTACK_LOSSES, ModelBoundary};

use crate::audit::yardstick::Measured;
use crate::backend::Runtime;
use crate::data::Prepared;
use crate::error::Result;
use crate::unlearn::Fitted;

/// The data behind the lab's pictures: each model's decision boundary (2-D data) and its attack losses.
pub(super) struct Figures<'a> {
    data: &'a Prepared,
    features: [usize; 2],
    rt: &'a Runtime,
    pub(super) boundaries: Vec<ModelBoundary>,
    pub(super) attack: Vec<AttackLosses>,
}

impl<'a> Figures<'a> {
    pub(super) fn new(data: &'a Prepared, features: [usize; 2], rt: &'a Runtime) -> Self {
        Self {
            data,
            features,
            rt,
            boundaries: Vec::new(),
            attack: Vec::new(),
        }
    }

    pub(super) async fn add(
        &mut self,
        method: &str,
        model: &Fitted,
        measured: &Measured,
    ) -> Result<()> {
        // The first pairs, in the pairing's own (seeded) order: the same points for every model.
        let cap = |v: &[f64]| v.iter().take(MAX_ATTACK_LOSSES).copied().collect();
        self.attack.push(AttackLosses {
            method: method.into(),
            members: cap(&measured.members),
            non_members: cap(&measured.non_members),
        });
        if self.data.n_features() == 2 {
            let grid = fitted_boundary(model, self.data, self.features, self.rt).await?;
            self.boundaries.push(ModelBoundary {
                method: method.into(),
                grid,
            });
        }
        Ok(())
    }
}

/// [`crate::train::boundary`] for any fitted model (a network, SISA's ensemble, the certified linear model).
async fn fitted_boundary(
    model: &Fitted,
    data: &Prepared,
    features: [usize; 2],
    rt: &Runtime,
) -> Result<BoundaryGrid> {
    let res = crate::train::BOUNDARY_RESOLUTION;
    let (xr, yr, points) = data.plane_grid(features, res);
    let k = data.n_classes();
    let probs = model.probabilities(&points, 2, &rt.eval).await?;
    let mut class = Vec::with_capacity(res * res);
    let mut confidence = Vec::with_capacity(res * res);
    for row in probs.chunks(k) {
        let (c, p) = row
            .iter()
            .enumerate()
            .fold((0, f32::NEG_INFINITY), |best, (c, &p)| {
                if p > best.1 { (c, p) } else { best }
            });
        class.push(c as u32);
        confidence.push(p);
    }
    Ok(BoundaryGrid {
        x_range: xr,
        y_range: yr,
        resolution: res,
        class,
        confidence,
    })
}
