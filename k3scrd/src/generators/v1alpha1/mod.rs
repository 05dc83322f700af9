//! `generators.external-secrets.io/v1alpha1`: the Password generator.

mod password;

pub use self::password::{Password, PasswordEncoding, PasswordSpec};
