//! Where the user is in the workspace: the task's tab (Train, Forget, Federated, VBU) and, in Forget, the view of
//! its results (Overview, Table, Charts, Look closer, Privacy). Both travel in the URL hash after the experiment
//! (`#e=…&tab=forget&view=table`), so that a shared link opens where it was shared.

use lethe_protocol::{Experiment, ModelKind, Task};

/// One tab per task.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    Train,
    Forget,
    Federated,
    Vbu,
}

impl Tab {
    /// Every tab, in the order the tab list shows them.
    pub const ALL: [Tab; 4] = [Tab::Train, Tab::Forget, Tab::Federated, Tab::Vbu];

    /// The key in the URL and in element ids (`tab-forget`, `panel-forget`).
    pub fn key(self) -> &'static str {
        match self {
            Tab::Train => "train",
            Tab::Forget => "forget",
            Tab::Federated => "federated",
            Tab::Vbu => "vbu",
        }
    }

    /// The tab's label.
    pub fn label(self) -> &'static str {
        match self {
            Tab::Train => "Train",
            Tab::Forget => "Forget",
            Tab::Federated => "Federated",
            Tab::Vbu => "VBU",
        }
    }

    /// The tab of `key`.
    pub fn from_key(key: &str) -> Option<Tab> {
        Tab::ALL.into_iter().find(|t| t.key() == key)
    }

    /// The tab an experiment opens on when its link names none: its task's (a Bayesian model is VBU's).
    pub fn of(experiment: &Experiment) -> Tab {
        match &experiment.task {
            Task::Federated(_) => Tab::Federated,
            Task::Vbu(_) => Tab::Vbu,
            _ if experiment.model.kind == ModelKind::BayesLogistic => Tab::Vbu,
            Task::Unlearn(_) => Tab::Forget,
            Task::Train => Tab::Train,
        }
    }
}

/// The views of the Forget tab's results.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    Overview,
    Table,
    Charts,
    Closer,
    Privacy,
}

impl View {
    /// Every view, in the order the view list shows them.
    pub const ALL: [View; 5] = [
        View::Overview,
        View::Table,
        View::Charts,
        View::Closer,
        View::Privacy,
    ];

    /// The key in the URL, in element ids and in the `data-in` lists that say where each part of the results shows.
    pub fn key(self) -> &'static str {
        match self {
            View::Overview => "overview",
            View::Table => "table",
            View::Charts => "charts",
            View::Closer => "closer",
            View::Privacy => "privacy",
        }
    }

    /// The view's label.
    pub fn label(self) -> &'static str {
        match self {
            View::Overview => "Overview",
            View::Table => "Table",
            View::Charts => "Charts",
            View::Closer => "Look closer",
            View::Privacy => "Privacy",
        }
    }

    /// The view of `key`.
    pub fn from_key(key: &str) -> Option<View> {
        View::ALL.into_iter().find(|v| v.key() == key)
    }
}

/// The tab and view a hash names (`&tab=…&view=…`); unknown values are ignored, as a link from a later version may
/// name a tab this one lacks.
pub fn read(hash: &str) -> (Option<Tab>, Option<View>) {
    let value = |name: &str| {
        hash.trim_start_matches('#')
            .split('&')
            .find_map(|p| p.strip_prefix(name)?.strip_prefix('='))
    };
    (
        value("tab").and_then(Tab::from_key),
        value("view").and_then(View::from_key),
    )
}

/// The hash's tail for `tab` and `view` (the view only in Forget, the one tab with views).
pub fn write(tab: Tab, view: View) -> String {
    match tab {
        Tab::Forget => format!("&tab={}&view={}", tab.key(), view.key()),
        _ => format!("&tab={}", tab.key()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_place_round_trips_through_the_hash_and_unknown_values_are_ignored() {
        for tab in Tab::ALL {
            for view in View::ALL {
                let hash = format!("#e=abc{}", write(tab, view));
                let (t, v) = read(&hash);
                assert_eq!(t, Some(tab));
                assert_eq!(v, (tab == Tab::Forget).then_some(view));
            }
        }
        assert_eq!(read("#e=abc&tab=sweeps&view=gallery"), (None, None));
        assert_eq!(read("#e=abc"), (None, None));
        // The experiment's payload is base64url: it never holds `&`, so the place cannot be read out of it.
        assert_eq!(read("#e=tab=forget"), (None, None));
    }

    #[test]
    fn an_experiment_opens_on_its_tasks_tab() {
        let mut e = Experiment::demo();
        e.task = Task::Train;
        assert_eq!(Tab::of(&e), Tab::Train);
        e.model.kind = ModelKind::BayesLogistic;
        assert_eq!(Tab::of(&e), Tab::Vbu);
    }
}
