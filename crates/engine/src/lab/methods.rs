//! Each listed method, its settings resolved from the experiment and the model kind, run on the lab's context.

use std::collections::BTreeMap;

use lethe_protocol::{Method, MethodSpec};

use crate::error::Result;
use crate::host::Host;
use crate::unlearn::amnesiac::Amnesiac;
use crate::unlearn::bad_teacher::BadTeacher;
use crate::unlearn::certified::Certified;
use crate::unlearn::finetune::Finetune;
use crate::unlearn::fisher::Fisher;
use crate::unlearn::neggrad::Neggrad;
use crate::unlearn::neggrad_plus::NeggradPlus;
use crate::unlearn::random_labels::RandomLabels;
use crate::unlearn::salun::Salun;
use crate::unlearn::scrub::Scrub;
use crate::unlearn::sisa::Sisa;
use crate::unlearn::unsir::Unsir;
use crate::unlearn::{Context, Unlearned, Unlearner};

/// Resolves a method's settings and runs it.
pub(super) async fn run_method<H: Host>(
    spec: &MethodSpec,
    ctx: &Context<'_>,
    host: &mut H,
) -> Result<(Unlearned, BTreeMap<String, f64>)> {
    async fn go<U: Unlearner, H: Host>(
        u: U,
        ctx: &Context<'_>,
        host: &mut H,
    ) -> Result<(Unlearned, BTreeMap<String, f64>)> {
        let params = u.params();
        Ok((u.unlearn(ctx, host).await?, params))
    }
    let t = ctx.train;
    match spec.method {
        Method::Retrain => unreachable!("retrain runs as the oracle"),
        Method::Sisa => go(Sisa::new(spec, t), ctx, host).await,
        Method::Certified => go(Certified::new(spec, t), ctx, host).await,
        Method::Finetune => go(Finetune::new(spec, t), ctx, host).await,
        Method::Neggrad => go(Neggrad::new(spec, t), ctx, host).await,
        Method::NeggradPlus => go(NeggradPlus::new(spec, t), ctx, host).await,
        Method::RandomLabels => go(RandomLabels::new(spec, t), ctx, host).await,
        Method::Scrub => go(Scrub::new(spec, t, ctx.model.kind), ctx, host).await,
        Method::Fisher => go(Fisher::new(spec, t), ctx, host).await,
        Method::Amnesiac => go(Amnesiac::new(spec, t, ctx.model.kind), ctx, host).await,
        Method::BadTeacher => go(BadTeacher::new(spec, t), ctx, host).await,
        Method::Salun => go(Salun::new(spec, t), ctx, host).await,
        Method::Unsir => go(Unsir::new(spec, t, ctx.model.kind), ctx, host).await,
    }
}
