//! Autoscaling: none, HPA, KEDA HTTP, KEDA queue (Redis Sentinel lists) and KEDA cron.
//!
//! A workload has at most one autoscaler: either a plain HPA or a KEDA `ScaledObject` (which
//! owns its own HPA), never both (REFERENCE §1a, KD2). When any autoscaler is set the workload
//! must leave `replicas` unset ([`Scaling::sets_replicas`]), as cdk8s does after
//! `markHasAutoscaler`, or every apply would fight the autoscaler.

mod checks;
mod context;
mod cron;
mod hpa;
mod keda_http;
mod keda_queue;

#[cfg(feature = "schema")]
use schemars::JsonSchema;
use serde::Deserialize;
use serde_derive::Serialize;

pub use self::context::{MAX_SCALED_OBJECT_NAME, ScalingContext, ServiceRef, TargetKind, WORKLOAD_API_VERSION};
pub use self::cron::{CronWindow, KedaCron};
pub use self::hpa::{
    Behavior, DEFAULT_CPU_UTILIZATION, DEFAULT_MIN, Hpa, PolicyType, ScalingPolicy, ScalingRules, SelectPolicy,
};
pub use self::keda_http::{DEFAULT_CONCURRENCY, InterceptorBackend, KedaHttp, RequestRate, interceptor_backend};
pub use self::keda_queue::{DEFAULT_LENGTH, KedaQueue};
use crate::error::{Errors, PathRef, Problems, Validate};
use crate::object::Object;

/// How a workload scales (`scaling:` in spec files; one key, externally tagged).
///
/// ```
/// use k3score::scaling::Scaling;
/// let none: Scaling = k3score::yaml::from_yaml("none").unwrap();
/// assert!(none.sets_replicas());
/// let hpa: Scaling = k3score::yaml::from_yaml("hpa: {min: 2, max: 10, cpu: 70}").unwrap();
/// assert!(!hpa.sets_replicas());
/// assert!(hpa.needs_resource_requests());
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Scaling {
    /// A fixed replica count set by the workload. Default.
    #[default]
    None,
    /// An `autoscaling/v2` HorizontalPodAutoscaler.
    Hpa(Hpa),
    /// KEDA HTTP add-on (scale to zero on HTTP traffic).
    KedaHttp(KedaHttp),
    /// KEDA `redis-sentinel` list length.
    KedaQueue(KedaQueue),
    /// KEDA `cron` windows.
    KedaCron(KedaCron),
}

/// The keys of the map form, for messages.
const MODES: &str = "hpa, keda_http, keda_queue, keda_cron";

/// Reads `none` or a map with one of the mode keys; two keys at once get a message that names
/// both (`only one of hpa, keda_http, keda_queue, keda_cron may be set (found hpa and
/// keda_http)`) instead of the parser's wording for enums.
impl<'de> Deserialize<'de> for Scaling {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = Scaling;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, "none, or one of {MODES} with its settings")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Scaling, E> {
                match v {
                    "none" => Ok(Scaling::None),
                    other => Err(E::custom(format!(
                        "{other:?} is not a scaling mode; use none or one of {MODES}"
                    ))),
                }
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Scaling, A::Error> {
                let mut found: Vec<(String, Scaling)> = Vec::new();
                while let Some(key) = map.next_key::<String>()? {
                    let mode = match key.as_str() {
                        "hpa" => Scaling::Hpa(map.next_value()?),
                        "keda_http" => Scaling::KedaHttp(map.next_value()?),
                        "keda_queue" => Scaling::KedaQueue(map.next_value()?),
                        "keda_cron" => Scaling::KedaCron(map.next_value()?),
                        other => {
                            return Err(serde::de::Error::custom(format!(
                                "{other:?} is not a scaling mode; use none or one of {MODES}"
                            )));
                        }
                    };
                    found.push((key, mode));
                }
                match found.len() {
                    0 => Err(serde::de::Error::custom(format!("set one of {MODES}, or none"))),
                    1 => Ok(found.remove(0).1),
                    _ => {
                        let keys: Vec<&str> = found.iter().map(|(k, _)| k.as_str()).collect();
                        Err(serde::de::Error::custom(format!(
                            "only one of {MODES} may be set (found {})",
                            keys.join(" and ")
                        )))
                    }
                }
            }
        }
        d.deserialize_any(Visitor)
    }
}

