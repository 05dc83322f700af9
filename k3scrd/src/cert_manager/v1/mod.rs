//! `cert-manager.io/v1`: Certificate and Issuer.

mod certificate;
mod issuer;

pub use self::certificate::{Certificate, CertificateSpec, IssuerRef};
pub use self::issuer::{CaIssuer, Issuer, IssuerSpec, SelfSignedIssuer};
