//! The workspace: the settings at the left (the active task's own first, then the data and the model every task
//! shares), and at the right one tab per task (Train, Forget, Federated, VBU). Every panel stays in the page, hidden
//! when not selected, so that a task's run goes on and its results stay while another tab is open, and a printed
//! report holds them all. The data chart is drawn in the selected tab only (one chart, unique ids).

use leptos::prelude::*;
use lethe_protocol::TaskKind;

use crate::components::tab_list::{Item, TabList};
use crate::components::{
    data_chart::DataChart, data_panel::DataPanel, embed_code::EmbedCode, file_actions::FileActions,
    learning_curves::LearningCurves, model_panel::ModelPanel, notices::Notices, results::Results,
    run_bar::RunBar, your_data::YourData, your_model::YourModel,
};
use crate::place::Tab;
use crate::state::use_app;

/// The data chart, in `tab`'s panel while `tab` is selected.
#[component]
fn DataSlot(tab: Tab) -> impl IntoView {
    let app = use_app();
    move || (app.tab.get() == tab).then(|| view! { <DataChart /> })
}

/// One task's panel, hidden unless its tab is selected.
#[component]
fn Panel(tab: Tab, children: Children) -> impl IntoView {
    let app = use_app();
    view! {
        <div class=format!("tab-panel panel-{}", tab.key()) role="tabpanel" id=format!("panel-{}", tab.key())
            aria-labelledby=format!("tab-{}", tab.key()) hidden=move || app.tab.get() != tab>
            {children()}
        </div>
    }
}

/// The settings column and the tabs.
#[component]
pub fn Workspace() -> impl IntoView {
    let app = use_app();
    let tabs: Vec<Item<Tab>> = Tab::ALL
        .into_iter()
        .map(|t| Item {
            value: t,
            id: format!("tab-{}", t.key()),
            label: t.label(),
            controls: format!("panel-{}", t.key()),
        })
        .collect();
    view! {
        <main class="layout">
            <aside class="controls" aria-label="Settings">
                <Show when=move || app.tab.get() == Tab::Forget>
                    <crate::lab::ForgetSettings />
                </Show>
                <DataPanel />
                <ModelPanel />
                <YourModel />
                <FileActions />
                <YourData />
            </aside>
            <section class="views" aria-label="Tasks">
                <crate::components::print_report::PrintHeader />
                <Notices />
                <TabList label="Tasks" id="tasks" items=tabs selected=app.tab />
                <Panel tab=Tab::Train>
                    <RunBar kind=TaskKind::Train />
                    <div class="charts">
                        <DataSlot tab=Tab::Train />
                        <LearningCurves />
                    </div>
                    <Results />
                    <EmbedCode />
                </Panel>
                <Panel tab=Tab::Forget>
                    <crate::lab::ForgetPanel />
                </Panel>
                <Panel tab=Tab::Federated>
                    <crate::fed::FederatedStep />
                    <details class="tab-data">
                        <summary>"The data"</summary>
                        <DataSlot tab=Tab::Federated />
                    </details>
                </Panel>
                <Panel tab=Tab::Vbu>
                    <crate::vbu::VbuStep />
                    <details class="tab-data">
                        <summary>"The data"</summary>
                        <DataSlot tab=Tab::Vbu />
                    </details>
                </Panel>
            </section>
        </main>
    }
}
