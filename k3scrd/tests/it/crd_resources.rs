//! The custom resource types carry the group, version, kind, plural and scope of the upstream
//! CRDs in `../shared/crds`, and read back what they write.

use std::path::{Path, PathBuf};

use k3scrd::argocd::v1alpha1::{AppProject, Application};
use k3scrd::cert_manager::v1::{Certificate, Issuer};
use k3scrd::external_secrets::v1::{ClusterSecretStore, ExternalSecret};
use k3scrd::gateway::v1::HTTPRoute;
use k3scrd::gateway::v1beta1::ReferenceGrant;
use k3scrd::generators::v1alpha1::Password;
use k3scrd::helm_controller::v1::HelmChartConfig;
use k3scrd::keda::v1alpha1::{ScaledObject, TriggerAuthentication};
use k3scrd::keda_http::v1alpha1::HTTPScaledObject;
use k3scrd::keda_http::v1beta1::InterceptorRoute;
use k3scrd::prometheus::v1::ServiceMonitor;
use k3scrd::traefik::v1alpha1::{IngressRoute, Middleware, ServersTransport};
use k8s_openapi::{ClusterResourceScope, NamespaceResourceScope, Resource, ResourceScope};
use serde_json::Value;

fn crd_documents() -> Vec<Value> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/crds");
    assert!(
        root.is_dir(),
        "this test needs the upstream CRDs in {} (run it from a checkout with ../shared beside it)",
        root.display()
    );
    let mut files = Vec::new();
    collect(&root, &mut files);
    assert!(!files.is_empty(), "no CRDs under {}", root.display());
    files
        .iter()
        .flat_map(|f| {
            let text = std::fs::read_to_string(f).unwrap();
            serde_saphyr::from_multiple::<Value>(&text).unwrap_or_default()
        })
        .filter(|d| d["kind"] == "CustomResourceDefinition")
        .collect()
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(&path, out);
        } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
            out.push(path);
        }
    }
}

trait Scope {
    const NAME: &'static str;
}
impl Scope for NamespaceResourceScope {
    const NAME: &'static str = "Namespaced";
}
impl Scope for ClusterResourceScope {
    const NAME: &'static str = "Cluster";
}

fn check<K>(crds: &[Value])
where
    K: Resource + serde::Serialize + serde::de::DeserializeOwned + PartialEq + std::fmt::Debug + Default,
    K::Scope: Scope + ResourceScope,
{
    let crd = crds
        .iter()
        .find(|c| c["spec"]["group"] == K::GROUP && c["spec"]["names"]["kind"] == K::KIND)
        .unwrap_or_else(|| panic!("no upstream CRD for {} {}", K::API_VERSION, K::KIND));
    assert_eq!(crd["spec"]["names"]["plural"], K::URL_PATH_SEGMENT, "{}", K::KIND);
    assert_eq!(crd["spec"]["scope"], <K::Scope as Scope>::NAME, "{}", K::KIND);
    let versions = crd["spec"]["versions"].as_array().unwrap();
    assert!(
        versions.iter().any(|v| v["name"] == K::VERSION && v["served"] == true),
        "{} {} is not served upstream",
        K::KIND,
        K::VERSION
    );
    assert_eq!(K::API_VERSION, format!("{}/{}", K::GROUP, K::VERSION));

    let object = K::default();
    let json = serde_json::to_value(&object).unwrap();
    assert_eq!(json["apiVersion"], K::API_VERSION);
    assert_eq!(json["kind"], K::KIND);
    let keys: Vec<&String> = json.as_object().unwrap().keys().collect();
    assert_eq!(keys[..2], ["apiVersion", "kind"], "apiVersion and kind come first");
    let back: K = serde_json::from_value(json.clone()).unwrap();
    assert_eq!(back, object);
    let mut wrong = json;
    wrong["kind"] = Value::from("Other");
    let err = serde_json::from_value::<K>(wrong).unwrap_err().to_string();
    assert!(err.contains("expected") && err.contains("Other"), "{err}");
}

#[test]
#[ignore = "needs ../shared/crds"]
fn every_kind_matches_its_upstream_crd() {
    let crds = crd_documents();
    check::<AppProject>(&crds);
    check::<Application>(&crds);
    check::<ClusterSecretStore>(&crds);
    check::<ExternalSecret>(&crds);
    check::<HTTPRoute>(&crds);
    check::<ReferenceGrant>(&crds);
    check::<Password>(&crds);
    check::<ScaledObject>(&crds);
    check::<TriggerAuthentication>(&crds);
    check::<HTTPScaledObject>(&crds);
    check::<InterceptorRoute>(&crds);
    check::<IngressRoute>(&crds);
    check::<Middleware>(&crds);
    check::<ServersTransport>(&crds);
    check::<Certificate>(&crds);
    check::<Issuer>(&crds);
    check::<HelmChartConfig>(&crds);
    check::<ServiceMonitor>(&crds);
}
