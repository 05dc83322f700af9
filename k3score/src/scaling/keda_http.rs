//! `keda_http`: scale on HTTP traffic through the KEDA HTTP add-on, down to zero.
//!
//! With `KedaHttpApi::InterceptorRoute` (add-on >= 0.14) this renders an `InterceptorRoute`
//! plus our own `ScaledObject` with an `external-push` trigger (REFERENCE §2b, HA2, HA3); with
//! `KedaHttpApi::HttpScaledObject` the deprecated `HTTPScaledObject` (§2a, HA1). Either way the
//! routes must send traffic to the interceptor, see [`interceptor_backend`] (§2c, HA4).

use crate::ports::PortRef;
#[cfg(feature = "schema")]
use schemars::JsonSchema;
use serde_derive::{Deserialize, Serialize};

use super::checks::{check_duration, validate_bounds};
use super::context::{ScalingContext, WORKLOAD_API_VERSION, metadata_map};
use crate::context::Context;
use crate::crd::keda::v1alpha1::ScaleTriggers;
use crate::crd::keda_http::v1alpha1 as httpso;
use crate::crd::keda_http::v1beta1::{
    ConcurrencyTargetSpec, InterceptorRoute, InterceptorRouteSpec, PathMatch, RequestRateTargetSpec, RoutingRule,
    ScalingMetricSpec, TargetRef,
};
use crate::error::{Error, ErrorKind, Errors, FieldPath, PathRef, Problems, Validate};
use crate::names::DnsLabel;
use crate::object::Object;
use crate::target::{Keda, KedaHttpApi};

/// Concurrency target written when neither `concurrency` nor `request_rate` is set (the
/// HTTPScaledObject default, HA1; InterceptorRoute has no default, HA2).
pub const DEFAULT_CONCURRENCY: i32 = 100;
/// The `external-push` trigger type (HA3).
const EXTERNAL_PUSH: &str = "external-push";

/// HTTP-traffic autoscaling through the KEDA HTTP add-on interceptor.
///
/// Hosts, paths and the Service come from the caller ([`ScalingContext`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub struct KedaHttp {
    /// Fewest replicas; 0 scales to zero when idle. Default: 0.
    #[serde(default)]
    pub min: i32,
    /// Most replicas (at least 1 and at least `min`). Required.
    pub max: i32,
    /// Target in-flight requests per replica. Default: 100 when `request_rate` is not set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub concurrency: Option<i32>,
    /// Target request rate per replica. Default: none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_rate: Option<RequestRate>,
    /// Seconds without traffic before scaling to zero (ScaledObject `cooldownPeriod`).
    /// Default: KEDA's, 300.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scaledown_period: Option<i32>,
}

/// A request-rate target: `target` requests per `window` per replica.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub struct RequestRate {
    /// Requests per window per replica (at least 1).
    pub target: i32,
    /// Averaging window (Go duration). Default: the add-on's, `1m`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window: Option<String>,
    /// Bucket size inside the window (Go duration). Default: the add-on's, `1s`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub granularity: Option<String>,
}

/// Where routes must send traffic for a `keda_http` workload: the interceptor proxy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InterceptorBackend {
    /// The interceptor proxy Service.
    pub service: &'static str,
    /// Its namespace (KEDA's).
    pub namespace: DnsLabel,
    /// Its port.
    pub port: i32,
}

/// The interceptor proxy Service that routes of a `keda_http` workload must target, so that
/// requests reach the workload (and wake it) through the add-on (REFERENCE §2c, HA4).
///
/// ```
/// use k3score::{Context, Target};
/// let ctx = Context::new(Target::local(), "shop".parse().unwrap());
/// let backend = k3score::scaling::interceptor_backend(&ctx);
/// assert_eq!(backend.service, "keda-add-ons-http-interceptor-proxy");
/// assert_eq!((backend.namespace.as_str(), backend.port), ("keda", 8080));
/// ```
#[must_use]
pub fn interceptor_backend(ctx: &Context) -> InterceptorBackend {
    InterceptorBackend {
        service: Keda::INTERCEPTOR_SERVICE,
        namespace: ctx.target.keda.namespace.clone(),
        port: Keda::INTERCEPTOR_PORT,
    }
}

impl KedaHttp {
    fn concurrency_or_default(&self) -> Option<i32> {
        match (self.concurrency, &self.request_rate) {
            (None, None) => Some(DEFAULT_CONCURRENCY),
            (c, _) => c,
        }
    }

