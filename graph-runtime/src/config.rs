//! Configuration values: [`ApiVersion`], [`Cloud`], the client's defaults, and the
//! rules a service root or authority URL must follow.

use std::net::IpAddr;
use std::time::Duration;

use crate::error::GraphError;

/// A Graph API version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum ApiVersion {
    /// `v1.0`
    #[default]
    V1,
    /// `beta`
    Beta,
}

impl ApiVersion {
    /// The URL segment: `v1.0` or `beta`.
    pub fn as_str(self) -> &'static str {
        match self {
            ApiVersion::V1 => "v1.0",
            ApiVersion::Beta => "beta",
        }
    }
}

/// A Microsoft Graph deployment: sets the service root and the identity authority.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Cloud {
    /// The global service: `https://graph.microsoft.com`, `https://login.microsoftonline.com`.
    #[default]
    Global,
    /// US Government L4 (GCC High): `https://graph.microsoft.us`, `https://login.microsoftonline.us`.
    UsGov,
    /// US Government L5 (DoD): `https://dod-graph.microsoft.us`, `https://login.microsoftonline.us`.
    UsGovDod,
    /// China, operated by 21Vianet: `https://microsoftgraph.chinacloudapi.cn`, `https://login.chinacloudapi.cn`.
    China,
}

impl Cloud {
    /// The Graph service root, without version.
    pub fn graph_root(self) -> &'static str {
        match self {
            Cloud::Global => "https://graph.microsoft.com",
            Cloud::UsGov => "https://graph.microsoft.us",
            Cloud::UsGovDod => "https://dod-graph.microsoft.us",
            Cloud::China => "https://microsoftgraph.chinacloudapi.cn",
        }
    }

    /// The identity platform authority that issues tokens for this cloud.
    pub fn authority(self) -> &'static str {
        match self {
            Cloud::Global => "https://login.microsoftonline.com",
            Cloud::UsGov | Cloud::UsGovDod => "https://login.microsoftonline.us",
            Cloud::China => "https://login.chinacloudapi.cn",
        }
    }
}

/// The default per-attempt timeout (the Graph SDKs' value).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(100);
/// The default connect timeout.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// The default largest successful body read.
pub const DEFAULT_MAX_RESPONSE_BYTES: usize = 16 * 1024 * 1024;

fn is_loopback(url: &url::Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        None => false,
    }
}

/// Checks a service root or authority: `https`, or `http` to a loopback host; no
/// credentials, query or fragment.
pub(crate) fn check_base_url(text: &str) -> Result<url::Url, GraphError> {
    let url = url::Url::parse(text)
        .map_err(|e| GraphError::config(format!("base URL `{text}` is not a URL: {e}")))?;
    match url.scheme() {
        "https" => {}
        "http" if is_loopback(&url) => {}
        "http" => {
            return Err(GraphError::config(format!(
                "base URL `{text}`: plain http is allowed only for loopback hosts \
                 (localhost, 127.0.0.0/8, ::1); use https"
            )));
        }
        other => {
            return Err(GraphError::config(format!(
                "base URL `{text}`: scheme `{other}` is not http or https"
            )));
        }
    }
    if url.host().is_none() {
        return Err(GraphError::config(format!("base URL `{text}` has no host")));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(GraphError::config(
            "the base URL must not contain credentials",
        ));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(GraphError::config(format!(
            "base URL `{text}` must not have a query or fragment"
        )));
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_url_rules() {
        for ok in [
            "https://graph.microsoft.com",
            "https://graph.microsoft.com/",
            "https://example.test/graph",
            "http://127.0.0.1:8080",
            "http://127.3.4.5",
            "http://localhost:1234",
            "http://LOCALHOST",
            "http://[::1]:99",
        ] {
            assert!(check_base_url(ok).is_ok(), "{ok}");
        }
        for bad in [
            "http://graph.microsoft.com",
            "http://10.0.0.1",
            "http://[::2]",
            "http://localhost.evil.example",
            "ftp://127.0.0.1",
            "graph.microsoft.com",
            "https://user:pw@graph.microsoft.com",
            "https://graph.microsoft.com/?a=1",
            "https://graph.microsoft.com/#x",
            "",
        ] {
            assert!(
                matches!(check_base_url(bad), Err(GraphError::Config { .. })),
                "{bad}"
            );
        }
    }

    #[test]
    fn clouds() {
        assert_eq!(Cloud::Global.graph_root(), "https://graph.microsoft.com");
        assert_eq!(Cloud::UsGov.graph_root(), "https://graph.microsoft.us");
        assert_eq!(
            Cloud::UsGovDod.graph_root(),
            "https://dod-graph.microsoft.us"
        );
        assert_eq!(
            Cloud::China.graph_root(),
            "https://microsoftgraph.chinacloudapi.cn"
        );
        assert_eq!(
            Cloud::Global.authority(),
            "https://login.microsoftonline.com"
        );
        assert_eq!(Cloud::UsGov.authority(), "https://login.microsoftonline.us");
        assert_eq!(
            Cloud::UsGovDod.authority(),
            "https://login.microsoftonline.us"
        );
        assert_eq!(Cloud::China.authority(), "https://login.chinacloudapi.cn");
    }
}
