//! The output model: every kind the suite emits, as one enum.

use std::borrow::Cow;

use k8s_openapi::api::apps::v1::{DaemonSet, Deployment, StatefulSet};
use k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler;
use k8s_openapi::api::batch::v1::{CronJob, Job};
use k8s_openapi::api::core::v1::{
    ConfigMap, LimitRange, Namespace, PersistentVolumeClaim, ResourceQuota, Secret, Service, ServiceAccount,
};
use k8s_openapi::api::networking::v1::{Ingress, NetworkPolicy};
use k8s_openapi::api::policy::v1::PodDisruptionBudget;
use k8s_openapi::api::rbac::v1::{ClusterRole, ClusterRoleBinding, Role, RoleBinding};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use k8s_openapi::{ClusterResourceScope, Metadata, NamespaceResourceScope, Resource};
use serde::Deserializer;
use serde_derive::Serialize;

use crate::crd::argocd::v1alpha1::{AppProject, Application};
use crate::crd::cert_manager::v1::{Certificate, Issuer};
use crate::crd::external_secrets::v1::{ClusterSecretStore, ExternalSecret};
use crate::crd::gateway::v1::HTTPRoute;
use crate::crd::gateway::v1beta1::ReferenceGrant;
use crate::crd::generators::v1alpha1::Password;
use crate::crd::helm_controller::v1::HelmChartConfig;
use crate::crd::keda::v1alpha1::{ScaledObject, TriggerAuthentication};
use crate::crd::keda_http::v1alpha1::HTTPScaledObject;
use crate::crd::keda_http::v1beta1::InterceptorRoute;
use crate::crd::prometheus::v1::ServiceMonitor;
use crate::crd::traefik::v1alpha1::{IngressRoute, Middleware, ServersTransport};

/// A kind that can be stored in an [`Object`] and looked up in a [`crate::Bundle`].
pub trait Kind: Resource + Metadata<Ty = ObjectMeta> + Into<Object> + Sized {
    /// The value inside `object` if it is of this kind.
    fn from_object(object: &Object) -> Option<&Self>;
}

/// Reading one kind back from its serialized form (the escape hatch's round trip): the core
/// kinds always can; the custom resources only with `k3scrd`'s feature `deserialize` (their
/// `Deserialize` is behind it, see [`k3scrd::Decode`]), `Err(None)` without it.
pub(crate) trait Decode: Sized {
    /// The value read from `input`; `Err(None)` when this build cannot read the kind.
    fn decode<'de, D: Deserializer<'de>>(input: D) -> Result<Self, Option<D::Error>>;
}

/// Whether a kind's objects live in a namespace (k8s-openapi's `Resource::Scope`).
trait Scope {
    const NAMESPACED: bool;
}

impl Scope for NamespaceResourceScope {
    const NAMESPACED: bool = true;
}

impl Scope for ClusterResourceScope {
    const NAMESPACED: bool = false;
}

/// Why [`Object::decode`] could not read an object.
#[derive(Debug)]
pub(crate) enum DecodeError<E> {
    /// No variant of [`Object`] has this `apiVersion` and `kind`.
    Unknown,
    /// A custom resource, and `k3scrd` was built without its feature `deserialize`.
    NeedsFeature,
    /// The input does not fit the kind's type.
    Invalid(E),
}

/// The core kinds (k8s-openapi types) read back through their own `Deserialize`.
macro_rules! core_kinds {
    ($($ty:ty),* $(,)?) => {
        $(
            impl Decode for $ty {
                fn decode<'de, D: Deserializer<'de>>(input: D) -> Result<Self, Option<D::Error>> {
                    <$ty as serde::Deserialize>::deserialize(input).map_err(Some)
                }
            }
        )*
    };
}

core_kinds!(
    Namespace,
    ResourceQuota,
    LimitRange,
    ServiceAccount,
    ClusterRole,
    ClusterRoleBinding,
    Role,
    RoleBinding,
    Secret,
    ConfigMap,
    PersistentVolumeClaim,
    Deployment,
    StatefulSet,
    DaemonSet,
    CronJob,
    Job,
    Service,
    HorizontalPodAutoscaler,
    PodDisruptionBudget,
    NetworkPolicy,
    Ingress,
);

/// The custom resources (`k3scrd` types) read back through [`k3scrd::Decode`], which knows
/// whether this build has their `Deserialize`.
macro_rules! custom_kinds {
    ($($ty:ty),* $(,)?) => {
        $(
            impl Decode for $ty {
                fn decode<'de, D: Deserializer<'de>>(input: D) -> Result<Self, Option<D::Error>> {
                    <$ty as k3scrd::Decode>::decode(input)
                }
            }
        )*
    };
}

