//! Server-side apply of a rendered bundle, typed kind by kind, and label-based pruning.
//!
//! Every object the orchestrator applies carries [`STORE_LABEL`]` = <id>`: that label is the
//! ownership mark pruning and teardown select on, so nothing without it is ever deleted.

use std::collections::BTreeSet;
use std::fmt::Debug;

use futures::future::BoxFuture;
use k3score::{Bundle, Kind, Object};
use k8s_openapi::{ClusterResourceScope, NamespaceResourceScope};
use kube::api::{DeleteParams, ListParams, Patch, PatchParams};
use kube::{Api, Client};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// The ownership label: every object of store `<id>` carries `platform.k3s.io/store: <id>`.
pub const STORE_LABEL: &str = "platform.k3s.io/store";

/// The label selector of the objects owned by store `id`.
#[must_use]
pub fn selector(id: &str) -> String {
    format!("{STORE_LABEL}={id}")
}

/// Marks every object of `bundle` as owned by store `id`.
pub fn label_owned(bundle: Bundle, id: &str) -> Bundle {
    bundle
        .into_iter()
        .map(|mut object| {
            object
                .meta_mut()
                .labels
                .get_or_insert_with(Default::default)
                .insert(STORE_LABEL.to_owned(), id.to_owned());
            object
        })
        .collect()
}

/// The keys (`Kind/namespace/name`) of the objects found that a render no longer has.
#[must_use]
pub fn stale(rendered: &BTreeSet<String>, found: &[Object]) -> Vec<Object> {
    found.iter().filter(|o| !rendered.contains(&o.key())).cloned().collect()
}

/// What every kind needs to be applied, listed and deleted through a typed `Api`.
pub trait TypedKind:
    Kind + kube::Resource<DynamicType = ()> + Clone + Debug + Serialize + DeserializeOwned + Send + Sync + 'static
{
}
impl<K> TypedKind for K where
    K: Kind + kube::Resource<DynamicType = ()> + Clone + Debug + Serialize + DeserializeOwned + Send + Sync + 'static
{
}

/// A namespaced [`TypedKind`].
pub trait NamespacedKind: TypedKind + kube::Resource<Scope = NamespaceResourceScope> {}
impl<K: TypedKind + kube::Resource<Scope = NamespaceResourceScope>> NamespacedKind for K {}

/// A cluster-scoped [`TypedKind`].
pub trait ClusterKind: TypedKind + kube::Resource<Scope = ClusterResourceScope> {}
impl<K: TypedKind + kube::Resource<Scope = ClusterResourceScope>> ClusterKind for K {}

/// An operation on one object, written once per scope and run on any kind by [`visit`].
pub trait Visitor {
    /// The operation's result.
    type Out;
    /// Runs on a namespaced object.
    fn namespaced<K: NamespacedKind>(self, object: &K) -> Self::Out;
    /// Runs on a cluster-scoped object.
    fn cluster<K: ClusterKind>(self, object: &K) -> Self::Out;
}

