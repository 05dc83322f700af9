//! `keda_queue`: scale on the length of a Redis list behind Redis Sentinel.
//!
//! Renders a `ScaledObject` with one `redis-sentinel` trigger (REFERENCE §1d, KD8) and, when a
//! password is given, a `TriggerAuthentication` reading it from a Secret (§1c, KD4).

use std::net::IpAddr;

#[cfg(feature = "schema")]
use schemars::JsonSchema;
use serde_derive::{Deserialize, Serialize};

use super::checks::validate_bounds;
use super::context::{ScalingContext, metadata_map};
use crate::crd::keda::v1alpha1::{
    AuthSecretTargetRef, AuthenticationRef, ScaleTriggers, TriggerAuthentication, TriggerAuthenticationSpec,
};
use crate::error::{ErrorKind, PathRef, Problems, Validate};
use crate::names;
use crate::object::Object;
use crate::secrets::{SecretKeyRef, SecretRef, VALUE_KEY};

/// Default `keda_queue.length`: target list items per replica (KEDA's code default, KS3).
pub const DEFAULT_LENGTH: i32 = 5;
/// The trigger type (KD8, KS2).
const TRIGGER_TYPE: &str = "redis-sentinel";

fn default_length() -> i32 {
    DEFAULT_LENGTH
}

/// Queue autoscaling on a Redis list, through Redis Sentinel.
///
/// ```
/// use k3score::scaling::{Scaling, ScalingContext};
/// use k3score::{labels::AppLabels, Context, Target};
/// let scaling: Scaling = k3score::yaml::from_yaml(
///     "keda_queue: {max: 5, addresses: ['redis-sentinel:26379'], master: mymaster, list: jobs}").unwrap();
/// let ctx = Context::new(Target::local(), "shop".parse().unwrap());
/// let objects = scaling.render(&ScalingContext::new(AppLabels::new("worker".parse().unwrap()), &ctx)).unwrap();
/// let v = serde_json::to_value(&objects[0]).unwrap();
/// assert_eq!(v["spec"]["triggers"][0]["metadata"]["listLength"], "5"); // a string, as KEDA requires
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub struct KedaQueue {
    /// Fewest replicas; 0 scales to zero when the list is empty. Default: 0.
    #[serde(default)]
    pub min: i32,
    /// Most replicas (at least 1 and at least `min`). Required.
    pub max: i32,
    /// Sentinel addresses, `host:port` each. Required (at least one).
    pub addresses: Vec<String>,
    /// The Sentinel master name (`sentinelMaster`). Required.
    pub master: String,
    /// The Redis list to watch (`listName`). Required.
    pub list: String,
    /// Target list items per replica (`listLength`, at least 1). Default: 5.
    #[serde(default = "default_length")]
    pub length: i32,
    /// Items needed to wake from zero (`activationListLength`). Default: KEDA's, 0.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub activation_length: Option<i32>,
    /// Redis password from a Secret. Default: none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<SecretKeyRef>,
    /// Sentinel password from a Secret. Default: none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sentinel_password: Option<SecretKeyRef>,
}

/// Checks `host:port` (`[v6addr]:port` for IPv6).
fn check_address(value: &str) -> Result<(), ErrorKind> {
    let bad = |reason: &str| ErrorKind::Invalid(format!("invalid address {value:?}: {reason}"));
    let (host, port) = value.rsplit_once(':').ok_or_else(|| bad("expected host:port"))?;
    let port_ok = port.parse::<u16>().is_ok_and(|p| p > 0);
    if !port_ok {
        return Err(bad("the port must be a number from 1 to 65535"));
    }
    let host_ok = match host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        Some(v6) => v6.parse::<std::net::Ipv6Addr>().is_ok(),
        None => host.parse::<IpAddr>().is_ok() || names::check_dns1123_subdomain(host).is_ok(),
    };
    if host_ok {
        Ok(())
    } else {
        Err(bad("the host must be a DNS name or an IP address"))
    }
}

