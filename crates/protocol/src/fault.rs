//! Faults injected on purpose, to test recovery (the page's test switch, never a link): `gpu-lost@3` makes the
//! worker lose its GPU at epoch 3, `worker-crash@3` makes it crash there (the first worker of a page only), and
//! `start-crash` makes every worker crash while it starts.

use std::fmt;

/// A fault to inject, and the epoch at which it strikes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// The WebGPU device is lost at the end of this epoch (no effect on the CPU backend).
    GpuLost(usize),
    /// The worker crashes (an uncaught error) at the end of this epoch.
    WorkerCrash(usize),
    /// Every worker crashes as it starts (on `hello`), so that the page's restarts must stop somewhere.
    StartCrash,
}

impl Fault {
    /// Reads `gpu-lost@3` or `worker-crash@3`. The error names the value and the accepted forms.
    pub fn parse(text: &str) -> Result<Fault, String> {
        let bad = || {
            format!(
                "fault \"{text}\" is not one of gpu-lost@EPOCH, worker-crash@EPOCH (EPOCH a whole number ≥ 1), start-crash"
            )
        };
        if text == "start-crash" {
            return Ok(Fault::StartCrash);
        }
        let (kind, epoch) = text.split_once('@').ok_or_else(bad)?;
        let epoch: usize = epoch.parse().ok().filter(|&e| e >= 1).ok_or_else(bad)?;
        match kind {
            "gpu-lost" => Ok(Fault::GpuLost(epoch)),
            "worker-crash" => Ok(Fault::WorkerCrash(epoch)),
            _ => Err(bad()),
        }
    }
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Fault::GpuLost(e) => write!(f, "gpu-lost@{e}"),
            Fault::WorkerCrash(e) => write!(f, "worker-crash@{e}"),
            Fault::StartCrash => write!(f, "start-crash"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_both_faults_and_names_a_bad_value() {
        assert_eq!(Fault::parse("gpu-lost@3"), Ok(Fault::GpuLost(3)));
        assert_eq!(Fault::parse("worker-crash@1"), Ok(Fault::WorkerCrash(1)));
        assert_eq!(Fault::WorkerCrash(1).to_string(), "worker-crash@1");
        assert_eq!(Fault::parse("start-crash"), Ok(Fault::StartCrash));
        for bad in ["gpu-lost", "gpu-lost@0", "gpu-lost@x", "melt@2"] {
            let err = Fault::parse(bad).unwrap_err();
            assert!(err.contains(&format!("\"{bad}\"")), "{err}");
        }
    }
}
