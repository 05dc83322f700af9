//! The `expose` block of app and function specs: a thin mapping onto one [`Route`].

#[cfg(feature = "schema")]
use schemars::JsonSchema;
use serde_derive::{Deserialize, Serialize};

use super::cors::Cors;
use super::duration::Duration;
use super::host::Host;
use super::policy::{BasicAuth, Cidr, RateLimit};
use super::route::{Backend, PathMatch, Route, default_paths};
use crate::error::{PathRef, Problems, Validate};
use crate::names::{Dns1035Label, DnsLabel};
use crate::ports::PortRef;
use crate::quantity::Bytes;

/// The `expose` block of an app or function spec: one route to the workload's Service.
///
/// ```
/// use k3score::exposure::Expose;
/// use k3score::ports::PortRef;
/// let expose: Expose = k3score::yaml::from_yaml("{host: orders, paths: [/api], strip_prefix: true}").unwrap();
/// let route = expose.to_route("orders".parse().unwrap(), "orders".parse().unwrap(),
///     PortRef::Name("http".parse().unwrap()));
/// assert!(route.strip_prefix);
/// assert_eq!(route.backend.port, PortRef::Name("http".parse().unwrap()));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub struct Expose {
    /// The host; a short name gets the target's base domain. Default: the app name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<Host>,
    /// Paths matched. Default: `[/]`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub paths: Vec<PathMatch>,
    /// The Service port to send traffic to. Default: the app's first port.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port: Option<PortRef>,
    /// Remove the matched prefix before forwarding. Default: false.
    #[serde(default)]
    pub strip_prefix: bool,
    /// Replace the matched prefix with this path. Default: none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rewrite_to: Option<String>,
    /// Time allowed for the backend to answer. Default: the controller's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout: Option<Duration>,
    /// Requests per client IP and window. Default: unlimited.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate_limit: Option<RateLimit>,
    /// HTTP basic authentication. Default: none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub basic_auth: Option<BasicAuth>,
    /// Cross-origin resource sharing. Default: none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cors: Option<Cors>,
    /// Client addresses allowed; empty allows everyone. Default: empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub allow_list: Vec<Cidr>,
    /// Largest request body accepted. Default: the controller's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_body_size: Option<Bytes>,
    /// Serve over TLS. Default: the target's choice.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tls: Option<bool>,
}

impl Expose {
    /// The route `name` to `service` on `port` (or `default_port`); fields map one to one,
    /// so route validation paths read the same (`port` becomes `backend.port`).
    #[must_use]
    pub fn to_route(&self, name: DnsLabel, service: Dns1035Label, default_port: PortRef) -> Route {
        let host = self.host.clone().unwrap_or_else(|| Host::from(name.clone()));
        let port = self.port.clone().unwrap_or(default_port);
        Route {
            paths: if self.paths.is_empty() {
                default_paths()
            } else {
                self.paths.clone()
            },
            strip_prefix: self.strip_prefix,
            rewrite_to: self.rewrite_to.clone(),
            timeout: self.timeout,
            rate_limit: self.rate_limit.clone(),
            basic_auth: self.basic_auth.clone(),
            cors: self.cors.clone(),
            allow_list: self.allow_list.clone(),
            max_body_size: self.max_body_size,
            tls: self.tls,
            ..Route::new(name, host, Backend::new(service, port))
        }
    }
}

impl Validate for Expose {
    /// Records every problem of the block under `path` (the route checks, with `port` for
    /// `backend.port`); target-dependent checks happen when the route is rendered.
    fn validate(&self, path: PathRef<'_>, problems: &mut Problems) {
        let name = DnsLabel::new("expose").expect("static name");
        let service = Dns1035Label::new("expose").expect("static name");
        let route = self.to_route(name, service, PortRef::Number(1));
        let mut inner = Problems::default();
        route.validate(path, &mut inner);
        if let Err(errors) = inner.finish(()) {
            let backend_port = path.field("backend").field("port").to_path();
            for mut error in errors.0 {
                if error.path == backend_port {
                    error.path = path.field("port").to_path();
                }
                problems.push_error(error);
            }
        }
    }
}
