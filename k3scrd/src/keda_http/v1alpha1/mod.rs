//! `http.keda.sh/v1alpha1`: HTTPScaledObject.

mod http_scaled_object;

pub use self::http_scaled_object::{
    ColdStartTimeoutFailoverRef, ConcurrencyMetricSpec, HTTPHeader, HTTPScaledObject, HTTPScaledObjectSpec,
    HTTPScaledObjectTimeoutsSpec, RateMetricSpec, ReplicaStruct, ScaleTargetRef, ScalingMetricSpec,
};
