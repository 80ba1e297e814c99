//! The training primitives every task shares, below `train` and every orchestrator: minibatch descent and its
//! losses, a model's parameters as one vector, subsets of a split, a network's probabilities, and summaries of a
//! set of points.

pub mod descent;
pub mod params;
pub mod predict;
pub mod subset;
pub mod summary;
