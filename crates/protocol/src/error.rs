//! The one error type for configuration problems: each message names the field and the value.

/// A problem with an experiment file or a setting. The message names the field and shows the value.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ConfigError {
    /// The JSON could not be read (syntax error, unknown key, wrong type); serde's message names the key and position.
    #[error("experiment file: {0}")]
    Parse(String),
    /// The text is larger than any real experiment (a link or a file that was tampered with or is not one).
    #[error("experiment file: {bytes} bytes is too large; an experiment is at most {max} bytes")]
    TooLarge { bytes: usize, max: usize },
    /// The file is of another format version.
    #[error("experiment version {found} is not supported: this Lethe reads version {expected}")]
    Version { found: String, expected: u32 },
    /// A value outside its allowed range.
    #[error("{field} must be {rule}, got {value}")]
    Range {
        field: String,
        rule: String,
        value: String,
    },
}

impl ConfigError {
    /// Shorthand for a range error.
    pub fn range(field: impl Into<String>, rule: impl Into<String>, value: impl ToString) -> Self {
        Self::Range {
            field: field.into(),
            rule: rule.into(),
            value: value.to_string(),
        }
    }
}
