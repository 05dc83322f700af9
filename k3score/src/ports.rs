//! Port vocabulary: the ports a container listens on, their protocol, and references to a
//! port by name or number.
//!
//! The pod template ([`crate::workload`]), NetworkPolicies ([`crate::network`]), routes
//! ([`crate::exposure`]), scaling ([`crate::scaling`]) and metrics ([`crate::monitoring`]) all
//! speak of ports; they take these types from here. `k3score::workload::{Port, PortRef,
//! Protocol}`, `k3score::network::{PortRef, Protocol}` and `k3score::exposure::PortRef` are
//! re-exports of them, kept so older code keeps compiling.
//!
//! ```
//! use k3score::ports::{Port, PortRef, Protocol};
//! let ports = [Port::tcp("http".parse().unwrap(), 8080)];
//! assert_eq!(ports[0].protocol, Protocol::Tcp);
//! let by_name = PortRef::Name("http".parse().unwrap());
//! assert_eq!(by_name.number(&ports), Some(8080));
//! assert_eq!(by_name.to_string(), "http");
//! ```

use std::fmt;

use k8s_openapi::api::core::v1::{ContainerPort, ServicePort};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
#[cfg(feature = "schema")]
use schemars::JsonSchema;
use serde_derive::{Deserialize, Serialize};

use crate::error::ErrorKind;
use crate::names::PortName;

/// A port the container listens on.
///
/// ```
/// use k3score::ports::Port;
/// let port: Port = serde_json::from_str(r#"{"name": "http", "port": 8080}"#).unwrap();
/// let container_port = port.to_container_port();
/// assert_eq!(container_port.container_port, 8080);
/// assert_eq!(container_port.protocol.as_deref(), Some("TCP"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub struct Port {
    /// The port's name (IANA service name: at most 15 characters), used by probes and Services.
    pub name: PortName,
    /// The port number, 1 to 65535.
    #[serde(deserialize_with = "port_number")]
    pub port: u16,
    /// The transport protocol. Default: `tcp`.
    #[serde(default)]
    pub protocol: Protocol,
    /// The application protocol for Services (`http`, `kubernetes.io/h2c`). Default: none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app_protocol: Option<String>,
}

impl Port {
    /// A TCP port.
    #[must_use]
    pub fn tcp(name: PortName, port: u16) -> Self {
        Self {
            name,
            port,
            protocol: Protocol::Tcp,
            app_protocol: None,
        }
    }

    /// The container's `ports[]` entry.
    #[must_use]
    pub fn to_container_port(&self) -> ContainerPort {
        ContainerPort {
            name: Some(self.name.to_string()),
            container_port: i32::from(self.port),
            protocol: Some(self.protocol.as_str().to_owned()),
            ..Default::default()
        }
    }

    /// A Service port exposing this port under the same number and name, targeting it by name.
    ///
    /// ```
    /// use k3score::ports::Port;
    /// use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
    /// let port = Port::tcp("http".parse().unwrap(), 8080);
    /// assert_eq!(port.to_service_port().target_port, Some(IntOrString::String("http".into())));
    /// ```
    #[must_use]
    pub fn to_service_port(&self) -> ServicePort {
        ServicePort {
            name: Some(self.name.to_string()),
            port: i32::from(self.port),
            target_port: Some(IntOrString::String(self.name.to_string())),
            protocol: Some(self.protocol.as_str().to_owned()),
            app_protocol: self.app_protocol.clone(),
            ..Default::default()
        }
    }
}

/// Transport protocol of a port.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Protocol {
    /// TCP.
    #[default]
    #[serde(alias = "TCP")]
    Tcp,
    /// UDP.
    #[serde(alias = "UDP")]
    Udp,
    /// SCTP.
    #[serde(alias = "SCTP")]
    Sctp,
}

