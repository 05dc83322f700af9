//! Golden bundles for the platform pieces around a workload: tenancy (namespace bundles),
//! secret stores and generated passwords, workload identity, and GPUs.

use std::collections::BTreeMap;

use crate::common::{app_bundle, ctx, golden, label, web};

use k3score::identity::WorkloadIdentity;
use k3score::resources::{Gpu, GpuVendor, Resources};
use k3score::scaling::Scaling;
use k3score::secrets::{GeneratedPassword, SecretStoreSpec};
use k3score::tenancy::NamespaceBundle;
use k3score::{Bundle, Target, Validate};
use serde_json::{Value, json};

#[test]
fn tenancy_namespace_bundle() {
    let spec: NamespaceBundle = k3score::yaml::from_yaml(
        "name: team-a\n\
         labels: {team: a}\n\
         quota: {cpu: 4, memory: 8Gi, limits_cpu: 8, limits_memory: 16Gi, storage: 100Gi, pods: 50, pvcs: 10}\n\
         limits: {default_request_cpu: 100m, default_request_memory: 128Mi, default_limit_cpu: 500m, \
                  default_limit_memory: 512Mi, max_cpu: 2, max_memory: 4Gi}\n\
         provisioner: {service_account: deployer, namespace: ci}\n\
         allow_ingress_controller: true\n",
    )
    .unwrap();
    let objects = spec.render(&ctx(Target::gcp())).unwrap();
    let bundle = crate::common::bundle_of(objects);
    golden("tenancy", "team", &bundle);
    // Least privilege: no RBAC rule uses a wildcard anywhere.
    let role = crate::common::find(&bundle, "Role", "provisioner");
    let rules = role["rules"].as_array().unwrap();
    assert!(!rules.is_empty());
    for rule in rules {
        for field in ["apiGroups", "resources", "verbs", "resourceNames", "nonResourceURLs"] {
            for value in rule[field].as_array().into_iter().flatten() {
                assert!(!value.as_str().unwrap().contains('*'), "{field}: {value} in {rule}");
            }
        }
    }
}

/// A store read from YAML, validated, rendered alone.
fn store(yaml: &str) -> Bundle {
    let spec: SecretStoreSpec = k3score::yaml::from_yaml(yaml).unwrap();
    spec.check().unwrap();
    let mut bundle = Bundle::new();
    bundle.push(spec.render(&"platform-secrets".parse().unwrap()));
    bundle
}

/// The provider block of the one ClusterSecretStore, after checking it is cluster-scoped and
/// names its ServiceAccount's namespace (REFERENCE §6b, E4).
fn provider(bundle: &Bundle, key: &str) -> Value {
    let store = crate::common::find(bundle, "ClusterSecretStore", "platform-secrets");
    assert!(store["metadata"].get("namespace").is_none());
    let providers = store["spec"]["provider"].as_object().unwrap();
    assert_eq!(providers.keys().collect::<Vec<_>>(), [key]);
    providers[key].clone()
}

#[test]
fn secret_store_gcp() {
    let bundle = store(
        "gcp: {project_id: acme-prod, service_account: {name: external-secrets, namespace: external-secrets}, \
         cluster_location: europe-west1, cluster_name: prod}",
    );
    golden("secrets", "store_gcp", &bundle);
    let sa = &provider(&bundle, "gcpsm")["auth"]["workloadIdentity"]["serviceAccountRef"];
    assert_eq!(
        sa,
        &json!({"name": "external-secrets", "namespace": "external-secrets"})
    );
}

#[test]
fn secret_store_aws() {
    let bundle = store(
        "aws: {region: eu-west-1, role: 'arn:aws:iam::123456789012:role/secrets-reader', \
         service_account: {name: external-secrets, namespace: external-secrets}}",
    );
    golden("secrets", "store_aws", &bundle);
    let aws = provider(&bundle, "aws");
    assert_eq!(aws["service"], "SecretsManager");
    assert_eq!(aws["auth"]["jwt"]["serviceAccountRef"]["namespace"], "external-secrets");
}

#[test]
fn secret_store_azure() {
    let bundle = store(
        "azure: {vault_url: 'https://acme.vault.azure.net', tenant_id: 11111111-2222-3333-4444-555555555555, \
         service_account: {name: external-secrets, namespace: external-secrets}}",
    );
    golden("secrets", "store_azure", &bundle);
    assert_eq!(provider(&bundle, "azurekv")["authType"], "WorkloadIdentity");
}

#[test]
fn secret_store_vault() {
    let bundle = store(
        "vault: {server: 'https://vault.acme.io:8200', path: secret, role: external-secrets, \
         service_account: {name: external-secrets, namespace: external-secrets}}",
    );
    golden("secrets", "store_vault", &bundle);
    let vault = provider(&bundle, "vault");
    assert_eq!(vault["version"], "v2");
    assert_eq!(vault["auth"]["kubernetes"]["mountPath"], "kubernetes");
}

#[test]
fn generated_password_with_external_secrets() {
    let password = GeneratedPassword {
        length: 32,
        symbols: Some(0),
        ..Default::default()
    };
    let labels = web("postgres").labels.labels();
    let objects = password
        .render(&"postgres-password".parse().unwrap(), &labels, &ctx(Target::gcp()))
        .unwrap();
    let bundle = crate::common::bundle_of(objects);
    golden("secrets", "password", &bundle);
    let es = crate::common::find(&bundle, "ExternalSecret", "postgres-password");
    // Generated once, never rotated behind the workloads' back (REFERENCE §6c).
    assert_eq!(es["spec"]["refreshPolicy"], "CreatedOnce");
    assert_eq!(
        es["spec"]["dataFrom"][0]["sourceRef"]["generatorRef"],
        json!({"apiVersion": "generators.external-secrets.io/v1alpha1", "kind": "Password", "name": "postgres-password"})
    );
}

