//! The `Apply` path: render the store, refuse foreign namespaces, apply, prune, derive the
//! phase, announce what changed.

use std::collections::BTreeSet;
use std::time::Duration;

use jiff::Timestamp;
use k3score::{Bundle, Kind, Object, SecretBackend, Target};
use k3splatform::store::{PASSWORD_SECRET, STORE_PREFIX};
use k8s_openapi::api::apps::v1::{Deployment, StatefulSet};
use k8s_openapi::api::core::v1::{Namespace, Pod, Secret};
use k8s_openapi::api::rbac::v1::RoleBinding;
use kube::api::{ListParams, Patch, PatchParams};
use kube::runtime::controller::Action;
use kube::runtime::events::EventType;
use kube::{Api, Client, ResourceExt};

use super::apply::{self, ApplyOne, DeleteOne, ListOwned, STORE_LABEL};
use super::render::render_context;
pub use super::render::{sample_bundles, store_bundle, store_kinds};
use super::status::{self, Blocker, Observation, Replicas};
use super::{Context, Error};
use crate::resource::{Phase, Store, StoreStatus};

/// Length of a generated local Postgres password (alphanumeric, so URL-safe).
pub const PASSWORD_LENGTH: usize = 32;
/// How often a `Ready` store is re-applied (drift repair).
const READY_RESYNC: Duration = Duration::from_secs(300);
/// How often a `Failed` store is tried again.
const FAILED_RETRY: Duration = Duration::from_secs(10);
/// How often a store that is not ready yet has its pods looked at: a container that cannot
/// start does not change its workload's status, so no watch event announces it.
const POD_CHECK: Duration = Duration::from_secs(10);

/// The store's namespace.
pub fn namespace_of(id: &str) -> String {
    format!("{STORE_PREFIX}-{id}")
}

/// The store's URL on `target` (`http://<id>.localhost` on local).
pub fn url_of(target: &Target, id: &str) -> String {
    let scheme = if target.tls() { "https" } else { "http" };
    format!("{scheme}://{}", target.host(id))
}

/// Applies the RoleBinding that grants the controller [`crate::install::STORE_ROLE`] in the
/// store's namespace (with its cluster-wide `bind` on that one role); everything else in the
/// namespace goes through it.
async fn grant_access(ctx: &Context, namespace: &str, id: &str) -> Result<(), kube::Error> {
    let binding = crate::install::store_binding(namespace, id);
    let params = PatchParams::apply(&ctx.state.config.field_manager).force();
    Api::<RoleBinding>::namespaced(ctx.state.client.clone(), namespace)
        .patch(crate::install::STORE_ROLE, &params, &Patch::Apply(&binding))
        .await?;
    Ok(())
}

/// A new password from OS randomness: `PASSWORD_LENGTH` characters of `[A-Za-z0-9]`.
pub fn generate_password() -> Result<String, getrandom::Error> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut out = String::with_capacity(PASSWORD_LENGTH);
    let mut buf = [0u8; 64];
    while out.len() < PASSWORD_LENGTH {
        getrandom::fill(&mut buf)?;
        // Rejection sampling: 248 = 4 * 62 keeps every character equally likely.
        for b in buf.iter().filter(|&&b| b < 248) {
            if out.len() < PASSWORD_LENGTH {
                out.push(char::from(ALPHABET[usize::from(*b) % ALPHABET.len()]));
            }
        }
    }
    Ok(out)
}

/// The local Postgres password: the one kept in the store's Secret, or a new one.
async fn local_password(client: &Client, namespace: &str) -> Result<String, Error> {
    let secrets: Api<Secret> = Api::namespaced(client.clone(), namespace);
    let existing = secrets
        .get_opt(PASSWORD_SECRET)
        .await?
        .and_then(|s| s.data)
        .and_then(|d| d.get(k3score::secrets::GeneratedPassword::KEY).cloned())
        .and_then(|v| String::from_utf8(v.0).ok())
        .filter(|v| !v.is_empty());
    match existing {
        Some(password) => Ok(password),
        None => Ok(generate_password()?),
    }
}

