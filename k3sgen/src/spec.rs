//! Spec files of every kind: recognise the kind, parse, render for a target.

use std::collections::BTreeMap;

use k3sapp::{App, AppSet};
use k3score::names::DnsLabel;
use k3score::{Bundle, Context, Errors, FieldPath, Problems, Target};

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

/// The top-level keys of a spec file, read before its kind's type.
#[derive(serde::Deserialize)]
struct KindProbe {
    #[serde(default)]
    kind: Option<String>,
    #[serde(default)]
    name: Option<serde::de::IgnoredAny>,
    #[serde(default)]
    image: Option<serde::de::IgnoredAny>,
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
    use k3score::yaml::from_yaml_checked as parse;
    if is_blank(text) {
        return Err(whole_file(format!(
            "empty file: expected a spec with a top-level kind: ({KINDS}) or a compose file"
        )));
    }
    // A list or a single value at the top: the reader says "must be a mapping".
    let not_a_mapping = |e: &k3score::Error| {
        e.path.is_root()
            && matches!(&e.kind, k3score::ErrorKind::Syntax { message, .. } if message.starts_with("must be a mapping"))
    };
    let probe: KindProbe = k3score::yaml::from_yaml(text).map_err(|errors| match errors.0.first() {
        Some(first) if not_a_mapping(first) => whole_file(format!(
            "expected a spec (key: value lines with a top-level kind: {KINDS}) or a compose file"
        )),
        _ => errors,
    })?;
    match probe.kind.as_deref() {
        None if probe.name.is_none() && probe.image.is_none() => Err(whole_file(format!(
            "not a spec file: it has no top-level kind: ({KINDS}), is not an App (no name: or \
             image:) and is not a compose file (no services:)"
        ))),
        Some("App") | None => Ok(Spec::App(Box::new(parse(text, App::validate)?))),
        Some("Apps") => Ok(Spec::Apps(parse(text, AppSet::validate)?)),
        Some("Gateway") => Ok(Spec::Gateway(Box::new(k3sgateway::Gateway::from_yaml(text)?))),
        Some("Functions") => Ok(Spec::Functions(Box::new(parse(text, k3sfn::Project::validate)?))),
        Some("Platform") => Ok(Spec::Platform(Box::new(parse(text, |p: &k3splatform::Platform| {
            at_root(|path, problems| p.validate(path, problems))
        })?))),
        Some("Tenant") => Ok(Spec::Tenant(Box::new(parse(text, |t: &k3splatform::Tenant| {
            at_root(|path, problems| t.validate(path, problems))
        })?))),
        Some("Store") => Ok(Spec::Store(Box::new(parse(text, |s: &k3splatform::Store| {
            at_root(|path, problems| s.validate(path, problems))
        })?))),
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

/// The problems a `validate(path, problems)` method records at the root.
fn at_root(validate: impl FnOnce(&FieldPath, &mut Problems)) -> Result<(), Errors> {
    let mut problems = Problems::default();
    validate(&FieldPath::root(), &mut problems);
    problems.finish(())
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

/// The render context: `target`, `namespace` (validated), and `vars` as both the `${VAR}`
/// values and the local secret values.
pub(crate) fn context(target: &Target, namespace: &str, vars: &BTreeMap<String, String>) -> Result<Context, Errors> {
    let namespace = namespace
        .parse()
        .map_err(|kind| Errors::from(k3score::Error::new(FieldPath::root().field("namespace"), kind)))?;
    Ok(Context::new(target.clone(), namespace)
        .with_variables(vars.clone())
        .with_secret_values(vars.clone()))
}