/// Runs `visitor` on `object` with its concrete type (the scope is checked at compile time).
pub fn visit<V: Visitor>(object: &Object, visitor: V) -> V::Out {
    match object {
        Object::Namespace(o) => visitor.cluster(&**o),
        Object::ResourceQuota(o) => visitor.namespaced(&**o),
        Object::LimitRange(o) => visitor.namespaced(&**o),
        Object::ClusterSecretStore(o) => visitor.cluster(&**o),
        Object::Password(o) => visitor.namespaced(&**o),
        Object::ServiceAccount(o) => visitor.namespaced(&**o),
        Object::ClusterRole(o) => visitor.cluster(&**o),
        Object::ClusterRoleBinding(o) => visitor.cluster(&**o),
        Object::Role(o) => visitor.namespaced(&**o),
        Object::RoleBinding(o) => visitor.namespaced(&**o),
        Object::Secret(o) => visitor.namespaced(&**o),
        Object::ExternalSecret(o) => visitor.namespaced(&**o),
        Object::ConfigMap(o) => visitor.namespaced(&**o),
        Object::PersistentVolumeClaim(o) => visitor.namespaced(&**o),
        Object::Deployment(o) => visitor.namespaced(&**o),
        Object::StatefulSet(o) => visitor.namespaced(&**o),
        Object::DaemonSet(o) => visitor.namespaced(&**o),
        Object::CronJob(o) => visitor.namespaced(&**o),
        Object::Job(o) => visitor.namespaced(&**o),
        Object::Service(o) => visitor.namespaced(&**o),
        Object::HorizontalPodAutoscaler(o) => visitor.namespaced(&**o),
        Object::TriggerAuthentication(o) => visitor.namespaced(&**o),
        Object::ScaledObject(o) => visitor.namespaced(&**o),
        Object::HttpScaledObject(o) => visitor.namespaced(&**o),
        Object::InterceptorRoute(o) => visitor.namespaced(&**o),
        Object::ServiceMonitor(o) => visitor.namespaced(&**o),
        Object::PodDisruptionBudget(o) => visitor.namespaced(&**o),
        Object::NetworkPolicy(o) => visitor.namespaced(&**o),
        Object::ServersTransport(o) => visitor.namespaced(&**o),
        Object::Middleware(o) => visitor.namespaced(&**o),
        Object::ReferenceGrant(o) => visitor.namespaced(&**o),
        Object::Issuer(o) => visitor.namespaced(&**o),
        Object::Certificate(o) => visitor.namespaced(&**o),
        Object::HelmChartConfig(o) => visitor.namespaced(&**o),
        Object::IngressRoute(o) => visitor.namespaced(&**o),
        Object::Ingress(o) => visitor.namespaced(&**o),
        Object::HttpRoute(o) => visitor.namespaced(&**o),
        Object::AppProject(o) => visitor.namespaced(&**o),
        Object::Application(o) => visitor.namespaced(&**o),
    }
}

/// Server-side apply of one object (one field manager, `force`); gives the server's copy.
pub struct ApplyOne<'a> {
    /// The client.
    pub client: &'a Client,
    /// `PatchParams::apply(manager).force()`.
    pub params: &'a PatchParams,
}

impl<'a> Visitor for ApplyOne<'a> {
    type Out = BoxFuture<'a, Result<Object, kube::Error>>;

    fn namespaced<K: NamespacedKind>(self, object: &K) -> Self::Out {
        let object = object.clone();
        Box::pin(async move {
            let ns = object.meta().namespace.clone().unwrap_or_default();
            let name = object.meta().name.clone().unwrap_or_default();
            let api: Api<K> = Api::namespaced(self.client.clone(), &ns);
            Ok(api.patch(&name, self.params, &Patch::Apply(&object)).await?.into())
        })
    }

    fn cluster<K: ClusterKind>(self, object: &K) -> Self::Out {
        let object = object.clone();
        Box::pin(async move {
            let name = object.meta().name.clone().unwrap_or_default();
            let api: Api<K> = Api::all(self.client.clone());
            Ok(api.patch(&name, self.params, &Patch::Apply(&object)).await?.into())
        })
    }
}

/// Lists the objects of the sample's kind that carry a label selector: in `namespace` for
/// namespaced kinds, cluster-wide for cluster-scoped ones. A kind the server does not serve
/// (its CRD is not installed) has no objects.
pub struct ListOwned<'a> {
    /// The client.
    pub client: &'a Client,
    /// Namespace of namespaced kinds.
    pub namespace: &'a str,
    /// The label selector.
    pub selector: &'a str,
}

fn absent_is_empty<T>(result: Result<Vec<T>, kube::Error>) -> Result<Vec<T>, kube::Error> {
    match result {
        Err(kube::Error::Api(status)) if status.code == 404 => Ok(Vec::new()),
        other => other,
    }
}

impl<'a> Visitor for ListOwned<'a> {
    type Out = BoxFuture<'a, Result<Vec<Object>, kube::Error>>;

    fn namespaced<K: NamespacedKind>(self, _: &K) -> Self::Out {
        Box::pin(async move {
            let api: Api<K> = Api::namespaced(self.client.clone(), self.namespace);
            let found = api.list(&ListParams::default().labels(self.selector)).await;
            absent_is_empty(found.map(|list| list.items.into_iter().map(Into::into).collect()))
        })
    }

