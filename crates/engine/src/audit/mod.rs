//! Measuring a model against the forget set and the retrain oracle: accuracies, the membership attack, output and
//! weight distances, relearn time, and the warnings they raise.

pub mod divergence;
pub mod mia;
pub mod privacy;
pub mod relearn;
pub mod shadow;
pub mod warnings;
pub mod yardstick;
