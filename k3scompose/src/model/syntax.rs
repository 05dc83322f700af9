//! Short and long syntaxes: ports, volumes, secret/config references, depends_on,
//! environment and labels, env_file, build, command.

use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;

use serde::de::value::{MapAccessDeserializer, SeqAccessDeserializer};
use serde::de::{self, DeserializeOwned, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize as _, Deserializer};
use serde_derive::Deserialize;

use crate::scalars::{Flag, Text};
use crate::tree::{Node, NodeDeserializer};

/// A value with a string short form and a mapping long form.
pub(crate) trait ShortLong: Sized {
    /// The long form.
    type Long: DeserializeOwned;
    /// What the value is, for error messages.
    const WHAT: &'static str;
    /// Parses the short form.
    fn short(text: &str) -> Result<Self, String>;
    /// Checks the long form.
    fn long(long: Self::Long) -> Result<Self, String>;
}

struct ShortLongVisitor<T>(PhantomData<T>);

impl<'de, T: ShortLong> Visitor<'de> for ShortLongVisitor<T> {
    type Value = T;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (a string or a mapping)", T::WHAT)
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<T, E> {
        T::short(v).map_err(E::custom)
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<T, E> {
        T::short(&v.to_string()).map_err(E::custom)
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<T, E> {
        T::short(&v.to_string()).map_err(E::custom)
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
        let long = T::Long::deserialize(MapAccessDeserializer::new(map))?;
        T::long(long).map_err(de::Error::custom)
    }
}

macro_rules! short_long_deserialize {
    ($($ty:ty),*) => {$(
        impl<'de> serde::Deserialize<'de> for $ty {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                d.deserialize_any(ShortLongVisitor::<$ty>(PhantomData))
            }
        }
    )*};
}

short_long_deserialize!(PortSpec, VolumeMount, FileRef, EnvFile, BuildSpec);

/// A port range `start..=end` (a single port has `start == end`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct PortRange {
    pub(crate) start: u16,
    pub(crate) end: u16,
}

impl PortRange {
    pub(crate) fn parse(text: &str) -> Result<Self, String> {
        let port = |p: &str| {
            p.trim()
                .parse::<u16>()
                .ok()
                .filter(|n| *n > 0)
                .ok_or_else(|| format!("invalid port {p:?}: expected 1 to 65535"))
        };
        let (start, end) = match text.split_once('-') {
            Some((a, b)) => (port(a)?, port(b)?),
            None => (port(text)?, port(text)?),
        };
        if end < start {
            return Err(format!("invalid port range {text:?}: end before start"));
        }
        Ok(Self { start, end })
    }
}

/// `ports[]`: `"8080:80/udp"`, `"127.0.0.1:8080:80"`, `"3000-3005"`, `80` or the long form.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct PortSpec {
    pub(crate) target: PortRange,
    pub(crate) published: Option<String>,
    pub(crate) host_ip: Option<String>,
    pub(crate) protocol: String,
    pub(crate) name: Option<String>,
    pub(crate) app_protocol: Option<String>,
    pub(crate) mode: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct PortLong {
    target: Text,
    published: Option<Text>,
    host_ip: Option<String>,
    protocol: Option<String>,
    name: Option<String>,
    app_protocol: Option<String>,
    mode: Option<String>,
}

impl PortSpec {
    /// Parses the short syntax (also used for `expose`).
    pub(crate) fn parse_short(text: &str) -> Result<Self, String> {
        <Self as ShortLong>::short(text)
    }
}

impl ShortLong for PortSpec {
    type Long = PortLong;
    const WHAT: &'static str = "a port";
    fn short(text: &str) -> Result<Self, String> {
        let (spec, protocol) = match text.rsplit_once('/') {
            Some((s, p)) => (s, p.to_owned()),
            None => (text, "tcp".to_owned()),
        };
        let (host_ip, spec) = if let Some(rest) = spec.strip_prefix('[') {
            let (ip, rest) = rest
                .split_once(']')
                .ok_or_else(|| format!("invalid port {text:?}: unclosed ["))?;
            (Some(ip.to_owned()), rest.strip_prefix(':').unwrap_or(rest))
        } else {
            (None, spec)
        };
        let parts: Vec<&str> = spec.split(':').collect();
        let (ip, published, target) = match parts.as_slice() {
            [target] => (None, None, *target),
            [published, target] => (None, Some(*published), *target),
            [ip, published, target] => (Some(*ip), Some(*published), *target),
            _ => {
                return Err(format!(
                    "invalid port {text:?}: expected [[IP:]HOST:]CONTAINER[/PROTOCOL]"
                ));
            }
        };
        Ok(Self {
            target: PortRange::parse(target).map_err(|e| format!("{e} in {text:?}"))?,
            published: published.filter(|p| !p.is_empty()).map(str::to_owned),
            host_ip: host_ip.or(ip.map(str::to_owned)),
            protocol,
            name: None,
            app_protocol: None,
            mode: None,
        })
    }
    fn long(l: PortLong) -> Result<Self, String> {
        Ok(Self {
            target: PortRange::parse(&l.target.0)?,
            published: l.published.map(|p| p.0),
            host_ip: l.host_ip,
            protocol: l.protocol.unwrap_or_else(|| "tcp".to_owned()),
            name: l.name,
            app_protocol: l.app_protocol,
            mode: l.mode,
        })
    }
}