    fn cluster<K: ClusterKind>(self, _: &K) -> Self::Out {
        Box::pin(async move {
            let api: Api<K> = Api::all(self.client.clone());
            let found = api.list(&ListParams::default().labels(self.selector)).await;
            absent_is_empty(found.map(|list| list.items.into_iter().map(Into::into).collect()))
        })
    }
}

/// Deletes one object (already gone counts as deleted).
pub struct DeleteOne<'a> {
    /// The client.
    pub client: &'a Client,
}

fn gone_is_ok(result: Result<(), kube::Error>) -> Result<(), kube::Error> {
    match result {
        Err(kube::Error::Api(status)) if status.code == 404 => Ok(()),
        other => other,
    }
}

impl<'a> Visitor for DeleteOne<'a> {
    type Out = BoxFuture<'a, Result<(), kube::Error>>;

    fn namespaced<K: NamespacedKind>(self, object: &K) -> Self::Out {
        let ns = object.meta().namespace.clone().unwrap_or_default();
        let name = object.meta().name.clone().unwrap_or_default();
        Box::pin(async move {
            let api: Api<K> = Api::namespaced(self.client.clone(), &ns);
            gone_is_ok(api.delete(&name, &DeleteParams::background()).await.map(drop))
        })
    }

    fn cluster<K: ClusterKind>(self, object: &K) -> Self::Out {
        let name = object.meta().name.clone().unwrap_or_default();
        Box::pin(async move {
            let api: Api<K> = Api::all(self.client.clone());
            gone_is_ok(api.delete(&name, &DeleteParams::background()).await.map(drop))
        })
    }
}

macro_rules! debug_without_client {
    ($($visitor:ident),*) => {$(
        impl std::fmt::Debug for $visitor<'_> {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.debug_struct(stringify!($visitor)).finish_non_exhaustive()
            }
        }
    )*};
}
debug_without_client!(ApplyOne, ListOwned, DeleteOne);

/// One sample object per kind a store can render, so pruning and teardown know which kinds
/// to list even when the current render has none of them.
#[must_use]
pub fn kinds_of<'a>(bundles: impl IntoIterator<Item = &'a Bundle>) -> Vec<Object> {
    let mut seen = BTreeSet::new();
    let mut kinds = Vec::new();
    for object in bundles.into_iter().flat_map(Bundle::iter) {
        if seen.insert((object.api_version(), object.kind())) {
            kinds.push(object.clone());
        }
    }
    kinds.sort_by_key(|o| std::cmp::Reverse(o.apply_rank()));
    kinds
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::core::v1::{ConfigMap, Namespace};
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

    fn config_map(name: &str) -> Object {
        ConfigMap {
            metadata: ObjectMeta {
                name: Some(name.to_owned()),
                namespace: Some("store-acme".to_owned()),
                ..ObjectMeta::default()
            },
            ..ConfigMap::default()
        }
        .into()
    }

    #[test]
    fn prune_keeps_rendered_objects_and_removes_the_rest() {
        let rendered: BTreeSet<String> = [config_map("a").key()].into();
        let found = [config_map("a"), config_map("b")];
        let stale = stale(&rendered, &found);
        assert_eq!(stale.len(), 1);
        assert_eq!(stale[0].key(), "ConfigMap/store-acme/b");
        assert!(super::stale(&BTreeSet::new(), &[]).is_empty());
    }

    #[test]
    fn every_object_is_labelled_with_its_store() {
        let bundle: Bundle = [config_map("a"), Namespace::default().into()].into_iter().collect();
        let owned = label_owned(bundle, "acme");
        for object in owned.iter() {
            assert_eq!(object.meta().labels.as_ref().unwrap()[STORE_LABEL], "acme");
        }
        assert_eq!(selector("acme"), "platform.k3s.io/store=acme");
    }

    #[test]
    fn kinds_are_listed_once_namespaces_last() {
        let a: Bundle = [config_map("a"), Namespace::default().into()].into_iter().collect();
        let b: Bundle = [config_map("b")].into_iter().collect();
        let kinds: Vec<_> = kinds_of([&a, &b]).iter().map(Object::kind).collect();
        assert_eq!(kinds, ["ConfigMap", "Namespace"]);
    }
}
