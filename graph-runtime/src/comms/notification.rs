//! Communications notifications (`commsNotifications`): what Graph POSTs to a
//! call's callback URI.

use serde::Deserialize;
use serde::de::DeserializeOwned;

use super::macros::{graph_enum, graph_struct};
use super::{Call, CommsOperation, Participant};

graph_enum! {
    /// What happened to the resource of a [`CommsNotification`] (`changeType`).
    pub enum ChangeType {
        /// The resource was created.
        Created = "created",
        /// The resource changed (call state, roster).
        Updated = "updated",
        /// The resource is gone; for an operation, it finished.
        Deleted = "deleted",
    }
}

graph_struct! {
    /// One batch of notifications, as POSTed to the callback URI (`commsNotifications`).
    pub struct CommsNotifications {
        /// The notifications, oldest first.
        pub value: Option<Vec<CommsNotification>>,
    }
}

graph_struct! {
    /// One notification (`commsNotification`).
    pub struct CommsNotification {
        /// What happened.
        pub change_type: Option<ChangeType>,
        /// The resource that changed (`/communications/calls/{id}/operations/{id}`),
        /// with or without a leading `/`.
        pub resource_url: Option<String>,
        /// The legacy `/app/calls/...` form of `resource_url`, still sent at times.
        pub resource: Option<String>,
        /// The resource itself: one object (a call, an operation) or an array (a
        /// participant roster). Read it with the typed accessors.
        pub resource_data: Option<serde_json::Value>,
    }
}

impl CommsNotification {
    /// The operation id, when the notification is about an operation: the
    /// segment after `operations/` in `resourceUrl` (or the legacy `resource`).
    pub fn operation_id(&self) -> Option<&str> {
        [&self.resource_url, &self.resource]
            .into_iter()
            .flatten()
            .find_map(|url| {
                let (_, rest) = url.split_once("/operations/")?;
                rest.split(['/', '?']).next().filter(|id| !id.is_empty())
            })
    }

    /// `resourceData` as an operation, when it is one object.
    pub fn operation(&self) -> Option<CommsOperation> {
        self.data_object()
    }

    /// `resourceData` as a call, when it is one object.
    pub fn call(&self) -> Option<Call> {
        self.data_object()
    }

    /// `resourceData` as a roster, when it is an array of participants.
    pub fn participants(&self) -> Option<Vec<Participant>> {
        match &self.resource_data {
            Some(data @ serde_json::Value::Array(_)) => Vec::<Participant>::deserialize(data).ok(),
            _ => None,
        }
    }

    /// `resourceData` read as `T`, when it is one object of that shape.
    pub fn data_object<T: DeserializeOwned>(&self) -> Option<T> {
        match &self.resource_data {
            Some(data @ serde_json::Value::Object(_)) => T::deserialize(data).ok(),
            _ => None,
        }
    }

    /// Whether this notification reports the end of the operation `id`: a
    /// `deleted` change on it. Ids compare as Graph writes them both ways:
    /// ignoring case and dashes (`0fe0623f-d628-...` is `0FE0623FD628...`).
    pub fn completes_operation(&self, id: &str) -> bool {
        self.change_type == Some(ChangeType::Deleted)
            && self
                .operation_id()
                .is_some_and(|own| same_operation_id(own, id))
    }
}

/// Whether two operation ids name the same operation: equal ignoring ASCII case
/// and dashes, as the docs show one id both as `0fe0623f-d628-42ed-b4bd-8ac290072cc5`
/// and as `0FE0623FD62842EDB4BD8AC290072CC5`.
pub fn same_operation_id(a: &str, b: &str) -> bool {
    fn strip(s: &str) -> impl Iterator<Item = u8> + '_ {
        s.bytes()
            .filter(|&c| c != b'-')
            .map(|c| c.to_ascii_lowercase())
    }
    strip(a).eq(strip(b))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::comms::{OperationStatus, RecordCompletionReason, RecordOperation};

    #[test]
    fn reads_the_documented_notifications() {
        // playPrompt completed: no `id` in resourceData, the id only in the URL, uppercase.
        let batch: CommsNotifications = serde_json::from_str(r##"{
          "@odata.type": "#microsoft.graph.commsNotifications",
          "value": [{
            "@odata.type": "#microsoft.graph.commsNotification",
            "changeType": "deleted",
            "resourceUrl": "/communications/calls/57DAB8B1894C409AB240BD8BEAE78896/operations/0FE0623FD62842EDB4BD8AC290072CC5",
            "resourceData": {
              "@odata.type": "#microsoft.graph.playPromptOperation",
              "@odata.id": "/communications/calls/57DAB8B1894C409AB240BD8BEAE78896/operations/0FE0623FD62842EDB4BD8AC290072CC5",
              "@odata.etag": "W/\"54451\"",
              "resultInfo": {"@odata.type": "#microsoft.graph.resultInfo", "code": 200, "subcode": 0, "message": "Action completed successfully."},
              "clientContext": "d45324c1-fcb5-430a-902c-f20af696537c",
              "status": "completed"
            }
          }]
        }"##).unwrap();
        let n = &batch.value.as_ref().unwrap()[0];
        assert!(n.completes_operation("0fe0623f-d628-42ed-b4bd-8ac290072cc5"));
        assert!(!n.completes_operation("0fe0623f-d628-42ed-b4bd-8ac290072cc6"));
        let op = n.operation().unwrap();
        assert_eq!(op.status, Some(OperationStatus::Completed));
        assert_eq!(
            op.client_context.as_deref(),
            Some("d45324c1-fcb5-430a-902c-f20af696537c")
        );

        // A roster update: resourceData is an array; PascalCase changeType (field evidence).
        let roster: CommsNotification = serde_json::from_value(serde_json::json!({
            "changeType": "Updated",
            "resourceUrl": "/communications/calls/57dab8b1-894c-409a-b240-bd8beae78896/participants",
            "resourceData": [{"@odata.type": "#microsoft.graph.participant", "id": "2765eb15-01f8-47c6-b12b-c32111a4a86f", "isMuted": true, "isInLobby": false}]
        }))
        .unwrap();
        assert_eq!(roster.change_type, Some(ChangeType::Updated));
        assert_eq!(roster.operation_id(), None);
        assert_eq!(roster.participants().unwrap()[0].is_muted, Some(true));
        assert!(roster.operation().is_none());

        // Hold music: no leading slash; the legacy `resource` field alone also works.
        let hold: CommsNotification = serde_json::from_value(serde_json::json!({
            "changeType": "deleted",
            "resource": "/app/calls/e141b67c/operations/0fe0623f-d628-42ed-b4bd-8ac290072cc5",
            "resourceData": {"status": "failed", "completionReason": "operationCanceled"}
        }))
        .unwrap();
        assert_eq!(
            hold.operation_id(),
            Some("0fe0623f-d628-42ed-b4bd-8ac290072cc5")
        );
        let record: RecordOperation = hold.data_object().unwrap();
        assert_eq!(
            record.completion_reason,
            Some(RecordCompletionReason::OperationCanceled)
        );
        assert!(record.is_finished());
    }
}