impl Scaling {
    /// The scaling objects: nothing, an HPA, or KEDA objects (never an HPA and a
    /// ScaledObject together).
    ///
    /// Errors name `scaling.keda_http` when the context lacks what KEDA HTTP needs (a Service
    /// and a host or path).
    pub fn render(&self, sctx: &ScalingContext<'_>) -> Result<Vec<Object>, Errors> {
        Ok(match self {
            Scaling::None => Vec::new(),
            Scaling::Hpa(hpa) => vec![hpa.render(sctx).into()],
            Scaling::KedaHttp(http) => http.render(sctx)?,
            Scaling::KedaQueue(queue) => queue.render(sctx),
            Scaling::KedaCron(cron) => cron.render(sctx),
        })
    }

    /// The Secrets the scaling objects read (KEDA queue passwords), with paths under `path`
    /// (`scaling` gives `scaling.keda_queue.password`).
    #[must_use]
    pub fn secret_refs(&self, path: PathRef<'_>) -> Vec<crate::secrets::SecretRef> {
        match self {
            Scaling::KedaQueue(queue) => queue.secret_refs(path.field("keda_queue")),
            Scaling::None | Scaling::Hpa(_) | Scaling::KedaHttp(_) | Scaling::KedaCron(_) => Vec::new(),
        }
    }

    /// Whether the workload should set `spec.replicas` itself: false as soon as an
    /// autoscaler owns the replica count.
    #[must_use]
    pub fn sets_replicas(&self) -> bool {
        match self {
            Scaling::None => true,
            Scaling::Hpa(_) | Scaling::KedaHttp(_) | Scaling::KedaQueue(_) | Scaling::KedaCron(_) => false,
        }
    }

    /// Whether the pods must declare resource requests: utilization targets are percentages
    /// of the requests (REFERENCE §1d, KD12; §3, K1).
    #[must_use]
    pub fn needs_resource_requests(&self) -> bool {
        match self {
            Scaling::Hpa(_) => true,
            Scaling::None | Scaling::KedaHttp(_) | Scaling::KedaQueue(_) | Scaling::KedaCron(_) => false,
        }
    }
}

