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
    // base64 grows by 4/3: refuse an oversized hash before decoding it.
    let max = lethe_protocol::experiment::limits::MAX_EXPERIMENT_BYTES;
    if payload.len() > max / 3 * 4 + 4 {
        return Some(Err(format!(
            "the link's experiment is {} characters long; a link holds at most {} (an experiment of {max} bytes)",
            payload.len(),
            max / 3 * 4 + 4
        )));
    }
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

    /// A tampered link: each kind is refused with a message naming what is wrong.
    #[test]
    fn tampered_hashes_are_refused_by_name() {
        let hash = |json: &str| format!("#e={}", URL_SAFE_NO_PAD.encode(json));
        let demo = serde_json::to_value(Experiment::demo()).unwrap();
        let with = |edit: &dyn Fn(&mut serde_json::Value)| {
            let mut v = demo.clone();
            edit(&mut v);
            hash(&v.to_string())
        };
        let cases = [
            (hash("{\"version\":1"), "EOF"),
            (
                with(&|v| v["version"] = 2.into()),
                "version 2 is not supported",
            ),
            (
                with(&|v| v["surprise"] = 1.into()),
                "unknown field `surprise`",
            ),
            (
                with(&|v| v["train"]["epochs"] = "many".into()),
                "invalid type",
            ),
            ("#e=%%%".to_string(), "damaged"),
            (
                format!("#e={}", URL_SAFE_NO_PAD.encode([0xff, 0xfe, 0x00])),
                "damaged",
            ),
            (format!("#e={}", "A".repeat(1_400_000)), "at most"),
        ];
        for (hash, expected) in cases {
            let message = decode(&hash).unwrap().unwrap_err();
            assert!(
                message.contains(expected),
                "{expected:?} not in {message:?}"
            );
        }
        // Decodes and parses, but fails validation: the page validates it once at the edge, naming the field.
        let bad = with(&|v| v["train"]["learning_rate"] = (-1.0).into());
        let experiment = decode(&bad).unwrap().unwrap();
        let message = experiment.validate().unwrap_err().to_string();
        assert!(message.contains("train.learning_rate"), "{message}");
    }
}