/// `orders` with a ServiceAccount bound to `identity`.
fn with_identity(identity: WorkloadIdentity) -> Bundle {
    let mut w = web("orders");
    w.service_account.workload_identity = Some(identity);
    app_bundle(&w, &Scaling::None, &ctx(Target::gcp()))
}

fn sa_annotations(bundle: &Bundle) -> Value {
    crate::common::find(bundle, "ServiceAccount", "orders")["metadata"]["annotations"].clone()
}

#[test]
fn identity_gcp() {
    let bundle = with_identity(WorkloadIdentity::Gcp("orders@acme-prod.iam.gserviceaccount.com".into()));
    golden("identity", "gcp", &bundle);
    assert_eq!(
        sa_annotations(&bundle),
        json!({"iam.gke.io/gcp-service-account": "orders@acme-prod.iam.gserviceaccount.com"})
    );
}

#[test]
fn identity_aws() {
    let bundle = with_identity(WorkloadIdentity::Aws("arn:aws:iam::123456789012:role/orders".into()));
    golden("identity", "aws", &bundle);
    assert_eq!(
        sa_annotations(&bundle),
        json!({"eks.amazonaws.com/role-arn": "arn:aws:iam::123456789012:role/orders"})
    );
}

#[test]
fn identity_azure() {
    let bundle = with_identity(WorkloadIdentity::Azure {
        client_id: "11111111-2222-3333-4444-555555555555".into(),
        tenant_id: Some("66666666-7777-8888-9999-000000000000".into()),
    });
    golden("identity", "azure", &bundle);
    // The `use` label goes on the pod template, not on the ServiceAccount (REFERENCE §7, W3).
    let deployment = crate::common::find(&bundle, "Deployment", "orders");
    assert_eq!(
        deployment["spec"]["template"]["metadata"]["labels"]["azure.workload.identity/use"],
        "true"
    );
    let sa = crate::common::find(&bundle, "ServiceAccount", "orders");
    assert!(sa["metadata"]["labels"].get("azure.workload.identity/use").is_none());
    assert_eq!(
        sa_annotations(&bundle)["azure.workload.identity/client-id"],
        "11111111-2222-3333-4444-555555555555"
    );
}

/// `inference` with 2 GPUs of `gpu.vendor` and cpu/memory requests.
fn with_gpu(gpu: Gpu) -> (Bundle, Value) {
    let mut w = web("inference");
    w.resources = Resources {
        gpu: Some(gpu),
        ..k3score::yaml::from_yaml("{cpu: 2, memory: 8Gi, limits: {cpu: 4}}").unwrap()
    };
    let bundle = app_bundle(&w, &Scaling::None, &ctx(Target::gcp()));
    let pod = crate::common::find(&bundle, "Deployment", "inference")["spec"]["template"]["spec"].clone();
    (bundle, pod)
}

fn limits(pod: &Value) -> BTreeMap<String, Value> {
    serde_json::from_value(pod["containers"][0]["resources"]["limits"].clone()).unwrap()
}

#[test]
fn gpu_nvidia() {
    let gpu = Gpu {
        product: Some("nvidia-l4".into()),
        ..Gpu::new(2, GpuVendor::Nvidia)
    };
    let (bundle, pod) = with_gpu(gpu);
    golden("resources", "gpu_nvidia", &bundle);
    assert_eq!(limits(&pod)["nvidia.com/gpu"], "2");
    assert_eq!(
        pod["tolerations"],
        json!([{"effect": "NoSchedule", "key": "nvidia.com/gpu", "operator": "Exists"}])
    );
    assert_eq!(
        pod["nodeSelector"],
        json!({"cloud.google.com/gke-accelerator": "nvidia-l4"})
    );
}

#[test]
fn gpu_amd() {
    let (bundle, pod) = with_gpu(Gpu::new(2, GpuVendor::Amd));
    golden("resources", "gpu_amd", &bundle);
    assert_eq!(limits(&pod)["amd.com/gpu"], "2");
    assert!(pod.get("tolerations").is_none() && pod.get("nodeSelector").is_none());
}

#[test]
fn gpu_intel() {
    let (bundle, pod) = with_gpu(Gpu::new(2, GpuVendor::Intel));
    golden("resources", "gpu_intel", &bundle);
    assert_eq!(limits(&pod)["gpu.intel.com/i915"], "2");
    // Requests never carry the GPU: the API server copies extended-resource limits (G1, G3).
    assert!(
        pod["containers"][0]["resources"]["requests"]
            .get("gpu.intel.com/i915")
            .is_none()
    );
}

#[test]
fn identity_needs_a_created_account() {
    // The opposite case of the identity goldens: annotating an account we do not render fails.
    let mut w = web("orders");
    w.service_account = k3score::identity::ServiceAccountSpec::existing("shared".parse().unwrap());
    w.service_account.workload_identity = Some(WorkloadIdentity::Aws("arn:aws:iam::123456789012:role/x".into()));
    let err = w.render(&ctx(Target::gcp())).unwrap_err();
    assert!(
        err.to_string().starts_with("service_account.workload_identity:"),
        "{err}"
    );
    assert_eq!(label("orders").as_str(), "orders");
}
