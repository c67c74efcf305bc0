//! Microsoft Graph cloud communications: resource types and actions.
