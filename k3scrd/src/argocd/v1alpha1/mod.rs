//! `argoproj.io/v1alpha1`: Application and AppProject.

mod app_project;
mod application;

pub use self::app_project::{AppProject, AppProjectSpec, ClusterResourceRestrictionItem, GroupKind};
pub use self::application::{
    Application, ApplicationDestination, ApplicationSource, ApplicationSourceHelm, ApplicationSpec, Backoff,
    HelmParameter, HelmValue, ManagedNamespaceMetadata, RetryStrategy, SyncPolicy, SyncPolicyAutomated,
};
