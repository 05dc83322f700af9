//! `gateway.networking.k8s.io/v1beta1`: ReferenceGrant.

mod reference_grant;

pub use self::reference_grant::{ReferenceGrant, ReferenceGrantFrom, ReferenceGrantSpec, ReferenceGrantTo};