impl KedaQueue {
    /// The Secrets the TriggerAuthentication reads, for the caller to render with
    /// [`crate::secrets::render_secret_refs`] (a Secret locally, an ExternalSecret in the cloud).
    #[must_use]
    pub fn secret_refs(&self, path: PathRef<'_>) -> Vec<SecretRef> {
        [
            ("password", &self.password),
            ("sentinel_password", &self.sentinel_password),
        ]
        .into_iter()
        .filter_map(|(field, secret)| Some(SecretRef::from(secret.as_ref()?).at(path.field(field).to_path())))
        .collect()
    }

    /// The ScaledObject, preceded by its TriggerAuthentication when a password is set.
    #[must_use]
    pub fn render(&self, sctx: &ScalingContext<'_>) -> Vec<Object> {
        let mut metadata = metadata_map([
            ("addresses", self.addresses.join(",")),
            ("sentinelMaster", self.master.clone()),
            ("listName", self.list.clone()),
            ("listLength", self.length.to_string()),
        ]);
        if let Some(activation) = self.activation_length {
            metadata.insert("activationListLength".to_owned(), activation.to_string());
        }
        let secret_refs: Vec<AuthSecretTargetRef> = [
            ("password", &self.password),
            ("sentinelPassword", &self.sentinel_password),
        ]
        .into_iter()
        .filter_map(|(parameter, secret)| {
            secret.as_ref().map(|s| AuthSecretTargetRef {
                parameter: parameter.to_owned(),
                name: s.secret.to_string(),
                key: s.key.as_ref().map_or(VALUE_KEY, |k| k.as_str()).to_owned(),
            })
        })
        .collect();
        let mut objects = Vec::new();
        let mut authentication_ref = None;
        if !secret_refs.is_empty() {
            let name = names::bounded(sctx.name.as_str(), "-queue-auth", 63);
            authentication_ref = Some(AuthenticationRef {
                name: name.clone(),
                kind: None,
            });
            let auth = TriggerAuthentication {
                metadata: sctx.metadata(name),
                spec: TriggerAuthenticationSpec {
                    secret_target_ref: secret_refs,
                    ..Default::default()
                },
            };
            objects.push(auth.into());
        }
        let trigger = ScaleTriggers {
            type_: TRIGGER_TYPE.to_owned(),
            metadata,
            authentication_ref,
            ..Default::default()
        };
        objects.push(sctx.scaled_object(self.min, self.max, None, vec![trigger]).into());
        objects
    }
}

