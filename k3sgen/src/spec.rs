//! Spec files of every kind: recognise the kind, parse, render for a target.

use std::collections::BTreeMap;
use std::path::Path;

use k3sapp::{App, AppSet};
use k3score::names::DnsLabel;
use k3score::{Bundle, Context, Errors, FieldPath, Target, Validate};

/// A parsed spec file of any kind the suite knows.
#[derive(Clone, Debug)]
pub enum Spec {
    /// `kind: App`
    App(Box<App>),
    /// `kind: Apps`
    Apps(AppSet),
    /// `kind: Gateway`
    Gateway(Box<k3sgateway::Gateway>),
    /// `kind: Functions` (functions listed in the file; add discovered ones with
    /// [`discover_functions`](crate::discover_functions)).
    Functions(Box<k3sfn::Project>),
    /// `kind: Platform` (Helm charts through Argo CD)
    Platform(Box<k3splatform::Platform>),
    /// `kind: Tenant`
    Tenant(Box<k3splatform::Tenant>),
    /// `kind: Store`
    Store(Box<k3splatform::Store>),
}

/// The top of a spec file, read before its kind's type: the keys that decide the kind, or the
/// fact that the top is not a mapping at all (a list or a single value).
enum KindProbe {
    /// `key: value` lines at the top.
    Mapping {
        /// The `kind:` value, if any.
        kind: Option<String>,
        /// Whether `name:` or `image:` has a value (a file without `kind:` is then an App).
        app_like: bool,
    },
    /// A list or a single value at the top.
    NotAMapping,
}

impl<'de> serde::Deserialize<'de> for KindProbe {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(KindProbeVisitor)
    }
}

/// Reads the top node whatever its type and records which type it is.
struct KindProbeVisitor;

impl<'de> serde::de::Visitor<'de> for KindProbeVisitor {
    type Value = KindProbe;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a spec")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<KindProbe, A::Error> {
        use serde::de::IgnoredAny;
        let (mut kind, mut app_like) = (None, false);
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "kind" => kind = map.next_value::<Option<String>>()?,
                "name" | "image" => app_like |= map.next_value::<Option<IgnoredAny>>()?.is_some(),
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(KindProbe::Mapping { kind, app_like })
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<KindProbe, A::Error> {
        while seq.next_element::<serde::de::IgnoredAny>()?.is_some() {}
        Ok(KindProbe::NotAMapping)
    }

    fn visit_bool<E>(self, _: bool) -> Result<KindProbe, E> {
        Ok(KindProbe::NotAMapping)
    }

    fn visit_i64<E>(self, _: i64) -> Result<KindProbe, E> {
        Ok(KindProbe::NotAMapping)
    }

    fn visit_u64<E>(self, _: u64) -> Result<KindProbe, E> {
        Ok(KindProbe::NotAMapping)
    }

    fn visit_f64<E>(self, _: f64) -> Result<KindProbe, E> {
        Ok(KindProbe::NotAMapping)
    }

    fn visit_str<E>(self, _: &str) -> Result<KindProbe, E> {
        Ok(KindProbe::NotAMapping)
    }

    fn visit_unit<E>(self) -> Result<KindProbe, E> {
        Ok(KindProbe::NotAMapping)
    }
}

/// The kinds a spec file may declare, for messages.
const KINDS: &str = "App, Apps, Functions, Gateway, Platform, Tenant, Store";

/// Reads a spec from text, dispatching on its top-level `kind`. Every problem of the file is
/// reported at once: bad values (names, quantities, ports ...) with the problems the kind's
/// validation finds, each with its field path.
///
/// ```
/// let spec = k3sgen::parse_spec("kind: Tenant\nid: payments\n");
/// assert!(matches!(spec, Ok(k3sgen::Spec::Tenant(_))));
/// let err = k3sgen::parse_spec("kind: Pod\n").unwrap_err();
/// assert!(err.to_string().starts_with("kind: kind \"Pod\" is not supported"));
/// let err = k3sgen::parse_spec("# nothing yet\n").unwrap_err();
/// assert!(err.to_string().starts_with("empty file: expected a spec with a top-level kind:"));
/// ```
pub fn parse_spec(text: &str) -> Result<Spec, Errors> {
    parse_spec_in(text, None)
}

/// [`parse_spec`]; when the file has problems of its own and `ctx` is given (the target,
/// and the spec file's folder), the spec read with stand-ins for them is also rendered for
/// it, its `config_files` read (if it passes its kind's validation), so that problems only
/// rendering finds (an undefined `${VAR}`, a feature the target lacks, an unreadable
/// `from`) are reported in the same run. A `Functions` file is not: its functions may be
/// still undiscovered.
pub(crate) fn parse_spec_in(text: &str, ctx: Option<(&Context, &Path)>) -> Result<Spec, Errors> {
    if is_blank(text) {
        return Err(whole_file(format!(
            "empty file: expected a spec with a top-level kind: ({KINDS}) or a compose file"
        )));
    }
    let kind = match k3score::yaml::from_yaml::<KindProbe>(text)? {
        KindProbe::NotAMapping => {
            return Err(whole_file(format!(
                "expected a spec (key: value lines with a top-level kind: {KINDS}) or a compose file"
            )));
        }
        KindProbe::Mapping {
            kind: None,
            app_like: false,
        } => {
            return Err(whole_file(format!(
                "not a spec file: it has no top-level kind: ({KINDS}), is not an App (no name: or \
                 image:) and is not a compose file (no services:)"
            )));
        }
        KindProbe::Mapping { kind, .. } => kind,
    };
    match kind.as_deref() {
        Some("App") | None => parse(text, ctx, App::validate, boxed(Spec::App)),
        Some("Apps") => parse(text, ctx, AppSet::validate, Spec::Apps),
        Some("Gateway") => parse(text, ctx, k3sgateway::Gateway::validate, boxed(Spec::Gateway)),
        Some("Functions") => parse(text, None, k3sfn::Project::validate, boxed(Spec::Functions)),
        Some("Platform") => parse(text, ctx, k3splatform::Platform::check, boxed(Spec::Platform)),
        Some("Tenant") => parse(text, ctx, k3splatform::Tenant::check, boxed(Spec::Tenant)),
        Some("Store") => parse(text, ctx, k3splatform::Store::check, boxed(Spec::Store)),
        Some(other) => Err(k3score::Error::new(
            FieldPath::root().field("kind"),
            k3score::ErrorKind::Unsupported {
                feature: format!("kind {other:?}"),
                by: "this renderer".into(),
                why: format!("known kinds are {KINDS}"),
            },
        )
        .into()),
    }
}

