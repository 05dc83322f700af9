//! `keda.sh/v1alpha1`: ScaledObject and TriggerAuthentication.

mod scaled_object;
mod trigger_authentication;

pub use self::scaled_object::{
    AuthenticationRef, AuthenticationRefKind, Fallback, FallbackBehavior, HorizontalPodAutoscalerConfig, MetricType,
    ScaleTarget, ScaleTriggers, ScaledObject, ScaledObjectAdvanced, ScaledObjectSpec, ScalingModifiers,
    ScalingModifiersMetricType,
};
pub use self::trigger_authentication::{
    AuthEnvironment, AuthPodIdentity, AuthSecretTargetRef, IdentityOwner, PodIdentityProvider, TriggerAuthentication,
    TriggerAuthenticationSpec,
};
