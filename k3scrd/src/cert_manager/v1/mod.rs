//! `cert-manager.io/v1`: Certificate.

mod certificate;

pub use self::certificate::{Certificate, CertificateSpec, IssuerRef};