impl Protocol {
    /// The Kubernetes spelling (`TCP`, `UDP`, `SCTP`).
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Protocol::Tcp => "TCP",
            Protocol::Udp => "UDP",
            Protocol::Sctp => "SCTP",
        }
    }
}

/// A reference to a port: a declared port's name, or a number.
///
/// In YAML either `http` or `8080` (a quoted number is a number too).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(untagged)]
pub enum PortRef {
    /// A declared port's name.
    Name(PortName),
    /// A port number, 1 to 65535.
    Number(u16),
}

impl PortRef {
    /// The port number, resolving a name against `ports`.
    #[must_use]
    pub fn number(&self, ports: &[Port]) -> Option<u16> {
        match self {
            PortRef::Name(name) => ports.iter().find(|p| &p.name == name).map(|p| p.port),
            PortRef::Number(n) => Some(*n),
        }
    }

    /// The reference as Kubernetes writes it in probes (`IntOrString`).
    #[must_use]
    pub fn to_int_or_string(&self) -> IntOrString {
        match self {
            PortRef::Name(name) => IntOrString::String(name.to_string()),
            PortRef::Number(n) => IntOrString::Int(i32::from(*n)),
        }
    }
}

impl From<&Port> for PortRef {
    fn from(port: &Port) -> Self {
        PortRef::Name(port.name.clone())
    }
}

impl fmt::Display for PortRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PortRef::Name(name) => f.write_str(name.as_str()),
            PortRef::Number(n) => write!(f, "{n}"),
        }
    }
}

/// The problem of a port number out of range: `must be 1 to 65535, is 70000`.
fn out_of_range(v: impl fmt::Display) -> ErrorKind {
    ErrorKind::Invalid(format!("must be 1 to 65535, is {v}"))
}

/// A port number 1 to 65535 (a quoted number too), with a plain message otherwise.
struct PortNumberVisitor;

impl serde::de::Visitor<'_> for PortNumberVisitor {
    type Value = u16;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a port number, 1 to 65535")
    }
    // 0 fits the type and is left to validation, which reports it with the other problems.
    // A number out of range recovers (inside `from_yaml`) as 0; its problem is reported.
    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<u16, E> {
        crate::yaml::recover(u16::try_from(v).map_err(|_| out_of_range(v)), || 0)
    }
    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<u16, E> {
        match u64::try_from(v) {
            Ok(v) => self.visit_u64(v),
            Err(_) => crate::yaml::recover(Err(out_of_range(v)), || 0),
        }
    }
    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<u16, E> {
        crate::yaml::recover(Err(out_of_range(v)), || 0)
    }
    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<u16, E> {
        match v.parse::<u64>() {
            Ok(n) => self.visit_u64(n),
            Err(_) => crate::yaml::recover(
                Err(ErrorKind::Invalid(format!(
                    "must be a port number, 1 to 65535, is {v:?}"
                ))),
                || 0,
            ),
        }
    }
}

/// Reads a port number (`#[serde(deserialize_with)]`): `ports[0].port: must be 1 to 65535,
/// is 70000` instead of the parser's integer-range wording.
pub(crate) fn port_number<'de, D: serde::Deserializer<'de>>(d: D) -> Result<u16, D::Error> {
    d.deserialize_any(PortNumberVisitor)
}

