use graph_runtime::{GraphClient, graph_action};

#[graph_action(POST, "/communications/calls/<callId>/mute", response = Vec<u8>, paged)]
pub struct MuteCall {
    #[path]
    pub call_id: String,
}

async fn mute(client: &GraphClient) -> Result<(), graph_runtime::GraphError> {
    let answer: MuteCallResponse = MuteCall { call_id: "c".into() }.send(client).await?;
    let _bytes: &Vec<u8> = answer.body();
    Ok(())
}

fn main() {
    let _ = mute;
}