impl Validate for KedaQueue {
    /// Checks the spec, recording every problem under `path` (e.g. `scaling.keda_queue`).
    fn validate(&self, path: PathRef<'_>, problems: &mut Problems) {
        validate_bounds(path, self.min, self.max, 0, problems);
        if self.addresses.is_empty() {
            problems.push(
                path.field("addresses"),
                ErrorKind::Missing("at least one Sentinel host:port".into()),
            );
        }
        for (i, address) in self.addresses.iter().enumerate() {
            problems.check(path.field("addresses").index(i), check_address(address));
        }
        for (field, value) in [("master", &self.master), ("list", &self.list)] {
            if value.trim().is_empty() {
                problems.push(path.field(field), ErrorKind::Missing(format!("a {field} name")));
            }
        }
        if self.length < 1 {
            problems.push(
                path.field("length"),
                ErrorKind::Invalid(format!("must be at least 1, is {}", self.length)),
            );
        }
        if let Some(activation) = self.activation_length
            && activation < 0
        {
            problems.push(
                path.field("activation_length"),
                ErrorKind::Invalid(format!("must not be negative, is {activation}")),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::labels::AppLabels;
    use crate::yaml::from_yaml;
    use crate::{Context, Target};

    #[test]
    fn renders_trigger_and_auth() {
        let queue: KedaQueue = from_yaml(
            "{max: 8, addresses: ['s-0.sentinel:26379', '10.0.0.7:26379'], master: mymaster, list: emails, \
             activation_length: 2, password: {secret: redis, key: redis-password}, \
             sentinel_password: {secret: redis, key: sentinel-password}}",
        )
        .unwrap();
        let ctx = Context::new(Target::gcp(), "shop".parse().unwrap());
        let objects = queue.render(&ScalingContext::new(AppLabels::new("mailer".parse().unwrap()), &ctx));
        let auth = serde_json::to_value(&objects[0]).unwrap();
        assert_eq!(auth["kind"], "TriggerAuthentication");
        assert_eq!(auth["metadata"]["name"], "mailer-queue-auth");
        assert_eq!(auth["spec"]["secretTargetRef"][1]["parameter"], "sentinelPassword");
        let so = serde_json::to_value(&objects[1]).unwrap();
        let trigger = &so["spec"]["triggers"][0];
        assert_eq!(trigger["type"], "redis-sentinel");
        assert_eq!(trigger["metadata"]["addresses"], "s-0.sentinel:26379,10.0.0.7:26379");
        assert_eq!(trigger["metadata"]["sentinelMaster"], "mymaster");
        assert_eq!(trigger["metadata"]["listName"], "emails");
        assert_eq!(trigger["metadata"]["activationListLength"], "2");
        assert_eq!(trigger["authenticationRef"]["name"], "mailer-queue-auth");
        for value in trigger["metadata"].as_object().unwrap().values() {
            assert!(value.is_string(), "{value}");
        }
    }

    #[test]
    fn no_password_no_auth() {
        let queue: KedaQueue = from_yaml("{max: 1, addresses: ['[::1]:26379'], master: m, list: l}").unwrap();
        let ctx = Context::new(Target::local(), "shop".parse().unwrap());
        let objects = queue.render(&ScalingContext::new(AppLabels::new("w".parse().unwrap()), &ctx));
        assert_eq!(objects.len(), 1);
        assert!(
            serde_json::to_value(&objects[0]).unwrap()["spec"]["triggers"][0]
                .get("authenticationRef")
                .is_none()
        );
    }

    #[test]
    fn errors_have_paths() {
        let queue: KedaQueue = from_yaml(
            "{min: 3, max: 2, addresses: ['sentinel', 'Bad_Host:1', 'h:0'], master: '', list: ' ', length: 0, \
             activation_length: -1, password: {secret: redis, key: redis-password}}",
        )
        .unwrap();
        let errors = queue
            .problems_at(PathRef::ROOT.field("scaling").field("keda_queue"))
            .messages();
        assert_eq!(
            errors,
            [
                "scaling.keda_queue.max: conflict: max (2) is below min (3)",
                "scaling.keda_queue.addresses[0]: invalid address \"sentinel\": expected host:port",
                "scaling.keda_queue.addresses[1]: invalid address \"Bad_Host:1\": the host must be a DNS name or an IP address",
                "scaling.keda_queue.addresses[2]: invalid address \"h:0\": the port must be a number from 1 to 65535",
                "scaling.keda_queue.master: missing: a master name",
                "scaling.keda_queue.list: missing: a list name",
                "scaling.keda_queue.length: must be at least 1, is 0",
                "scaling.keda_queue.activation_length: must not be negative, is -1",
            ]
        );
        let empty: KedaQueue = from_yaml("{max: 1, addresses: [], master: m, list: l}").unwrap();
        let mut problems = Problems::default();
        empty.validate(PathRef::ROOT.field("q"), &mut problems);
        assert_eq!(
            problems.finish(()).unwrap_err().to_string(),
            "q.addresses: missing: at least one Sentinel host:port"
        );
        assert!(
            from_yaml::<KedaQueue>("{max: 1, addresses: [], master: m, list: l, password: {secret: Bad, key: k}}")
                .is_err()
        );
        assert!(
            from_yaml::<KedaQueue>("{max: 1, addresses: [], master: m, list: l, password: {secret: r, key: 'a b'}}")
                .is_err()
        );
    }
}
