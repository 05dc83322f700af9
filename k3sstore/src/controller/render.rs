//! What a store renders and what of it the controller applies: the render context, the
//! bundle without RBAC objects, and the kinds a store can hold on any preset target (what
//! prune, teardown and the install bundle's `k3sstore-store` role are derived from). Shared by
//! `provision` and `install`, so neither depends on the other for it.

use std::collections::BTreeMap;

use k3score::{Bundle, Context as RenderContext, Object, Target};
use k3splatform::store::{PASSWORD_SECRET, STORE_PREFIX};

use super::apply;

/// A sample store rendered for every preset target (`local`, `dev`, `gcp`), as the
/// controller applies it ([`store_bundle`]).
pub fn sample_bundles() -> Vec<Bundle> {
    let sample = crate::resource::StoreSpec::default()
        .to_platform("sample")
        .expect("the default spec is valid");
    [Target::local(), Target::dev(), Target::gcp()]
        .into_iter()
        .filter_map(|target| sample.render(&render_context(target, "sample".to_owned())).ok())
        .map(store_bundle)
        .collect()
}

/// What the controller applies of a rendered store: everything but RBAC objects. The
/// tenant's provisioner identity (a Role, a RoleBinding and, cluster-scoped, a ClusterRole and
/// ClusterRoleBinding on its own Namespace object) is for people deploying into a tenant;
/// nothing deploys into a store but the controller, so it is left out, and with it every
/// cluster-scoped object but the Namespace (issue 25: the controller writes no ClusterRole,
/// ClusterRoleBinding or Role at all).
#[must_use]
pub fn store_bundle(bundle: Bundle) -> Bundle {
    bundle
        .into_iter()
        .filter(|o| {
            !matches!(
                o,
                Object::Role(_) | Object::RoleBinding(_) | Object::ClusterRole(_) | Object::ClusterRoleBinding(_)
            )
        })
        .collect()
}

/// One sample of every kind a store renders on any preset target (what prune and teardown
/// list), taken from k3splatform itself rather than from a hand-kept list.
pub fn store_kinds() -> Vec<Object> {
    apply::kinds_of(&sample_bundles())
}

/// The render context of a store on `target` whose local Postgres password is `password`.
pub fn render_context(target: Target, password: String) -> RenderContext {
    let key = format!("{PASSWORD_SECRET}.{}", k3score::secrets::GeneratedPassword::KEY);
    RenderContext::new(target, STORE_PREFIX.parse().expect("static name"))
        .with_secret_values(BTreeMap::from([(key, password)]))
}
