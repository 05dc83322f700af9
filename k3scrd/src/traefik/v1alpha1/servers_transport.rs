//! `ServersTransport`, `traefik.io/v1alpha1`: how Traefik talks to backends (timeouts, TLS).
//!
//! Source: traefik/traefik `pkg/provider/kubernetes/crd/traefikio/v1alpha1/serverstransport.go`;
//! CRD `traefik.io_serverstransports.yaml` (Helm chart v41.3.0, Traefik v3.7) in shared/crds.

use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
#[cfg(feature = "schema")]
use schemars::JsonSchema;
use serde_derive::Serialize;

crate::custom_resource! {
    /// A Traefik `ServersTransport` (`traefik.io/v1alpha1`).
    ServersTransport(ServersTransportSpec) {
        group: "traefik.io",
        version: "v1alpha1",
        plural: "serverstransports",
        scope: NamespaceResourceScope,
    }
}

/// Spec of a `ServersTransport`; attach it with `services[].serversTransport`.
#[derive(Serialize, Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "deserialize", derive(serde_derive::Deserialize))]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct ServersTransportSpec {
    /// Timeouts towards the backends.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub forwarding_timeouts: Option<ForwardingTimeouts>,
    /// Server name used for SNI and certificate verification.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server_name: Option<String>,
    /// Skip backend certificate verification. Default: false.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub insecure_skip_verify: Option<bool>,
}

/// `spec.forwardingTimeouts`: each value is seconds (int) or a Go duration string.
#[derive(Serialize, Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "deserialize", derive(serde_derive::Deserialize))]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct ForwardingTimeouts {
    /// Time to establish a connection. Default: `30s`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", schemars(schema_with = "int_or_string_schema"))]
    pub dial_timeout: Option<IntOrString>,
    /// Time to wait for response headers after the request is written. Default: `0s` (none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", schemars(schema_with = "int_or_string_schema"))]
    pub response_header_timeout: Option<IntOrString>,
    /// Idle keep-alive connection lifetime. Default: `90s`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", schemars(schema_with = "int_or_string_schema"))]
    pub idle_conn_timeout: Option<IntOrString>,
    /// HTTP/2 read idle time before a health-check ping. Default: none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", schemars(schema_with = "int_or_string_schema"))]
    pub read_idle_timeout: Option<IntOrString>,
    /// HTTP/2 time to wait for a ping response. Default: `15s`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", schemars(schema_with = "int_or_string_schema"))]
    pub ping_timeout: Option<IntOrString>,
}

/// k8s-openapi types carry no `JsonSchema` here; describe an IntOrString as the CRD does.
#[cfg(feature = "schema")]
fn int_or_string_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({ "x-kubernetes-int-or-string": true })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serializes_timeouts() {
        let st = ServersTransport::new(
            "slow-backend",
            ServersTransportSpec {
                forwarding_timeouts: Some(ForwardingTimeouts {
                    dial_timeout: Some(IntOrString::String("5s".into())),
                    response_header_timeout: Some(IntOrString::Int(120)),
                    ..Default::default()
                }),
                server_name: Some("api.internal".into()),
                insecure_skip_verify: None,
            },
        );
        let v = serde_json::to_value(&st).unwrap();
        assert_eq!(v["apiVersion"], "traefik.io/v1alpha1");
        assert_eq!(v["kind"], "ServersTransport");
        assert_eq!(v["spec"]["forwardingTimeouts"]["dialTimeout"], "5s");
        assert_eq!(v["spec"]["forwardingTimeouts"]["responseHeaderTimeout"], 120);
        assert!(v["spec"]["forwardingTimeouts"].get("pingTimeout").is_none());
        assert_eq!(v["spec"]["serverName"], "api.internal");
    }
}
