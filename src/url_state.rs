//! The experiment in the URL hash (`#e=` + base64url JSON), so that a link reproduces a run, seed included.
//! A link never carries uploaded data: for a CSV experiment it only names the file.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use lethe_protocol::Experiment;

/// The hash for `experiment`.
pub fn encode(experiment: &Experiment) -> String {
    let json = serde_json::to_string(experiment).expect("an experiment should serialise");
    format!("#e={}", URL_SAFE_NO_PAD.encode(json))
}

/// The experiment in `hash`, if it holds one; an error names what is wrong with it.
pub fn decode(hash: &str) -> Option<Result<Experiment, String>> {
    let payload = hash
        .trim_start_matches('#')
        .split('&')
        .find_map(|p| p.strip_prefix("e="))?;
    Some(
        URL_SAFE_NO_PAD
            .decode(payload)
            .map_err(|e| format!("the link's experiment is damaged ({e})"))
            .and_then(|bytes| {
                String::from_utf8(bytes)
                    .map_err(|e| format!("the link's experiment is damaged ({e})"))
            })
            .and_then(|json| Experiment::from_json(&json).map_err(|e| format!("the link's {e}"))),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let mut e = Experiment::demo();
        e.seed = 1234;
        assert_eq!(decode(&encode(&e)), Some(Ok(e)));
        assert_eq!(decode("#other=1"), None);
        assert!(decode("#e=!!!").unwrap().is_err());
    }
}
