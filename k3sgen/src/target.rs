//! Targets as the command line names them.

use k3score::Target;
use k3score::target::Ingress;

use crate::Error;

/// The target with another ingress controller by name ([`Ingress::NAMES`]: `traefik`,
/// `haproxy`, `gateway-api`), in its usual namespace ([`Ingress::controller_namespace`]).
///
/// ```
/// let target = k3sgen::with_ingress(k3score::Target::gcp(), "traefik").unwrap();
/// assert!(k3sgen::with_ingress(target, "nginx").is_err());
/// ```
pub fn with_ingress(target: Target, name: &str) -> Result<Target, Error> {
    let ingress: Ingress = name
        .parse()
        .map_err(|e: k3score::ErrorKind| Error::Usage(e.to_string()))?;
    let namespace = ingress.controller_namespace();
    Ok(target.with_ingress(ingress, namespace))
}