    /// InterceptorRoute + ScaledObject, or an HTTPScaledObject, per the target's add-on API.
    pub fn render(&self, sctx: &ScalingContext<'_>) -> Result<Vec<Object>, Errors> {
        let path = FieldPath::root().field("scaling").field("keda_http");
        let mut problems = Problems::default();
        if sctx.service.is_none() {
            problems.push(
                path.clone(),
                ErrorKind::Missing("a Service for the interceptor to forward to".into()),
            );
        }
        if sctx.hosts.is_empty() && sctx.paths.is_empty() {
            problems.push(
                path.clone(),
                ErrorKind::Missing("a route (host or path) for the interceptor to match".into()),
            );
        }
        let api = sctx.ctx.target.keda.http_api;
        if api == KedaHttpApi::HttpScaledObject && self.concurrency.is_some() && self.request_rate.is_some() {
            problems.push(
                path.clone(),
                ErrorKind::Unsupported {
                    feature: "concurrency and request_rate together".into(),
                    by: "HTTPScaledObject".into(),
                    why: "they are mutually exclusive there; keep one, or use the InterceptorRoute API".into(),
                },
            );
        }
        problems.finish(())?;
        let Some(service) = sctx.service.as_ref() else {
            return Err(Error::new(path, ErrorKind::Missing("a Service".into())).into());
        };
        let (port, port_name) = match &service.port {
            PortRef::Number(n) => (Some(i32::from(*n)), None),
            PortRef::Name(name) => (None, Some(name.to_string())),
        };
        Ok(match api {
            KedaHttpApi::InterceptorRoute => {
                let route = InterceptorRoute {
                    metadata: sctx.metadata(sctx.name.to_string()),
                    spec: InterceptorRouteSpec {
                        target: TargetRef {
                            service: service.name.clone(),
                            port,
                            port_name,
                        },
                        rules: vec![RoutingRule {
                            hosts: sctx.hosts.clone(),
                            paths: sctx.paths.iter().map(|p| PathMatch { value: p.clone() }).collect(),
                            headers: Vec::new(),
                        }],
                        scaling_metric: ScalingMetricSpec {
                            concurrency: self
                                .concurrency_or_default()
                                .map(|target_value| ConcurrencyTargetSpec { target_value }),
                            request_rate: self.request_rate.as_ref().map(|r| RequestRateTargetSpec {
                                target_value: r.target,
                                window: r.window.clone(),
                                granularity: r.granularity.clone(),
                            }),
                        },
                        ..Default::default()
                    },
                };
                // REFERENCE §2b, HA3: our own ScaledObject, pushed to by the add-on's scaler.
                let trigger = ScaleTriggers {
                    type_: EXTERNAL_PUSH.to_owned(),
                    metadata: metadata_map([
                        ("scalerAddress", sctx.ctx.target.keda.external_scaler_address()),
                        ("interceptorRoute", sctx.name.to_string()),
                    ]),
                    ..Default::default()
                };
                let scaled = sctx.scaled_object(self.min, self.max, self.scaledown_period, vec![trigger]);
                vec![route.into(), scaled.into()]
            }
            KedaHttpApi::HttpScaledObject => {
                // The add-on creates a ScaledObject of the same name: keep it within 54 (KD2).
                let object = httpso::HTTPScaledObject {
                    metadata: sctx.metadata(sctx.scaled_object_name()),
                    spec: httpso::HTTPScaledObjectSpec {
                        hosts: sctx.hosts.clone(),
                        path_prefixes: sctx.paths.clone(),
                        scale_target_ref: httpso::ScaleTargetRef {
                            name: Some(sctx.name.to_string()),
                            kind: Some(sctx.target_kind.as_str().to_owned()),
                            api_version: Some(WORKLOAD_API_VERSION.to_owned()),
                            service: service.name.clone(),
                            port,
                            port_name,
                        },
                        replicas: Some(httpso::ReplicaStruct {
                            min: Some(self.min),
                            max: Some(self.max),
                        }),
                        scaling_metric: Some(httpso::ScalingMetricSpec {
                            concurrency: self.concurrency_or_default().map(|t| httpso::ConcurrencyMetricSpec {
                                target_value: Some(i64::from(t)),
                            }),
                            request_rate: self.request_rate.as_ref().map(|r| httpso::RateMetricSpec {
                                target_value: Some(i64::from(r.target)),
                                window: r.window.clone(),
                                granularity: r.granularity.clone(),
                            }),
                        }),
                        scaledown_period: self.scaledown_period,
                        ..Default::default()
                    },
                };
                vec![object.into()]
            }
        })
    }
}

