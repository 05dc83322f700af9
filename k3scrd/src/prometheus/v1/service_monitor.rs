//! `ServiceMonitor`, `monitoring.coreos.com/v1`: which Services' endpoints Prometheus (run by
//! prometheus-operator) scrapes, on which port and path, how often.
//!
//! Source: CRD `monitoring.coreos.com_servicemonitors.yaml` of prometheus-operator v0.93.0 in
//! shared/crds (`spec.endpoints` and `spec.selector` required; `endpoints[].port` is the name
//! of a Service port, `path` defaults to `/metrics`, `interval` matches
//! `^(0|(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?)$`;
//! without `namespaceSelector` the Services of the ServiceMonitor's own namespace are selected).

use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
#[cfg(feature = "schema")]
use schemars::JsonSchema;
use serde_derive::Serialize;

crate::custom_resource! {
    /// A prometheus-operator `ServiceMonitor` (`monitoring.coreos.com/v1`).
    ServiceMonitor(ServiceMonitorSpec) {
        group: "monitoring.coreos.com",
        version: "v1",
        plural: "servicemonitors",
        scope: NamespaceResourceScope,
    }
}

/// Spec of a `ServiceMonitor`.
#[derive(Serialize, Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "deserialize", derive(serde_derive::Deserialize))]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct ServiceMonitorSpec {
    /// The endpoints to scrape, on every selected Service.
    pub endpoints: Vec<Endpoint>,
    /// The Services to scrape, by label.
    #[cfg_attr(feature = "schema", schemars(schema_with = "object_schema"))]
    pub selector: LabelSelector,
}

/// `spec.endpoints[]`: one port of the selected Services.
#[derive(Serialize, Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "deserialize", derive(serde_derive::Deserialize))]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct Endpoint {
    /// The name of the Service port.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port: Option<String>,
    /// The HTTP path of the metrics. Default: `/metrics`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// How often to scrape (`30s`). Default: Prometheus' global interval.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interval: Option<String>,
}

/// k8s-openapi types carry no `JsonSchema` here; describe a LabelSelector as an open object.
#[cfg(feature = "schema")]
fn object_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({ "type": "object", "x-kubernetes-preserve-unknown-fields": true })
}
