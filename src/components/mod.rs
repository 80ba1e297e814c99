//! The page's components, one per file.

pub mod backend_badge;
pub mod data_chart;
pub mod data_panel;
pub mod embed_code;
pub mod fields;
pub mod file_actions;
pub mod learning_curves;
pub mod model_panel;
pub mod notices;
pub mod print_report;
pub mod results;
pub mod run_bar;
pub mod tab_list;
pub mod workspace;
pub mod your_data;
pub mod your_model;