/// The type of a service volume.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum MountType {
    /// A named (or anonymous) volume.
    Volume,
    /// A host or project path.
    Bind,
    /// A tmpfs.
    Tmpfs,
    /// A Windows named pipe.
    Npipe,
    /// A cluster volume (Swarm).
    Cluster,
    /// An image mounted as a volume.
    Image,
}

/// `volumes[]`: `"data:/var/lib/x:ro"`, `"./conf:/etc/x"`, `"/cache"` or the long form.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct VolumeMount {
    pub(crate) kind: MountType,
    pub(crate) source: Option<String>,
    pub(crate) target: String,
    pub(crate) read_only: bool,
    pub(crate) tmpfs_size: Option<String>,
    pub(crate) subpath: Option<String>,
    /// Options that are not translated (`z`, `nocopy`, `bind.propagation` ...).
    pub(crate) ignored: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct VolumeLong {
    #[serde(rename = "type")]
    kind: MountType,
    source: Option<String>,
    target: String,
    read_only: Option<Flag>,
    bind: Option<BTreeMap<String, Node>>,
    volume: Option<VolumeOptions>,
    tmpfs: Option<TmpfsOptions>,
    image: Option<Node>,
    consistency: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct VolumeOptions {
    nocopy: Option<Flag>,
    subpath: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TmpfsOptions {
    size: Option<Text>,
    mode: Option<Text>,
}

impl ShortLong for VolumeMount {
    type Long = VolumeLong;
    const WHAT: &'static str = "a volume";
    fn short(text: &str) -> Result<Self, String> {
        let parts: Vec<&str> = text.split(':').collect();
        let (source, target, mode) = match parts.as_slice() {
            [target] => (None, *target, None),
            [source, target] => (Some(*source), *target, None),
            [source, target, mode] => (Some(*source), *target, Some(*mode)),
            _ => return Err(format!("invalid volume {text:?}: expected [SOURCE:]TARGET[:MODE]")),
        };
        if target.is_empty() {
            return Err(format!("invalid volume {text:?}: empty target"));
        }
        let source = source.filter(|s| !s.is_empty());
        let kind = match source {
            Some(s) if s.starts_with(['.', '/', '~']) => MountType::Bind,
            _ => MountType::Volume,
        };
        let mut read_only = false;
        let mut ignored = Vec::new();
        for option in mode.into_iter().flat_map(|m| m.split(',')) {
            match option {
                "ro" => read_only = true,
                "rw" | "" | "cached" | "delegated" | "consistent" => {}
                other => ignored.push(other.to_owned()),
            }
        }
        Ok(Self {
            kind,
            source: source.map(str::to_owned),
            target: target.to_owned(),
            read_only,
            tmpfs_size: None,
            subpath: None,
            ignored,
        })
    }
    fn long(l: VolumeLong) -> Result<Self, String> {
        let mut ignored = Vec::new();
        for key in l.bind.iter().flat_map(BTreeMap::keys) {
            ignored.push(format!("bind.{key}"));
        }
        let mut subpath = None;
        if let Some(volume) = l.volume {
            subpath = volume.subpath;
            if volume.nocopy.is_some() {
                ignored.push("volume.nocopy".to_owned());
            }
        }
        let mut tmpfs_size = None;
        if let Some(tmpfs) = l.tmpfs {
            tmpfs_size = tmpfs.size.map(|s| s.0);
            if tmpfs.mode.is_some() {
                ignored.push("tmpfs.mode".to_owned());
            }
        }
        if l.image.is_some() {
            ignored.push("image".to_owned());
        }
        if let Some(c) = l.consistency {
            ignored.push(format!("consistency={c}"));
        }
        Ok(Self {
            kind: l.kind,
            source: l.source.filter(|s| !s.is_empty()),
            target: l.target,
            read_only: l.read_only.is_some_and(|f| f.0),
            tmpfs_size,
            subpath,
            ignored,
        })
    }
}

/// `secrets[]` / `configs[]` of a service: `name` or `{source, target, uid, gid, mode}`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct FileRef {
    pub(crate) source: String,
    pub(crate) target: Option<String>,
    /// `uid`, `gid`, `mode` (not translated).
    pub(crate) ignored: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct FileRefLong {
    source: String,
    target: Option<String>,
    uid: Option<Text>,
    gid: Option<Text>,
    mode: Option<Text>,
}

impl ShortLong for FileRef {
    type Long = FileRefLong;
    const WHAT: &'static str = "a secret or config reference";
    fn short(text: &str) -> Result<Self, String> {
        Ok(Self {
            source: text.to_owned(),
            target: None,
            ignored: Vec::new(),
        })
    }
    fn long(l: FileRefLong) -> Result<Self, String> {
        let ignored = [
            ("uid", l.uid.is_some()),
            ("gid", l.gid.is_some()),
            ("mode", l.mode.is_some()),
        ]
        .into_iter()
        .filter(|(_, set)| *set)
        .map(|(k, _)| k.to_owned())
        .collect();
        Ok(Self {
            source: l.source,
            target: l.target,
            ignored,
        })
    }
}

/// `env_file` entry: `path` or `{path, required, format}`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct EnvFile {
    pub(crate) path: String,
    pub(crate) required: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct EnvFileLong {
    path: String,
    required: Option<Flag>,
    format: Option<String>,
}

impl ShortLong for EnvFile {
    type Long = EnvFileLong;
    const WHAT: &'static str = "an env file";
    fn short(text: &str) -> Result<Self, String> {
        Ok(Self {
            path: text.to_owned(),
            required: true,
        })
    }
    fn long(l: EnvFileLong) -> Result<Self, String> {
        if let Some(format) = l.format.filter(|f| f != "raw") {
            return Err(format!(
                "env_file format {format:?} is not supported (only the default format)"
            ));
        }
        Ok(Self {
            path: l.path,
            required: l.required.is_none_or(|f| f.0),
        })
    }
}

/// `build`: a context path or `{context, dockerfile, args, target, ...}`.
#[derive(Clone, Debug, PartialEq, Default)]
pub(crate) struct BuildSpec {
    pub(crate) context: String,
    pub(crate) dockerfile: Option<String>,
    pub(crate) args: KeyValues,
    pub(crate) target: Option<String>,
    /// Keys that are not translated.
    pub(crate) ignored: Vec<String>,
}

#[derive(Deserialize)]
pub(crate) struct BuildLong {
    context: Option<String>,
    dockerfile: Option<String>,
    #[serde(default)]
    args: KeyValues,
    target: Option<String>,
    #[serde(flatten)]
    other: BTreeMap<String, Node>,
}

impl ShortLong for BuildSpec {
    type Long = BuildLong;
    const WHAT: &'static str = "a build";
    fn short(text: &str) -> Result<Self, String> {
        Ok(Self {
            context: text.to_owned(),
            ..Self::default()
        })
    }
    fn long(l: BuildLong) -> Result<Self, String> {
        Ok(Self {
            context: l.context.unwrap_or_else(|| ".".to_owned()),
            dockerfile: l.dockerfile,
            args: l.args,
            target: l.target,
            ignored: l.other.into_keys().filter(|k| !k.starts_with("x-")).collect(),
        })
    }
}

/// `environment`, `labels`, `build.args`: `[KEY=VALUE, KEY]` or `{KEY: VALUE, KEY: null}`, in order.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub(crate) struct KeyValues(pub(crate) Vec<(String, Option<String>)>);

impl KeyValues {
    /// Parses a buffered node.
    pub(crate) fn from_node(node: Node) -> Result<Self, String> {
        Self::deserialize(NodeDeserializer(node)).map_err(|e| e.to_string())
    }

    /// Later entries replace earlier ones with the same key.
    pub(crate) fn to_map(&self) -> BTreeMap<String, Option<String>> {
        self.0.iter().cloned().collect()
    }
}

struct KeyValuesVisitor;

impl<'de> Visitor<'de> for KeyValuesVisitor {
    type Value = KeyValues;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list of KEY=VALUE strings or a mapping")
    }
    fn visit_unit<E>(self) -> Result<KeyValues, E> {
        Ok(KeyValues::default())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<KeyValues, A::Error> {
        let items = Vec::<Text>::deserialize(SeqAccessDeserializer::new(seq))?;
        Ok(KeyValues(
            items
                .into_iter()
                .map(|Text(item)| match item.split_once('=') {
                    Some((k, v)) => (k.to_owned(), Some(v.to_owned())),
                    None => (item, None),
                })
                .collect(),
        ))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<KeyValues, A::Error> {
        let mut out = Vec::new();
        while let Some((k, v)) = map.next_entry::<Text, Option<Text>>()? {
            out.push((k.0, v.map(|t| t.0)));
        }
        Ok(KeyValues(out))
    }
}

impl<'de> serde::Deserialize<'de> for KeyValues {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(KeyValuesVisitor)
    }
}

/// `command` / `entrypoint`: a shell-split string or an exec list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Command {
    /// `command: npm start`.
    Shell(String),
    /// `command: ["npm", "start"]`.
    Exec(Vec<String>),
}

impl<'de> serde::Deserialize<'de> for Command {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match Node::deserialize(d)? {
            Node::Null => Ok(Command::Exec(Vec::new())),
            Node::Seq(items) => items
                .into_iter()
                .map(|n| {
                    n.scalar_text()
                        .ok_or_else(|| de::Error::custom("command items must be strings"))
                })
                .collect::<Result<_, _>>()
                .map(Command::Exec),
            other => other
                .scalar_text()
                .map(Command::Shell)
                .ok_or_else(|| de::Error::custom("expected a string or a list of strings")),
        }
    }
}