impl Validate for KedaHttp {
    /// Checks the spec, recording every problem under `path` (e.g. `scaling.keda_http`).
    fn validate(&self, path: PathRef<'_>, problems: &mut Problems) {
        validate_bounds(path, self.min, self.max, 0, problems);
        if let Some(c) = self.concurrency
            && c < 1
        {
            problems.push(
                path.field("concurrency"),
                ErrorKind::Invalid(format!("must be at least 1, is {c}")),
            );
        }
        if let Some(rate) = &self.request_rate {
            let path = path.field("request_rate");
            if rate.target < 1 {
                problems.push(
                    path.field("target"),
                    ErrorKind::Invalid(format!("must be at least 1, is {}", rate.target)),
                );
            }
            for (field, value) in [("window", &rate.window), ("granularity", &rate.granularity)] {
                if let Some(value) = value {
                    problems.check(path.field(field), check_duration(value));
                }
            }
        }
        if let Some(period) = self.scaledown_period
            && period < 0
        {
            problems.push(
                path.field("scaledown_period"),
                ErrorKind::Invalid(format!("must not be negative, is {period}")),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::labels::AppLabels;
    use crate::scaling::ServiceRef;
    use crate::target::Target;
    use crate::yaml::from_yaml;

    fn spec(yaml: &str) -> KedaHttp {
        from_yaml(yaml).unwrap()
    }

    fn sctx(ctx: &Context) -> ScalingContext<'_> {
        ScalingContext::new(AppLabels::new("web".parse().unwrap()), ctx)
            .with_service(ServiceRef {
                name: "web".into(),
                port: PortRef::Number(80),
            })
            .with_hosts(vec!["web.localhost".into()])
            .with_paths(vec!["/api".into()])
    }

    #[test]
    fn interceptor_route_and_scaled_object() {
        let ctx = Context::new(Target::local(), "shop".parse().unwrap());
        let objects = spec("{max: 4, scaledown_period: 120}").render(&sctx(&ctx)).unwrap();
        let route = serde_json::to_value(&objects[0]).unwrap();
        assert_eq!(route["kind"], "InterceptorRoute");
        assert_eq!(route["spec"]["target"]["port"], 80);
        assert_eq!(route["spec"]["rules"][0]["hosts"][0], "web.localhost");
        assert_eq!(route["spec"]["rules"][0]["paths"][0]["value"], "/api");
        assert_eq!(
            route["spec"]["scalingMetric"]["concurrency"]["targetValue"],
            DEFAULT_CONCURRENCY
        );
        let so = serde_json::to_value(&objects[1]).unwrap();
        assert_eq!(so["kind"], "ScaledObject");
        assert_eq!(so["spec"]["minReplicaCount"], 0);
        assert_eq!(so["spec"]["cooldownPeriod"], 120);
        let trigger = &so["spec"]["triggers"][0];
        assert_eq!(trigger["type"], "external-push");
        assert_eq!(
            trigger["metadata"]["scalerAddress"],
            "keda-add-ons-http-external-scaler.keda:9090"
        );
        assert_eq!(trigger["metadata"]["interceptorRoute"], "web");
    }

    #[test]
    fn legacy_http_scaled_object() {
        let mut target = Target::local();
        target.keda.http_api = KedaHttpApi::HttpScaledObject;
        let ctx = Context::new(target, "shop".parse().unwrap());
        let objects = spec("{min: 1, max: 4, request_rate: {target: 20, window: 30s}}")
            .render(&sctx(&ctx))
            .unwrap();
        assert_eq!(objects.len(), 1);
        let v = serde_json::to_value(&objects[0]).unwrap();
        assert_eq!(v["kind"], "HTTPScaledObject");
        assert_eq!(v["spec"]["pathPrefixes"][0], "/api");
        assert_eq!(v["spec"]["replicas"]["min"], 1);
        assert_eq!(v["spec"]["scalingMetric"]["requestRate"]["window"], "30s");
        assert!(v["spec"]["scalingMetric"].get("concurrency").is_none());
        let both = spec("{max: 4, concurrency: 5, request_rate: {target: 20}}")
            .render(&sctx(&ctx))
            .unwrap_err();
        assert!(
            both.to_string()
                .starts_with("scaling.keda_http: concurrency and request_rate together"),
            "{both}"
        );
    }

    #[test]
    fn render_needs_service_and_route() {
        let ctx = Context::new(Target::local(), "shop".parse().unwrap());
        let bare = ScalingContext::new(AppLabels::new("web".parse().unwrap()), &ctx);
        let err = spec("{max: 2}").render(&bare).unwrap_err();
        assert_eq!(
            err.to_string(),
            "scaling.keda_http: missing: a Service for the interceptor to forward to\n\
             scaling.keda_http: missing: a route (host or path) for the interceptor to match"
        );
    }

    #[test]
    fn errors_have_paths() {
        let errors =
            spec("{min: -1, max: 0, concurrency: 0, request_rate: {target: 0, window: 1d}, scaledown_period: -5}")
                .problems_at(PathRef::ROOT.field("scaling").field("keda_http"))
                .messages();
        assert_eq!(
            errors,
            [
                "scaling.keda_http.min: min must be at least 0, is -1",
                "scaling.keda_http.max: max must be at least 1, is 0",
                "scaling.keda_http.concurrency: must be at least 1, is 0",
                "scaling.keda_http.request_rate.target: must be at least 1, is 0",
                "scaling.keda_http.request_rate.window: invalid duration \"1d\": use a number and a unit, like 30s, 1m or 1h30m",
                "scaling.keda_http.scaledown_period: must not be negative, is -5",
            ]
        );
    }
}
