//! Targets as the command line names them.

use k3score::Target;
use k3score::target::Ingress;

use crate::Error;

/// The target with another ingress controller (`traefik`, `haproxy`, `gateway-api`).
///
/// ```
/// let target = k3sgen::with_ingress(k3score::Target::gcp(), "traefik").unwrap();
/// assert!(k3sgen::with_ingress(target, "nginx").is_err());
/// ```
pub fn with_ingress(target: Target, name: &str) -> Result<Target, Error> {
    let (ingress, namespace) = match name {
        "traefik" => (Ingress::traefik(), "kube-system"),
        "haproxy" => (Ingress::haproxy(), "haproxy-controller"),
        "gateway-api" => (
            Ingress::gateway_api("shared-gateway", "gateway-system").map_err(|e| Error::Usage(e.to_string()))?,
            "gateway-system",
        ),
        other => {
            return Err(Error::Usage(format!(
                "unknown ingress {other:?}; use traefik, haproxy or gateway-api"
            )));
        }
    };
    Ok(target.with_ingress(ingress, namespace.parse().expect("static name")))
}
