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
/// let (domain, path) = k3scrd::argocd::FOREGROUND_DELETION_FINALIZER.split_once('/').unwrap();
/// assert!(domain.contains('.') && !path.is_empty());
/// ```
pub const FOREGROUND_DELETION_FINALIZER: &str = "resources-finalizer.argocd.argoproj.io/foreground";
