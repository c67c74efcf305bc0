use graph_runtime::graph_action;

#[graph_action(GET, r#"/reports/getTeamsUserActivityCounts(period="<period>")"#)]
pub struct ActivityCounts {
    #[path]
    pub period: String,
}

fn main() {}
