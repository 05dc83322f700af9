//! Spec files of every kind: recognise the kind, parse, render for a target.

use std::collections::BTreeMap;

use k3sapp::{App, AppSet};
use k3score::names::DnsLabel;
use k3score::{Bundle, Context, Errors, Target};

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

#[derive(serde::Deserialize)]
struct KindProbe {
    #[serde(default)]
    kind: Option<String>,
}

/// Reads a spec from text, dispatching on its top-level `kind`.
///
/// ```
/// let spec = k3sgen::parse_spec("kind: Tenant\nid: payments\n");
/// assert!(matches!(spec, Ok(k3sgen::Spec::Tenant(_))));
/// let err = k3sgen::parse_spec("kind: Pod\n").unwrap_err();
/// assert!(err.to_string().starts_with("kind: kind \"Pod\" is not supported"));
/// ```
pub fn parse_spec(text: &str) -> Result<Spec, Errors> {
    let probe: KindProbe = k3score::yaml::from_yaml(text)?;
    match probe.kind.as_deref() {
        Some("App") | None => Ok(Spec::App(Box::new(k3score::yaml::from_yaml(text)?))),
        Some("Apps") => Ok(Spec::Apps(k3score::yaml::from_yaml(text)?)),
        Some("Gateway") => Ok(Spec::Gateway(Box::new(k3sgateway::Gateway::from_yaml(text)?))),
        Some("Functions") => Ok(Spec::Functions(Box::new(k3score::yaml::from_yaml(text)?))),
        Some("Platform") => Ok(Spec::Platform(Box::new(k3score::yaml::from_yaml(text)?))),
        Some("Tenant") => Ok(Spec::Tenant(Box::new(k3score::yaml::from_yaml(text)?))),
        Some("Store") => Ok(Spec::Store(Box::new(k3score::yaml::from_yaml(text)?))),
        Some(other) => Err(k3score::Error::new(
            k3score::FieldPath::root().field("kind"),
            k3score::ErrorKind::Unsupported {
                feature: format!("kind {other:?}"),
                by: "this renderer".into(),
                why: "known kinds are App, Apps, Functions, Gateway, Platform, Tenant and Store".into(),
            },
        )
        .into()),
    }
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
        .map_err(|kind| Errors::from(k3score::Error::new(k3score::FieldPath::root().field("namespace"), kind)))?;
    Ok(Context::new(target.clone(), namespace)
        .with_variables(vars.clone())
        .with_secret_values(vars.clone()))
}
