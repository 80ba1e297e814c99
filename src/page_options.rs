//! Options of the page. From the query string (the experiment itself is in the hash): `?embed` for the compact view
//! an iframe shows. From the test switch: a fault to inject, which only the browser tests set, because a link must
//! never be able to crash a visitor's engine.
//!
//! The test switch is the localStorage key `lethe.test`, holding JSON such as `{"fault": "worker-crash@3"}`,
//! `{"fault": "worker-crash@2", "fault_every": true}` (every worker fails, not only the first: a second failure
//! after recovery), `{"hang_ms": 3000}` (a shorter hang timeout, so that no test waits a minute) or
//! `{"protocol": 99}` (the page announces another protocol version, as a stale cached page would) or
//! `{"page_panic": true}` (the page panics once up, to show its internal-error banner) or
//! `{"adapter": "Test GPU"}` (the page takes the browser to have this hardware WebGPU adapter, so that Auto's
//! per-run choice of engine can be tested on a machine without a GPU). The
//! end-to-end tests write it before the page loads (Playwright's `addInitScript`, `openPage(…, { testSwitch })` in
//! `tests/support.mjs`); a link cannot. The page reads it once at start-up and does not keep it.

use lethe_protocol::Fault;

/// localStorage key of the test switch.
pub const TEST_SWITCH_KEY: &str = "lethe.test";

/// What the page was asked for.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PageOptions {
    /// The compact view for an iframe.
    pub embed: bool,
    /// A fault to inject into the first worker (test switch only).
    pub fault: Option<Fault>,
    /// Inject the fault into every worker, not only the first (test switch only).
    pub fault_every: bool,
    /// The hang timeout in milliseconds (test switch only; the controller's default otherwise).
    pub hang_ms: Option<f64>,
    /// The least length of one optimiser step in milliseconds, in every worker (test switch only).
    pub step_ms: Option<f64>,
    /// How long the worker has to confirm a Cancel, in milliseconds (test switch only; the controller's default
    /// otherwise).
    pub cancel_ms: Option<f64>,
    /// The protocol version the page announces instead of its own (test switch only).
    pub protocol: Option<u32>,
    /// Panic in the page once it is up, to show what a page-side bug looks like (test switch only).
    pub page_panic: bool,
    /// A hardware WebGPU adapter to assume under Auto (test switch only).
    pub adapter: Option<String>,
}

impl PageOptions {
    /// Reads `search` (`location.search`, with or without its `?`) and the test switch's text, if any. Unknown
    /// parameters are ignored, and so is `?fault=` (links cannot inject faults); a bad test switch is returned as a
    /// message naming the value.
    pub fn read(search: &str, test_switch: Option<&str>) -> (PageOptions, Option<String>) {
        let mut options = PageOptions::default();
        for pair in search
            .trim_start_matches('?')
            .split('&')
            .filter(|p| !p.is_empty())
        {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            if key == "embed" {
                options.embed = value != "0" && value != "false";
            }
        }
        let mut error = None;
        if let Some(text) = test_switch {
            match serde_json::from_str::<serde_json::Value>(text) {
                Ok(v) => {
                    if let Some(f) = v.get("fault").and_then(|f| f.as_str()) {
                        match Fault::parse(f) {
                            Ok(f) => options.fault = Some(f),
                            Err(e) => {
                                error =
                                    Some(format!("The test switch's {e}; no fault is injected."))
                            }
                        }
                    }
                    let positive = |key: &str| {
                        v.get(key)
                            .and_then(|h| h.as_f64())
                            .filter(|h| h.is_finite() && *h > 0.0)
                    };
                    options.step_ms = positive("step_ms");
                    options.cancel_ms = positive("cancel_ms");
                    options.hang_ms = positive("hang_ms");
                    options.fault_every =
                        v.get("fault_every").and_then(|f| f.as_bool()) == Some(true);
                    options.page_panic =
                        v.get("page_panic").and_then(|f| f.as_bool()) == Some(true);
                    options.adapter = v
                        .get("adapter")
                        .and_then(|a| a.as_str())
                        .map(str::to_string);
                    options.protocol = v
                        .get("protocol")
                        .and_then(|p| p.as_u64())
                        .and_then(|p| u32::try_from(p).ok());
                }
                Err(e) => {
                    error = Some(format!(
                        "The test switch {TEST_SWITCH_KEY} is not JSON ({e}): {text}"
                    ))
                }
            }
        }
        (options, error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_embed_and_the_test_switch_but_not_a_fault_in_the_link() {
        let (o, e) = PageOptions::read("?embed&fault=gpu-lost@3", None);
        assert_eq!((o.embed, o.fault, e), (true, None, None));
        let (o, e) = PageOptions::read("", Some(r#"{"fault": "gpu-lost@3"}"#));
        assert_eq!((o.fault, e), (Some(Fault::GpuLost(3)), None));
        let (o, _) = PageOptions::read("", None);
        assert_eq!(o, PageOptions::default());
        let (o, e) = PageOptions::read("", Some(r#"{"fault": "boom"}"#));
        assert_eq!(o.fault, None);
        assert!(e.unwrap().contains("\"boom\""));
        let (o, e) = PageOptions::read("", Some(r#"{"hang_ms": 3000}"#));
        assert_eq!((o.hang_ms, o.fault, e), (Some(3000.0), None, None));
        let (o, _) = PageOptions::read("", Some(r#"{"step_ms": 40}"#));
        assert_eq!(o.step_ms, Some(40.0));
        let (o, _) = PageOptions::read("", Some(r#"{"step_ms": -1}"#));
        assert_eq!(o.step_ms, None, "a step cannot last less than nothing");
        let (o, _) = PageOptions::read("", Some(r#"{"cancel_ms": 30000}"#));
        assert_eq!((o.cancel_ms, o.step_ms), (Some(30000.0), None));
        let (o, _) = PageOptions::read(
            "",
            Some(r#"{"fault": "worker-crash@2", "fault_every": true, "protocol": 99}"#),
        );
        assert_eq!(
            (o.fault, o.fault_every, o.protocol),
            (Some(Fault::WorkerCrash(2)), true, Some(99))
        );
    }
}
