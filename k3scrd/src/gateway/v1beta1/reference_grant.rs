//! `ReferenceGrant`, `gateway.networking.k8s.io/v1beta1`: allows references from other
//! namespaces into this one (e.g. an HTTPRoute's backendRef to a Service here).
//!
//! Source: kubernetes-sigs/gateway-api `apis/v1beta1/referencegrant_types.go` (v1.6.1);
//! CRD `standard/gateway.networking.k8s.io_referencegrants.yaml` in shared/crds (`v1beta1` is the
//! storage version; `v1` is served too).

#[cfg(feature = "schema")]
use schemars::JsonSchema;
use serde_derive::Serialize;

crate::custom_resource! {
    /// A Gateway API `ReferenceGrant` (`gateway.networking.k8s.io/v1beta1`).
    ReferenceGrant(ReferenceGrantSpec) {
        group: "gateway.networking.k8s.io",
        version: "v1beta1",
        plural: "referencegrants",
        scope: NamespaceResourceScope,
    }
}

/// Spec of a `ReferenceGrant`; it lives in the namespace of the referenced objects.
#[derive(Serialize, Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "deserialize", derive(serde_derive::Deserialize))]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct ReferenceGrantSpec {
    /// Objects that may refer, 1–16 entries (required).
    pub from: Vec<ReferenceGrantFrom>,
    /// Objects that may be referred to, 1–16 entries (required).
    pub to: Vec<ReferenceGrantTo>,
}

/// One entry of `spec.from`.
#[derive(Serialize, Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "deserialize", derive(serde_derive::Deserialize))]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct ReferenceGrantFrom {
    /// API group of the referrer, e.g. `gateway.networking.k8s.io` (required; `""` = core).
    pub group: String,
    /// Kind of the referrer, e.g. `HTTPRoute` (required).
    pub kind: String,
    /// Namespace of the referrer (required).
    pub namespace: String,
}

/// One entry of `spec.to`.
#[derive(Serialize, Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "deserialize", derive(serde_derive::Deserialize))]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct ReferenceGrantTo {
    /// API group of the referent; `""` for core kinds such as Service (required).
    pub group: String,
    /// Kind of the referent, e.g. `Service` (required).
    pub kind: String,
    /// Name of the referent. Default: every object of the kind.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serializes_empty_core_group() {
        let grant = ReferenceGrant::new(
            "allow-routes",
            ReferenceGrantSpec {
                from: vec![ReferenceGrantFrom {
                    group: "gateway.networking.k8s.io".into(),
                    kind: "HTTPRoute".into(),
                    namespace: "shop".into(),
                }],
                to: vec![ReferenceGrantTo {
                    group: String::new(),
                    kind: "Service".into(),
                    name: Some("keda-add-ons-http-interceptor-proxy".into()),
                }],
            },
        );
        let v = serde_json::to_value(&grant).unwrap();
        assert_eq!(v["apiVersion"], "gateway.networking.k8s.io/v1beta1");
        assert_eq!(v["kind"], "ReferenceGrant");
        assert_eq!(v["spec"]["from"][0]["namespace"], "shop");
        assert_eq!(v["spec"]["to"][0]["group"], "");
        assert_eq!(v["spec"]["to"][0]["kind"], "Service");
    }
}
