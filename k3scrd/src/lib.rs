//! Typed custom resources of the add-ons the k3s platform crates render for: KEDA and its HTTP
//! add-on, External Secrets, Traefik (and k3s's HelmChartConfig), Argo CD, the Gateway API and
//! cert-manager.
//!
//! One module per API group and version, one kind (with its spec sub-types) per file, as
//! `k8s-openapi` lays out the core API: `keda::v1alpha1::ScaledObject`,
//! `gateway::v1::HTTPRoute`, `external_secrets::v1::ExternalSecret`. Each root type is
//! declared with the crate's `custom_resource!` macro around its spec and implements
//! k8s-openapi's `Resource` and `Metadata` traits, as the core kinds do, so `apiVersion`/`kind`
//! come from constants (and `kube::Api` accepts the types through kube's blanket impl, with the
//! feature `deserialize`: the platform crates only write custom resources, so their
//! `Deserialize` is off by default and a `build.rs` user does not compile it). Field names,
//! types and required-ness follow the upstream CRDs listed in `shared/crds/SOURCES.md`; only the
//! fields the platform emits are modelled.
//!
//! This crate needs neither `kube` nor the platform's mechanisms: a kube-rs program can take the
//! typed kinds alone. `k3score` re-exports it as `k3score::crd`, so both paths name the same
//! types.
//!
//! ```
//! use k3scrd::keda::v1alpha1::ScaledObject;
//! use k8s_openapi::Resource as _;
//!
//! assert_eq!(ScaledObject::API_VERSION, "keda.sh/v1alpha1");
//! assert_eq!(ScaledObject::KIND, "ScaledObject");
//! ```
//!
//! The root types were derived with `kube`'s `CustomResource` before; the macro gives the same
//! object shape without `kube`, `kube-derive`, `darling` and a second `syn` major in the build
//! (see `benches/README.md`, compile time).

pub mod argocd;
pub mod cert_manager;
pub mod external_secrets;
pub mod gateway;
pub mod generators;
pub mod helm_controller;
pub mod keda;
pub mod keda_http;
pub mod prometheus;
pub mod traefik;

/// Declares the object type of a custom resource around its spec type: `metadata` and `spec`
/// fields, `apiVersion`/`kind` written first when serialized (and checked when read back),
/// `new(name, spec)`, and k8s-openapi's `Resource` (group, version, kind, plural, scope) and
/// `Metadata` traits.
macro_rules! custom_resource {
    (
        $(#[$doc:meta])*
        $kind:ident($spec:ty) {
            group: $group:literal,
            version: $version:literal,
            plural: $plural:literal,
            scope: $scope:ident $(,)?
        }
    ) => {
        $(#[$doc])*
        #[derive(Clone, Debug, Default, PartialEq)]
        pub struct $kind {
            /// Standard object metadata.
            pub metadata: k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta,
            /// The desired state.
            pub spec: $spec,
        }

        impl $kind {
            /// An object named `name` (no namespace yet) with `spec`.
            #[must_use]
            pub fn new(name: &str, spec: $spec) -> Self {
                Self {
                    metadata: k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta {
                        name: Some(name.to_owned()),
                        ..Default::default()
                    },
                    spec,
                }
            }
        }

        impl k8s_openapi::Resource for $kind {
            const API_VERSION: &'static str = concat!($group, "/", $version);
            const GROUP: &'static str = $group;
            const KIND: &'static str = stringify!($kind);
            const VERSION: &'static str = $version;
            const URL_PATH_SEGMENT: &'static str = $plural;
            type Scope = k8s_openapi::$scope;
        }

        impl k8s_openapi::Metadata for $kind {
            type Ty = k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

            fn metadata(&self) -> &Self::Ty {
                &self.metadata
            }

            fn metadata_mut(&mut self) -> &mut Self::Ty {
                &mut self.metadata
            }
        }

        impl serde::Serialize for $kind {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                use serde::ser::SerializeStruct as _;
                let mut object = serializer.serialize_struct(stringify!($kind), 4)?;
                object.serialize_field("apiVersion", <Self as k8s_openapi::Resource>::API_VERSION)?;
                object.serialize_field("kind", <Self as k8s_openapi::Resource>::KIND)?;
                object.serialize_field("metadata", &self.metadata)?;
                object.serialize_field("spec", &self.spec)?;
                object.end()
            }
        }

        #[cfg(feature = "deserialize")]
        impl<'de> serde::Deserialize<'de> for $kind {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                #[derive(serde_derive::Deserialize)]
                #[serde(rename_all = "camelCase")]
                struct Wire {
                    api_version: String,
                    kind: String,
                    #[serde(default)]
                    metadata: k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta,
                    spec: $spec,
                }
                let wire = Wire::deserialize(deserializer)?;
                let expected = (<Self as k8s_openapi::Resource>::API_VERSION, <Self as k8s_openapi::Resource>::KIND);
                if (wire.api_version.as_str(), wire.kind.as_str()) != expected {
                    return Err(serde::de::Error::custom(format!(
                        "expected {} {}, found {} {}",
                        expected.0, expected.1, wire.api_version, wire.kind
                    )));
                }
                Ok(Self { metadata: wire.metadata, spec: wire.spec })
            }
        }

        impl $crate::Decode for $kind {
            #[cfg(feature = "deserialize")]
            fn decode<'de, D: serde::Deserializer<'de>>(input: D) -> Result<Self, Option<D::Error>> {
                <Self as serde::Deserialize>::deserialize(input).map_err(Some)
            }

            #[cfg(not(feature = "deserialize"))]
            fn decode<'de, D: serde::Deserializer<'de>>(_: D) -> Result<Self, Option<D::Error>> {
                Err(None)
            }
        }
    };
}

pub(crate) use custom_resource;

/// Reading a custom resource back whether or not this build has the feature `deserialize`:
/// `Err(None)` without it, so a caller that only sometimes needs to read objects (k3score's
/// escape hatch, which re-reads a patched object into its typed kind) compiles either way and
/// can say which feature is missing.
///
/// ```
/// use k3scrd::Decode as _;
/// use k3scrd::generators::v1alpha1::Password;
///
/// let json = r#"{"apiVersion":"generators.external-secrets.io/v1alpha1","kind":"Password",
///     "metadata":{"name":"a"},"spec":{"length":24,"noUpper":false,"allowRepeat":false}}"#;
/// let mut input = serde_json::Deserializer::from_str(json);
/// match Password::decode(&mut input) {
///     Ok(object) => assert_eq!(object.metadata.name.as_deref(), Some("a")),
///     Err(None) => println!("built without the feature `deserialize`"),
///     Err(Some(error)) => panic!("{error}"),
/// }
/// ```
pub trait Decode: Sized {
    /// The value read from `input`; `Err(None)` when this build cannot read the kind.
    ///
    /// # Errors
    ///
    /// `Err(Some(error))` when `input` does not fit the kind's type, `Err(None)` without the
    /// feature `deserialize`.
    fn decode<'de, D: serde::Deserializer<'de>>(input: D) -> Result<Self, Option<D::Error>>;
}
