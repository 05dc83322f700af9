//! `gateway.networking.k8s.io/v1`: HTTPRoute (and its rule filters).

mod http_route;
mod http_route_filter;

pub use self::http_route::{
    HTTPBackendRef, HTTPHeaderMatch, HTTPMethod, HTTPPathMatch, HTTPQueryParamMatch, HTTPRoute, HTTPRouteMatch,
    HTTPRouteRule, HTTPRouteSpec, HTTPRouteTimeouts, ParentReference, PathMatchType, StringMatchType,
};
pub use self::http_route_filter::{
    CORSMethod, HTTPCORSFilter, HTTPHeader, HTTPHeaderFilter, HTTPPathModifier, HTTPPathModifierType,
    HTTPRequestRedirectFilter, HTTPRouteFilter, HTTPRouteFilterType, HTTPURLRewriteFilter, LocalObjectReference,
    RedirectScheme,
};