/// Whether an API error is the server refusing the object (the store's problem) rather than
/// the server being unavailable (retried as an error).
fn refused(error: &kube::Error) -> Option<String> {
    match error {
        // 403: RBAC has not yet seen the store namespace's new RoleBinding (its authorizer
        // follows bindings through a watch); the retry a moment later passes.
        kube::Error::Api(status) if (400..500).contains(&status.code) && ![403, 429].contains(&status.code) => {
            Some(status.message.clone())
        }
        _ => None,
    }
}

/// Whether the API server answered as it does for a resource type it does not serve: a `404`
/// that is not its JSON `NotFound` status (the body is plain `404 page not found`, which kube
/// turns into a status without the reason).
fn kind_missing(error: &kube::Error) -> bool {
    matches!(error, kube::Error::Api(status) if status.code == 404 && status.reason != "NotFound")
}

/// The sentence for a kind the cluster lacks, naming what installs it
/// (`the cluster has no IngressRoute (traefik.io/v1alpha1): install Traefik's CRDs`).
fn missing_kind(kind: &str, api_version: &str) -> String {
    let group = api_version.split_once('/').map_or("", |(group, _)| group);
    let installer = match group {
        "traefik.io" | "traefik.containo.us" => "install Traefik's CRDs",
        "keda.sh" => "install KEDA",
        "http.keda.sh" => "install the KEDA HTTP add-on",
        "external-secrets.io" | "generators.external-secrets.io" => "install External Secrets Operator",
        "gateway.networking.k8s.io" => "install the Gateway API CRDs",
        "monitoring.coreos.com" => "install the Prometheus Operator's CRDs",
        "cert-manager.io" | "acme.cert-manager.io" => "install cert-manager",
        "argoproj.io" => "install Argo CD",
        "helm.cattle.io" => "use k3s, whose Helm controller defines it",
        _ => "install the CustomResourceDefinition that defines it",
    };
    format!("the cluster has no {kind} ({api_version}): {installer}")
}

/// What applying the store gave.
struct Applied {
    database: Replicas,
    api: Replicas,
    stuck: Option<Blocker>,
}

/// Renders and applies the store; a refusal becomes a [`Blocker`].
async fn provision(store: &Store, id: &str, ctx: &Context) -> Result<Result<Applied, Blocker>, Error> {
    let client = &ctx.state.client;
    let target = &ctx.state.config.target;
    let namespace = namespace_of(id);
    let platform = match store.spec.to_platform(id) {
        Ok(platform) => platform,
        Err(errors) => {
            return Ok(Err(Blocker {
                reason: "InvalidSpec",
                message: errors.to_string(),
            }));
        }
    };
    let existing = Api::<Namespace>::all(client.clone()).get_opt(&namespace).await?;
    if let Some(ns) = &existing
        && ns.labels().get(STORE_LABEL).map(String::as_str) != Some(id)
    {
        return Ok(Err(Blocker {
            reason: "NamespaceConflict",
            message: format!(
                "namespace {namespace} already exists and is not managed by k3sstore (no {STORE_LABEL}={id} label); it is never adopted or overwritten"
            ),
        }));
    }
    if existing.is_some() {
        // Before reading the store's Secret: the namespace may predate the binding.
        grant_access(ctx, &namespace, id).await?;
    }
    let password = match (&target.secrets, existing.is_some()) {
        (SecretBackend::Local, true) => local_password(client, &namespace).await?,
        (SecretBackend::Local, false) => generate_password()?,
        _ => String::new(),
    };
    let bundle = match platform.render(&render_context(target.clone(), password)) {
        Ok(bundle) => apply::label_owned(store_bundle(bundle), id),
        Err(errors) => {
            return Ok(Err(Blocker {
                reason: "RenderFailed",
                message: errors.to_string(),
            }));
        }
    };
    let params = PatchParams::apply(&ctx.state.config.field_manager).force();
    let mut applied = Applied {
        database: Replicas::default(),
        api: Replicas::default(),
        stuck: None,
    };
    for object in bundle.in_apply_order() {
        let result = apply::visit(
            object,
            ApplyOne {
                client,
                params: &params,
            },
        )
        .await;
        let server = match result {
            Ok(server) => server,
            Err(error) => match refused(&error) {
                Some(_) if kind_missing(&error) => {
                    return Ok(Err(Blocker {
                        reason: "KindMissing",
                        message: missing_kind(&object.kind(), &object.api_version()),
                    }));
                }
                Some(message) => {
                    return Ok(Err(Blocker {
                        reason: "ApplyFailed",
                        message: format!("{} {}: {message}", object.kind(), object.name()),
                    }));
                }
                None => return Err(error.into()),
            },
        };
        if matches!(object, Object::Namespace(_)) {
            grant_access(ctx, &namespace, id).await?;
        }
        if let Some(set) = StatefulSet::from_object(&server) {
            applied.database = Replicas::of_statefulset(set);
        }
        if let Some(deployment) = Deployment::from_object(&server) {
            applied.api = Replicas::of_deployment(deployment);
        }
    }
    let needs_prune = store.status.as_ref().and_then(|s| s.observed_generation) != store.metadata.generation
        || store.status.as_ref().and_then(|s| s.phase) != Some(Phase::Ready);
    if needs_prune {
        prune(ctx, id, &namespace, &bundle).await?;
    }
    if !(applied.database.is_ready() && applied.api.is_ready()) {
        let pods: Api<Pod> = Api::namespaced(client.clone(), &namespace);
        let listed = pods
            .list(&ListParams::default().labels(&super::pods::selector()))
            .await?;
        applied.stuck = super::pods::stuck(&listed.items);
    }
    Ok(Ok(applied))
}

