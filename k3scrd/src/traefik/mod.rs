//! Traefik v3 custom resources, API group `traefik.io`.

pub mod v1alpha1;