/// `Spec::App` and the like, taking the value unboxed.
fn boxed<T>(spec: fn(Box<T>) -> Spec) -> impl Fn(T) -> Spec {
    move |value| spec(Box::new(value))
}

/// Reads one kind: on a file with problems, `validate` (and, when it passes and `ctx` is
/// given, the render) runs on the value with stand-ins, and what they find is reported too.
fn parse<T: serde::de::DeserializeOwned + Clone>(
    text: &str,
    ctx: Option<(&Context, &Path)>,
    validate: impl FnOnce(&T) -> Result<(), Errors>,
    wrap: impl Fn(T) -> Spec,
) -> Result<Spec, Errors> {
    let check = |value: &T| {
        validate(value)?;
        match ctx {
            Some((ctx, base)) => {
                let mut spec = wrap(value.clone());
                crate::read_config_files(&mut spec, base, &mut Vec::new())?;
                render(&spec, ctx).map(drop)
            }
            None => Ok(()),
        }
    };
    k3score::yaml::from_yaml_checked(text, check).map(&wrap)
}

/// Whether `text` holds no YAML value: only blank lines, comments and document markers.
fn is_blank(text: &str) -> bool {
    text.lines()
        .map(str::trim)
        .all(|line| line.is_empty() || line.starts_with('#') || line == "---" || line == "...")
}

/// One problem with the whole file.
fn whole_file(message: String) -> Errors {
    k3score::Error::new(FieldPath::root(), k3score::ErrorKind::Invalid(message)).into()
}

/// Renders a spec into `namespace` (an `Apps` or `Gateway` file may name its own).
/// `vars` provides both the `${VAR}` values and the local secret values.
pub fn render_spec(
    spec: &Spec,
    target: &Target,
    namespace: &str,
    vars: &BTreeMap<String, String>,
) -> Result<Bundle, Errors> {
    let ns = own_namespace(spec).map_or(namespace, DnsLabel::as_str);
    render(spec, &context(target, ns, vars)?)
}

/// Renders a spec for `ctx`; an `Apps` or `Gateway` file that names its own namespace
/// renders into that one.
///
/// ```
/// use k3score::{Context, Target};
/// let spec = k3sgen::parse_spec("kind: Apps\nnamespace: shop\napps: [{name: web, image: nginx:1.27}]\n").unwrap();
/// let ctx = Context::new(Target::local(), "default".parse().unwrap());
/// let yaml = k3sgen::render(&spec, &ctx).unwrap().to_yaml().unwrap();
/// assert!(yaml.contains("namespace: shop"));
/// ```
pub fn render(spec: &Spec, ctx: &Context) -> Result<Bundle, Errors> {
    let own;
    let ctx = match own_namespace(spec) {
        Some(namespace) if *namespace != ctx.namespace => {
            own = Context {
                namespace: namespace.clone(),
                ..ctx.clone()
            };
            &own
        }
        _ => ctx,
    };
    match spec {
        Spec::App(app) => app.render(ctx),
        Spec::Apps(set) => set.render(ctx),
        Spec::Gateway(gateway) => gateway.render(ctx),
        Spec::Functions(project) => project.render(ctx),
        Spec::Platform(platform) => platform.render(ctx),
        Spec::Tenant(tenant) => tenant.render(ctx),
        Spec::Store(store) => store.render(ctx),
    }
}

/// The namespace an `Apps` or `Gateway` file names for itself.
fn own_namespace(spec: &Spec) -> Option<&DnsLabel> {
    match spec {
        Spec::Apps(set) => set.namespace.as_ref(),
        Spec::Gateway(gateway) => gateway.namespace.as_ref(),
        Spec::App(_) | Spec::Functions(_) | Spec::Platform(_) | Spec::Tenant(_) | Spec::Store(_) => None,
    }
}

/// The render context ([`Settings::context`](crate::Settings::context)): `target`,
/// `namespace` (a bad one is a problem at `namespace`), and `vars` as both the `${VAR}` values
/// and the local secret values.
pub(crate) fn context(target: &Target, namespace: &str, vars: &BTreeMap<String, String>) -> Result<Context, Errors> {
    let mut settings = crate::Settings::new(target.clone());
    namespace.clone_into(&mut settings.namespace);
    settings.variables.clone_from(vars);
    settings.context().map_err(|error| {
        let (path, kind) = match error {
            crate::SettingsError::Namespace { problem, .. } => (FieldPath::root().field("namespace"), problem),
            // No `.env` files here; kept whole should that change.
            other => (FieldPath::root(), k3score::ErrorKind::Invalid(other.to_string())),
        };
        Errors::from(k3score::Error::new(path, kind))
    })
}