impl<'de> serde::Deserialize<'de> for PortRef {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = PortRef;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a port name like http or a port number like 8080")
            }
            // A bad reference recovers (inside `from_yaml`) as port 0; its problem is reported.
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<PortRef, E> {
                let checked = match u16::try_from(v) {
                    Ok(n) if n > 0 => Ok(PortRef::Number(n)),
                    _ => Err(out_of_range(v)),
                };
                crate::yaml::recover(checked, || PortRef::Number(0))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<PortRef, E> {
                match u64::try_from(v) {
                    Ok(v) => self.visit_u64(v),
                    Err(_) => crate::yaml::recover(Err(out_of_range(v)), || PortRef::Number(0)),
                }
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<PortRef, E> {
                if let Ok(n) = v.parse::<u64>() {
                    return self.visit_u64(n);
                }
                crate::yaml::recover(v.parse::<PortName>().map(PortRef::Name), || PortRef::Number(0))
            }
        }
        d.deserialize_any(Visitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn port_numbers_out_of_range_say_so_in_words() {
        let err = crate::yaml::from_yaml::<Vec<Port>>("- {name: http, port: 70000}\n").unwrap_err();
        assert_eq!(err.0[0].path.to_string(), "[0].port");
        let message = err.to_string();
        assert!(
            message.starts_with("[0].port: must be 1 to 65535, is 70000 (line 1"),
            "{message}"
        );
        // 0 parses and is reported by validation, together with the other problems.
        assert!(crate::yaml::from_yaml::<Vec<Port>>("- {name: http, port: 0}\n").is_ok());
        let bad_ref = crate::yaml::from_yaml::<PortRef>("99999").unwrap_err();
        assert!(
            bad_ref.to_string().contains("must be 1 to 65535, is 99999"),
            "{bad_ref}"
        );
    }

    #[test]
    fn port_refs_parse_names_and_numbers() {
        assert_eq!(serde_json::from_str::<PortRef>("8080").unwrap(), PortRef::Number(8080));
        assert_eq!(
            serde_json::from_str::<PortRef>("\"9090\"").unwrap(),
            PortRef::Number(9090)
        );
        assert_eq!(
            serde_json::from_str::<PortRef>("\"http\"").unwrap(),
            PortRef::Name("http".parse().unwrap())
        );
        for bad in ["0", "70000", "-1", "\"Not_A_Name\"", "true"] {
            assert!(serde_json::from_str::<PortRef>(bad).is_err(), "{bad}");
        }
        assert_eq!(serde_json::to_string(&PortRef::Number(80)).unwrap(), "80");
        assert_eq!(PortRef::Number(80).to_string(), "80");
    }

    #[test]
    fn older_paths_name_the_same_types() {
        // The re-exports kept for older code (see the module docs) must stay the same types.
        let workload: crate::workload::PortRef = PortRef::Number(80);
        let network: crate::network::PortRef = workload.clone();
        let exposure: crate::exposure::PortRef = network;
        assert_eq!(exposure, PortRef::Number(80));
        let protocols: [crate::workload::Protocol; 2] = [Protocol::Udp, crate::network::Protocol::Udp];
        assert_eq!(protocols[0], protocols[1]);
        let port: crate::workload::Port = Port::tcp("http".parse().unwrap(), 80);
        assert_eq!(PortRef::from(&port), PortRef::Name("http".parse().unwrap()));
    }

    #[test]
    fn port_shapes() {
        let udp: Port = serde_json::from_str(r#"{"name": "dns", "port": 53, "protocol": "UDP"}"#).unwrap();
        assert_eq!(udp.protocol, Protocol::Udp);
        assert_eq!(udp.to_service_port().protocol.as_deref(), Some("UDP"));
        let grpc: Port =
            serde_json::from_str(r#"{"name": "grpc", "port": 9000, "app_protocol": "kubernetes.io/h2c"}"#).unwrap();
        assert_eq!(
            grpc.to_service_port().app_protocol.as_deref(),
            Some("kubernetes.io/h2c")
        );
        assert!(serde_json::from_str::<Port>(r#"{"name": "http", "port": 70000}"#).is_err());
        assert!(serde_json::from_str::<Port>(r#"{"name": "http", "port": 80, "host_port": 80}"#).is_err());
        let ports = [udp];
        assert_eq!(PortRef::Name("dns".parse().unwrap()).number(&ports), Some(53));
        assert_eq!(PortRef::Name("web".parse().unwrap()).number(&ports), None);
        assert_eq!(
            PortRef::from(&ports[0]).to_int_or_string(),
            IntOrString::String("dns".into())
        );
    }
}
