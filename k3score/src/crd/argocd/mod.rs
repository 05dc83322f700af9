//! Argo CD custom resources, API group `argoproj.io`.

pub mod v1alpha1;

/// The finalizer that makes deleting an `Application` first delete what it installed
/// (foreground cascading deletion, Argo CD's default).
///
/// Argo CD's `ForegroundPropagationPolicyFinalizer` (argo-cd
/// `pkg/apis/application/v1alpha1/application_defaults.go`): the path-qualified form of the
/// older `resources-finalizer.argocd.argoproj.io`, which the Kubernetes 1.36 API server
/// answers with a warning ("prefer a domain-qualified finalizer name including a path (/)").
///
/// ```
/// let (domain, path) = k3score::crd::argocd::FOREGROUND_DELETION_FINALIZER.split_once('/').unwrap();
/// assert!(domain.contains('.') && !path.is_empty());
/// ```
pub const FOREGROUND_DELETION_FINALIZER: &str = "resources-finalizer.argocd.argoproj.io/foreground";

#[cfg(test)]
mod tests {
    use super::*;

    /// The API server's rule for finalizer names: a DNS subdomain, a `/`, a path.
    #[test]
    fn the_finalizer_is_domain_qualified_with_a_path() {
        let (domain, path) = FOREGROUND_DELETION_FINALIZER.split_once('/').unwrap();
        assert!(domain.parse::<crate::names::DnsSubdomain>().is_ok(), "{domain}");
        assert_eq!(path, "foreground");
    }
}