/// Deletes the store's objects that the current render no longer has.
async fn prune(ctx: &Context, id: &str, namespace: &str, bundle: &Bundle) -> Result<(), Error> {
    let client = &ctx.state.client;
    let rendered: BTreeSet<String> = bundle.iter().map(Object::key).collect();
    let selector = apply::selector(id);
    for kind in &ctx.kinds {
        let list = ListOwned {
            client,
            namespace,
            selector: &selector,
        };
        let found = apply::visit(kind, list).await?;
        for object in apply::stale(&rendered, &found) {
            tracing::info!(store = id, object = %object.key(), "pruning");
            apply::visit(&object, DeleteOne { client }).await?;
        }
    }
    Ok(())
}

/// The `Apply` path of the finalizer.
pub(super) async fn apply(store: &Store, ctx: &Context) -> Result<Action, Error> {
    let id = store.name_any();
    let config = &ctx.state.config;
    let previous = store.status.as_ref();
    let previous_phase = previous.and_then(|s| s.phase);
    let url = url_of(&config.target, &id);
    if previous_phase.is_none() {
        ctx.state.metrics.stores_created.inc();
        ctx.event(
            store,
            EventType::Normal,
            "Accepted",
            "Accept",
            format!("store {id} accepted; it will be served at {url}"),
        )
        .await;
        let requested = StoreStatus {
            phase: Some(Phase::Requested),
            url: Some(url.clone()),
            observed_generation: store.metadata.generation,
            ..StoreStatus::default()
        };
        ctx.write_status(store, &requested).await?;
    }
    let outcome = provision(store, &id, ctx).await?;
    let now = Timestamp::now();
    let created = store.metadata.creation_timestamp.as_ref().map_or(now, |t| t.0);
    let age = Duration::try_from(now.duration_since(created)).unwrap_or_default();
    // The deadline counts from creation, or from the moment a store that was Ready stopped
    // being ready (a pod restart weeks later is not a provisioning failure).
    let unready_since = status::unready_since(previous, created, now);
    let unready_for = Duration::try_from(now.duration_since(unready_since)).unwrap_or_default();
    let (blocker, database, api, stuck) = match outcome {
        Ok(applied) => (None, applied.database, applied.api, applied.stuck),
        Err(blocker) => (Some(blocker), Replicas::default(), Replicas::default(), None),
    };
    let observation = Observation {
        blocker,
        database,
        api,
        stuck,
        age: unready_for,
        deadline: config.deadline,
    };
    let verdict = status::derive(&observation);
    if verdict.provisioned.0 && !status::was_provisioned(previous) {
        let namespace = namespace_of(&id);
        let steps = [
            (
                "NamespaceCreated",
                "CreateNamespace",
                format!("namespace {namespace} with quota, limits, default-deny policies and RBAC"),
            ),
            (
                "DatabaseProvisioning",
                "ProvisionDatabase",
                format!("Postgres StatefulSet {namespace}/postgres applied"),
            ),
            (
                "ApiProvisioning",
                "ProvisionApi",
                format!("API Deployment {namespace}/api applied, route {url}"),
            ),
        ];
        for (reason, action, note) in steps {
            ctx.event(store, EventType::Normal, reason, action, note).await;
        }
    }
    match verdict.phase {
        Phase::Ready if previous_phase != Some(Phase::Ready) => {
            ctx.state.metrics.observe_provisioning(age.as_secs_f64());
            let note = format!("store {id} is ready at {url}: {}", verdict.ready.2);
            ctx.event(store, EventType::Normal, "Ready", "Ready", note).await;
        }
        Phase::Failed if previous_phase != Some(Phase::Failed) => {
            ctx.state.metrics.provisioning_failures.inc();
            let note = verdict.message.clone().unwrap_or_default();
            ctx.event(store, EventType::Warning, "ProvisioningFailed", "Provision", note)
                .await;
        }
        _ => {}
    }
    let next = status::status_for(previous, &verdict, url, store.metadata.generation, now);
    ctx.write_status(store, &next).await?;
    Ok(match verdict.phase {
        Phase::Ready => Action::requeue(READY_RESYNC),
        Phase::Failed => Action::requeue(FAILED_RETRY),
        // Re-check the pods soon and when the deadline passes; workload changes trigger a
        // reconcile sooner.
        _ => Action::requeue(POD_CHECK.min(config.deadline.saturating_sub(unready_for) + Duration::from_secs(1))),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_kind_reads_as_a_sentence_naming_what_installs_it() {
        assert_eq!(
            missing_kind("IngressRoute", "traefik.io/v1alpha1"),
            "the cluster has no IngressRoute (traefik.io/v1alpha1): install Traefik's CRDs"
        );
        assert!(missing_kind("Thing", "example.com/v1").ends_with("the CustomResourceDefinition that defines it"));
        let plain = kube::core::Status::failure("404 page not found", "Failed to parse error data").with_code(404);
        assert!(kind_missing(&kube::Error::Api(plain.boxed())));
        let namespace = kube::core::Status::failure("namespaces \"store-x\" not found", "NotFound").with_code(404);
        assert!(!kind_missing(&kube::Error::Api(namespace.boxed())));
    }

    #[test]
    fn passwords_are_alphanumeric_and_differ() {
        let a = generate_password().unwrap();
        let b = generate_password().unwrap();
        assert_eq!(a.len(), PASSWORD_LENGTH);
        assert!(a.chars().all(|c| c.is_ascii_alphanumeric()), "{a}");
        assert_ne!(a, b);
    }

    #[test]
    fn store_kinds_cover_every_target_and_no_rbac_kind() {
        let kinds: Vec<String> = store_kinds().iter().map(|o| o.kind().into_owned()).collect();
        for kind in [
            "Namespace",
            "StatefulSet",
            "Deployment",
            "Secret",
            "Password",
            "ExternalSecret",
            "IngressRoute",
            "Ingress",
        ] {
            assert!(kinds.iter().any(|k| k == kind), "{kind} missing from {kinds:?}");
        }
        for kind in ["Role", "RoleBinding", "ClusterRole", "ClusterRoleBinding"] {
            assert!(!kinds.iter().any(|k| k == kind), "{kind} in {kinds:?}");
        }
    }

    #[test]
    fn url_follows_the_target() {
        assert_eq!(url_of(&Target::local(), "acme"), "http://acme.localhost");
        assert_eq!(url_of(&Target::gcp(), "acme"), "https://acme.example.com");
    }
}