/// One `depends_on` entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Dependency {
    pub(crate) service: String,
    pub(crate) condition: String,
}

/// `depends_on`: `[db, cache]` or `{db: {condition: service_healthy}}`.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub(crate) struct DependsOn(pub(crate) Vec<Dependency>);

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DependencyLong {
    condition: Option<String>,
    restart: Option<Flag>,
    required: Option<Flag>,
}

impl<'de> serde::Deserialize<'de> for DependsOn {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        const STARTED: &str = "service_started";
        match Node::deserialize(d)? {
            Node::Null => Ok(DependsOn::default()),
            Node::Seq(items) => items
                .into_iter()
                .map(|n| {
                    n.scalar_text()
                        .map(|service| Dependency {
                            service,
                            condition: STARTED.to_owned(),
                        })
                        .ok_or_else(|| de::Error::custom("depends_on items must be service names"))
                })
                .collect::<Result<_, _>>()
                .map(DependsOn),
            Node::Map(map) => map
                .into_iter()
                .map(|(service, long)| {
                    let long = DependencyLong::deserialize(NodeDeserializer(long)).map_err(de::Error::custom)?;
                    let _ = (long.restart, long.required);
                    Ok(Dependency {
                        service,
                        condition: long.condition.unwrap_or_else(|| STARTED.to_owned()),
                    })
                })
                .collect::<Result<_, D::Error>>()
                .map(DependsOn),
            _ => Err(de::Error::custom("expected a list of services or a mapping")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use k3score::yaml::{OneOrMany, from_yaml};

    fn port(text: &str) -> PortSpec {
        from_yaml::<PortSpec>(text).unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    #[test]
    fn ports_short_and_long() {
        let p = port("8080");
        assert_eq!((p.target.start, p.published, p.protocol.as_str()), (8080, None, "tcp"));
        let p = port("\"8000:80/udp\"");
        assert_eq!(
            (p.target.start, p.published.as_deref(), p.protocol.as_str()),
            (80, Some("8000"), "udp")
        );
        let p = port("\"127.0.0.1:8001:8001\"");
        assert_eq!(p.host_ip.as_deref(), Some("127.0.0.1"));
        let p = port("\"[::1]:6001:6001\"");
        assert_eq!(p.host_ip.as_deref(), Some("::1"));
        let p = port("\"127.0.0.1::5000\"");
        assert_eq!((p.published, p.target.start), (None, 5000));
        let p = port("\"9090-9091:8080-8081\"");
        assert_eq!((p.target.start, p.target.end), (8080, 8081));
        let p = port("{target: 80, published: \"8080\", protocol: udp, name: web, app_protocol: http, mode: host}");
        assert_eq!(
            (p.target.start, p.name.as_deref(), p.mode.as_deref()),
            (80, Some("web"), Some("host"))
        );
        assert!(from_yaml::<PortSpec>("\"a:b:c:d\"").is_err());
        assert!(from_yaml::<PortSpec>("\"0\"").is_err());
        assert!(from_yaml::<PortSpec>("\"90-80\"").is_err());
        assert!(from_yaml::<PortSpec>("{target: 80, bogus: 1}").is_err());
    }

    #[test]
    fn volumes_short_and_long() {
        let v: VolumeMount = from_yaml("data:/var/lib/x:ro").unwrap();
        assert_eq!(
            (v.kind, v.source.as_deref(), v.read_only),
            (MountType::Volume, Some("data"), true)
        );
        let v: VolumeMount = from_yaml("./conf:/etc/x:rw,z").unwrap();
        assert_eq!((v.kind, v.ignored.clone()), (MountType::Bind, vec!["z".to_owned()]));
        let v: VolumeMount = from_yaml("/cache").unwrap();
        assert_eq!((v.kind, v.source), (MountType::Volume, None));
        let v: VolumeMount =
            from_yaml("{type: bind, source: ./a, target: /a, read_only: true, bind: {propagation: rslave}}").unwrap();
        assert_eq!(
            (v.kind, v.read_only, v.ignored.clone()),
            (MountType::Bind, true, vec!["bind.propagation".to_owned()])
        );
        let v: VolumeMount = from_yaml("{type: tmpfs, target: /t, tmpfs: {size: 64m}}").unwrap();
        assert_eq!(v.tmpfs_size.as_deref(), Some("64m"));
        let v: VolumeMount = from_yaml("{type: volume, source: d, target: /d, volume: {subpath: sub}}").unwrap();
        assert_eq!(v.subpath.as_deref(), Some("sub"));
        assert!(from_yaml::<VolumeMount>("{type: floppy, target: /f}").is_err());
        assert!(from_yaml::<VolumeMount>("\"a:b:c:d\"").is_err());
    }

    #[test]
    fn secrets_configs_env_files_builds() {
        let f: FileRef = from_yaml("db_password").unwrap();
        assert_eq!((f.source.as_str(), f.target), ("db_password", None));
        let f: FileRef = from_yaml("{source: a, target: /etc/a, mode: 0440}").unwrap();
        assert_eq!(
            (f.target.as_deref(), f.ignored.clone()),
            (Some("/etc/a"), vec!["mode".to_owned()])
        );
        let e: EnvFile = from_yaml("web.env").unwrap();
        assert!(e.required);
        let e: EnvFile = from_yaml("{path: local.env, required: false}").unwrap();
        assert!(!e.required);
        assert!(from_yaml::<EnvFile>("{path: a, format: json}").is_err());
        let list: OneOrMany<EnvFile> = from_yaml("[a.env, {path: b.env}]").unwrap();
        assert_eq!(list.as_slice().len(), 2);
        let one: OneOrMany<EnvFile> = from_yaml("a.env").unwrap();
        assert_eq!(one.as_slice().len(), 1);
        let b: BuildSpec = from_yaml("./api").unwrap();
        assert_eq!(b.context, "./api");
        let b: BuildSpec = from_yaml("{context: ., args: [A=1, B], target: dev, platforms: [x]}").unwrap();
        assert_eq!(
            (b.args.0.len(), b.target.as_deref(), b.ignored.clone()),
            (2, Some("dev"), vec!["platforms".to_owned()])
        );
    }

    #[test]
    fn depends_on_environment_commands() {
        let d: DependsOn = from_yaml("[db, cache]").unwrap();
        assert_eq!(d.0[1].condition, "service_started");
        let d: DependsOn = from_yaml("{db: {condition: service_healthy, restart: true}}").unwrap();
        assert_eq!(d.0[0].condition, "service_healthy");
        assert!(from_yaml::<DependsOn>("{db: {when: now}}").is_err());
        let e: KeyValues = from_yaml("[A=1, B=, C, D=x=y]").unwrap();
        assert_eq!(
            e.0,
            [
                ("A".to_owned(), Some("1".to_owned())),
                ("B".to_owned(), Some(String::new())),
                ("C".to_owned(), None),
                ("D".to_owned(), Some("x=y".to_owned()))
            ]
        );
        let e: KeyValues = from_yaml("{A: 1, B: true, C: null, D: '007'}").unwrap();
        assert_eq!(e.to_map()["B"].as_deref(), Some("true"));
        assert_eq!(e.to_map()["C"], None);
        let c: Command = from_yaml("npm start").unwrap();
        assert_eq!(c, Command::Shell("npm start".into()));
        let c: Command = from_yaml("[npm, start]").unwrap();
        assert_eq!(c, Command::Exec(vec!["npm".into(), "start".into()]));
    }
}