impl Validate for Scaling {
    /// Checks the spec, recording every problem under `path` plus the variant key
    /// (`scaling` gives `scaling.hpa.max`).
    fn validate(&self, path: PathRef<'_>, problems: &mut Problems) {
        match self {
            Scaling::None => {}
            Scaling::Hpa(hpa) => hpa.validate(path.field("hpa"), problems),
            Scaling::KedaHttp(http) => http.validate(path.field("keda_http"), problems),
            Scaling::KedaQueue(queue) => queue.validate(path.field("keda_queue"), problems),
            Scaling::KedaCron(cron) => cron.validate(path.field("keda_cron"), problems),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_modes_at_once_are_named() {
        let err = crate::yaml::from_yaml::<Scaling>("hpa: {min: 1, max: 3}\nkeda_http: {max: 3}\n").unwrap_err();
        assert!(
            err.to_string()
                .starts_with("only one of hpa, keda_http, keda_queue, keda_cron may be set (found hpa and keda_http)"),
            "{err}"
        );
        let unknown = crate::yaml::from_yaml::<Scaling>("kpa: {}\n").unwrap_err();
        assert!(
            unknown.to_string().starts_with("\"kpa\" is not a scaling mode"),
            "{unknown}"
        );
        assert_eq!(crate::yaml::from_yaml::<Scaling>("none").unwrap(), Scaling::None);
    }
    use crate::labels::AppLabels;
    use crate::yaml::from_yaml;
    use crate::{Context, Target};

    const SAMPLES: [&str; 5] = [
        "none",
        "hpa: {max: 3}",
        "keda_http: {max: 3}",
        "keda_queue: {max: 3, addresses: ['s:26379'], master: m, list: l}",
        "keda_cron: {timezone: UTC, windows: [{start: '0 8 * * *', end: '0 18 * * *', replicas: 2}]}",
    ];

    fn render(yaml: &str) -> Vec<Object> {
        let scaling: Scaling = from_yaml(yaml).unwrap();
        let mut problems = Problems::default();
        scaling.validate(PathRef::ROOT.field("scaling"), &mut problems);
        assert!(problems.is_empty(), "{yaml}: {problems:?}");
        let ctx = Context::new(Target::local(), "shop".parse().unwrap());
        let sctx = ScalingContext::new(AppLabels::new("web".parse().unwrap()), &ctx)
            .with_service(ServiceRef {
                name: "web".into(),
                port: crate::ports::PortRef::Name("http".parse().unwrap()),
            })
            .with_hosts(vec!["web.localhost".into()]);
        scaling.render(&sctx).unwrap()
    }

    #[test]
    fn never_an_hpa_and_a_scaled_object() {
        for yaml in SAMPLES {
            let objects = render(yaml);
            let hpas = objects
                .iter()
                .filter(|o| matches!(o, Object::HorizontalPodAutoscaler(_)))
                .count();
            let scaled = objects
                .iter()
                .filter(|o| matches!(o, Object::ScaledObject(_) | Object::HttpScaledObject(_)))
                .count();
            assert!(hpas + scaled <= 1, "{yaml}: {hpas} HPAs, {scaled} KEDA scalers");
        }
    }

    #[test]
    fn replicas_are_left_to_the_autoscaler() {
        let expected = [true, false, false, false, false];
        for (yaml, sets) in SAMPLES.iter().zip(expected) {
            let scaling: Scaling = from_yaml(yaml).unwrap();
            assert_eq!(scaling.sets_replicas(), sets, "{yaml}");
            assert_eq!(scaling.sets_replicas(), render(yaml).is_empty(), "{yaml}");
        }
        assert_eq!(Scaling::default(), Scaling::None);
    }

    #[test]
    fn scaled_object_names_fit_keda() {
        let ctx = Context::new(Target::local(), "shop".parse().unwrap());
        let long = AppLabels::new("w".repeat(63).parse().unwrap());
        let scaling: Scaling = from_yaml(SAMPLES[4]).unwrap();
        let objects = scaling.render(&ScalingContext::new(long, &ctx)).unwrap();
        assert!(
            objects[0].name().len() <= MAX_SCALED_OBJECT_NAME,
            "{}",
            objects[0].name()
        );
        let v = serde_json::to_value(&objects[0]).unwrap();
        assert_eq!(v["spec"]["scaleTargetRef"]["name"], "w".repeat(63));
    }

    #[test]
    fn metadata_values_are_strings() {
        for yaml in &SAMPLES[2..] {
            for object in render(yaml) {
                let v = serde_json::to_value(&object).unwrap();
                for trigger in v["spec"]["triggers"].as_array().into_iter().flatten() {
                    for value in trigger["metadata"].as_object().unwrap().values() {
                        assert!(value.is_string(), "{yaml}: {value}");
                    }
                }
            }
        }
    }

    #[test]
    fn variant_paths() {
        let scaling: Scaling = from_yaml("keda_cron: {timezone: UTC, windows: []}").unwrap();
        let mut problems = Problems::default();
        scaling.validate(PathRef::ROOT.field("apps").index(0).field("scaling"), &mut problems);
        assert_eq!(
            problems.finish(()).unwrap_err().to_string(),
            "apps[0].scaling.keda_cron.windows: missing: at least one window"
        );
        assert!(from_yaml::<Scaling>("kpa: {max: 1}").is_err());
    }
}
