//! `http.keda.sh/v1beta1`: InterceptorRoute.

mod interceptor_route;

pub use self::interceptor_route::{
    ColdStartFallback, ColdStartPlaceholder, ColdStartSpec, ConcurrencyTargetSpec, ConfigMapKeyRef, FallbackServiceRef,
    HeaderMatch, InterceptorRoute, InterceptorRouteSpec, InterceptorRouteTimeouts, PathMatch, PlaceholderResponse,
    RequestRateTargetSpec, RoutingRule, ScalingMetricSpec, TargetRef,
};