custom_kinds!(
    AppProject,
    Application,
    Certificate,
    Issuer,
    ClusterSecretStore,
    ExternalSecret,
    HTTPRoute,
    ReferenceGrant,
    Password,
    HelmChartConfig,
    ScaledObject,
    TriggerAuthentication,
    HTTPScaledObject,
    InterceptorRoute,
    ServiceMonitor,
    IngressRoute,
    Middleware,
    ServersTransport,
);

macro_rules! objects {
    ($( $(#[$doc:meta])* $variant:ident($ty:ty) = $rank:literal ),* $(,)?) => {
        /// One Kubernetes object of any kind the suite emits, core or custom.
        ///
        /// Serializes exactly as the object itself (with `apiVersion` and `kind`).
        #[derive(Clone, Debug, PartialEq, Serialize)]
        #[serde(untagged)]
        #[allow(clippy::large_enum_variant)]
        pub enum Object {
            $( $(#[$doc])* $variant(Box<$ty>), )*
        }

        impl Object {
            /// Position in apply order: namespaces first, routes last.
            #[must_use]
            pub fn apply_rank(&self) -> u8 {
                match self { $( Object::$variant(_) => $rank, )* }
            }

            /// The object's metadata.
            #[must_use]
            pub fn meta(&self) -> &ObjectMeta {
                match self { $( Object::$variant(o) => o.metadata(), )* }
            }

            /// The object's metadata, mutable (to add labels or annotations after rendering).
            pub fn meta_mut(&mut self) -> &mut ObjectMeta {
                match self { $( Object::$variant(o) => o.metadata_mut(), )* }
            }

            /// The object's `kind`.
            #[must_use]
            pub fn kind(&self) -> Cow<'static, str> {
                match self { $( Object::$variant(_) => Cow::Borrowed(<$ty as Resource>::KIND), )* }
            }

            /// The object's `apiVersion`.
            #[must_use]
            pub fn api_version(&self) -> Cow<'static, str> {
                match self { $( Object::$variant(_) => Cow::Borrowed(<$ty as Resource>::API_VERSION), )* }
            }

            /// Whether objects of this kind live in a namespace.
            #[must_use]
            pub fn is_namespaced(&self) -> bool {
                match self { $( Object::$variant(_) => <<$ty as Resource>::Scope as Scope>::NAMESPACED, )* }
            }

            /// Reads an object of the kind `api_version` / `kind` names from `input`.
            pub(crate) fn decode<'de, D: Deserializer<'de>>(
                api_version: &str,
                kind: &str,
                input: D,
            ) -> Result<Object, DecodeError<D::Error>> {
                $(
                    if api_version == <$ty as Resource>::API_VERSION && kind == <$ty as Resource>::KIND {
                        return match <$ty as Decode>::decode(input) {
                            Ok(value) => Ok(Object::$variant(Box::new(value))),
                            Err(Some(error)) => Err(DecodeError::Invalid(error)),
                            Err(None) => Err(DecodeError::NeedsFeature),
                        };
                    }
                )*
                Err(DecodeError::Unknown)
            }

            /// Every `apiVersion` and `kind` an [`Object`] can hold, in apply order.
            pub const KINDS: &'static [(&'static str, &'static str)] =
                &[$( (<$ty as Resource>::API_VERSION, <$ty as Resource>::KIND), )*];
        }

        $(
            impl From<$ty> for Object {
                fn from(value: $ty) -> Self {
                    Object::$variant(Box::new(value))
                }
            }

            impl Kind for $ty {
                fn from_object(object: &Object) -> Option<&Self> {
                    if let Object::$variant(value) = object { Some(value) } else { None }
                }
            }
        )*
    };
}

objects! {
    /// `v1` Namespace.
    Namespace(Namespace) = 0,
    /// `v1` ResourceQuota.
    ResourceQuota(ResourceQuota) = 1,
    /// `v1` LimitRange.
    LimitRange(LimitRange) = 1,
    /// `external-secrets.io/v1` ClusterSecretStore.
    ClusterSecretStore(ClusterSecretStore) = 2,
    /// `generators.external-secrets.io/v1alpha1` Password.
    Password(Password) = 2,
    /// `v1` ServiceAccount.
    ServiceAccount(ServiceAccount) = 3,
    /// `rbac.authorization.k8s.io/v1` ClusterRole.
    ClusterRole(ClusterRole) = 4,
    /// `rbac.authorization.k8s.io/v1` ClusterRoleBinding.
    ClusterRoleBinding(ClusterRoleBinding) = 4,
    /// `rbac.authorization.k8s.io/v1` Role.
    Role(Role) = 4,
    /// `rbac.authorization.k8s.io/v1` RoleBinding.
    RoleBinding(RoleBinding) = 4,
    /// `v1` Secret.
    Secret(Secret) = 5,
    /// `external-secrets.io/v1` ExternalSecret.
    ExternalSecret(ExternalSecret) = 5,
    /// `v1` ConfigMap.
    ConfigMap(ConfigMap) = 6,
    /// `v1` PersistentVolumeClaim.
    PersistentVolumeClaim(PersistentVolumeClaim) = 7,
    /// `apps/v1` Deployment.
    Deployment(Deployment) = 8,
    /// `apps/v1` StatefulSet.
    StatefulSet(StatefulSet) = 8,
    /// `apps/v1` DaemonSet.
    DaemonSet(DaemonSet) = 8,
    /// `batch/v1` CronJob.
    CronJob(CronJob) = 8,
    /// `batch/v1` Job.
    Job(Job) = 8,
    /// `v1` Service.
    Service(Service) = 9,
    /// `autoscaling/v2` HorizontalPodAutoscaler.
    HorizontalPodAutoscaler(HorizontalPodAutoscaler) = 10,
    /// `keda.sh/v1alpha1` TriggerAuthentication.
    TriggerAuthentication(TriggerAuthentication) = 10,
    /// `keda.sh/v1alpha1` ScaledObject.
    ScaledObject(ScaledObject) = 10,
    /// `http.keda.sh/v1alpha1` HTTPScaledObject.
    HttpScaledObject(HTTPScaledObject) = 10,
    /// `http.keda.sh/v1beta1` InterceptorRoute.
    InterceptorRoute(InterceptorRoute) = 10,
    /// `monitoring.coreos.com/v1` ServiceMonitor.
    ServiceMonitor(ServiceMonitor) = 10,
    /// `policy/v1` PodDisruptionBudget.
    PodDisruptionBudget(PodDisruptionBudget) = 11,
    /// `networking.k8s.io/v1` NetworkPolicy.
    NetworkPolicy(NetworkPolicy) = 12,
    /// `cert-manager.io/v1` Issuer (before the Certificates it signs).
    Issuer(Issuer) = 12,
    /// `cert-manager.io/v1` Certificate (before the route that serves its Secret).
    Certificate(Certificate) = 13,
    /// `traefik.io/v1alpha1` ServersTransport.
    ServersTransport(ServersTransport) = 13,
    /// `traefik.io/v1alpha1` Middleware.
    Middleware(Middleware) = 13,
    /// `gateway.networking.k8s.io/v1beta1` ReferenceGrant.
    ReferenceGrant(ReferenceGrant) = 13,
    /// `traefik.io/v1alpha1` IngressRoute.
    IngressRoute(IngressRoute) = 14,
    /// `networking.k8s.io/v1` Ingress.
    Ingress(Ingress) = 14,
    /// `gateway.networking.k8s.io/v1` HTTPRoute.
    HttpRoute(HTTPRoute) = 14,
    /// `helm.cattle.io/v1` HelmChartConfig (settings of a chart k3s installs itself).
    HelmChartConfig(HelmChartConfig) = 15,
    /// `argoproj.io/v1alpha1` AppProject.
    AppProject(AppProject) = 15,
    /// `argoproj.io/v1alpha1` Application.
    Application(Application) = 16,
}

impl Object {
    /// The object's name (empty if unset).
    #[must_use]
    pub fn name(&self) -> &str {
        self.meta().name.as_deref().unwrap_or_default()
    }

    /// The object's namespace, if namespaced.
    #[must_use]
    pub fn namespace(&self) -> Option<&str> {
        self.meta().namespace.as_deref()
    }

    /// `Kind/namespace/name` (or `Kind/name`), for messages and duplicate checks.
    #[must_use]
    pub fn key(&self) -> String {
        // Joined by hand, not `format!`: the streaming duplicate check calls this per object.
        let (kind, name, ns) = (self.kind(), self.name(), self.namespace());
        let mut key = String::with_capacity(kind.len() + name.len() + ns.map_or(0, str::len) + 2);
        key.push_str(&kind);
        key.push('/');
        if let Some(ns) = ns {
            key.push_str(ns);
            key.push('/');
        }
        key.push_str(name);
        key
    }
}
