//! A tour of the k3score API: one bundle per feature, for every preset target and, where
//! routes are involved, every ingress controller, written as one YAML file per bundle.
//!
//! ```sh
//! cargo run -p k3s-examples --example k3score_tour -- OUTDIR
//! ../shared/conformance/validate OUTDIR
//! ```
//!
//! Files are named `<feature>-<variant>-<target>.yaml`. k3score renders pod templates and
//! their companion objects; the Deployment and Service around a template are k3sapp's job,
//! so `deployment` builds the smallest ones here with k8s-openapi for the validator.

use std::path::PathBuf;

use k3score::exposure::{self, Backend, Cors, Expose, Route, RouteFeature, supports};
use k3score::identity::WorkloadIdentity;
use k3score::names::{DnsLabel, DnsSubdomain};
use k3score::network::{self, NetworkSpec, WorkloadPort};
use k3score::ports::{Port, PortRef};
use k3score::resources::{Gpu, GpuVendor};
use k3score::scaling::{Scaling, ScalingContext, ServiceRef};
use k3score::secrets::{GeneratedPassword, SecretStoreSpec, render_secret_refs};
use k3score::target::Keda;
use k3score::tenancy::NamespaceBundle;
use k3score::workload::Workload;
use k3score::{Bundle, Context, Ingress, KedaHttpApi, Object, PathRef, SecretBackend, Target, TargetBuilder, Validate};
use k8s_openapi::api::apps::v1::{Deployment, DeploymentSpec};
use k8s_openapi::api::core::v1::{Service, ServiceSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};

type Result<T = ()> = std::result::Result<T, Box<dyn std::error::Error>>;

/// Placeholder `.env` values for local targets (variables and secret values).
const LOCAL_ENV: &str = "DB_HOST=postgres\nAPI_KEY=local-api-key\norders-env.TOKEN=local-token\n\
                         postgres-password.password=local-password\nredis.password=local-redis\n\
                         redis.sentinel=local-sentinel\n";

fn main() -> Result {
    let out = PathBuf::from(std::env::args().nth(1).ok_or("usage: k3score_tour OUTDIR")?);
    std::fs::create_dir_all(&out)?;
    let mut tour = Tour { out, written: 0 };
    let staging = ("staging".to_owned(), custom_target()?);
    // Features that do not involve routes: once per target.
    for (name, target) in presets().into_iter().chain([staging.clone()]) {
        let ctx = context(target)?;
        workload(&mut tour, &name, &ctx)?;
        visibility(&mut tour, &name, &ctx)?;
        scaling(&mut tour, &name, &ctx)?;
        tenancy(&mut tour, &name, &ctx)?;
        password(&mut tour, &name, &ctx)?;
    }
    // Features with routes: once per target and ingress controller.
    for (name, target) in presets_and_ingresses().into_iter().chain([staging]) {
        let ctx = context(target)?;
        routes(&mut tour, &name, &ctx)?;
        target_app(&mut tour, &name, &ctx)?;
        keda_http(&mut tour, &name, &ctx)?;
    }
    // Target-independent features.
    secret_stores(&mut tour)?;
    identities(&mut tour)?;
    gpus(&mut tour)?;
    println!("wrote {} bundles to {}", tour.written, tour.out.display());
    Ok(())
}

/// Where the bundles go.
struct Tour {
    out: PathBuf,
    written: usize,
}

impl Tour {
    /// Writes `bundle` as `<name>.yaml` after checking no object repeats.
    fn write(&mut self, name: &str, bundle: &Bundle) -> Result {
        bundle.check_unique()?;
        std::fs::write(self.out.join(format!("{name}.yaml")), bundle.to_yaml()?)?;
        self.written += 1;
        Ok(())
    }
}

/// The three presets: k3d on a laptop, a shared dev cluster, a GKE-like production cluster.
fn presets() -> Vec<(String, Target)> {
    Target::PRESETS
        .into_iter()
        .map(|name| (name.to_owned(), Target::preset(name).expect("a preset")))
        .collect()
}

/// A custom target from `TargetBuilder` (unset fields take the `local` preset's values):
/// Gateway API, External Secrets from a Vault store, KEDA in `autoscaling` with the legacy
/// HTTP add-on API, TLS from an issuer.
fn custom_target() -> Result<Target> {
    let keda = Keda {
        namespace: "autoscaling".parse()?,
        http_api: KedaHttpApi::HttpScaledObject,
    };
    let secrets = SecretBackend::ExternalSecrets {
        store: "vault-secrets".parse()?,
        refresh_interval: "15m".into(),
    };
    Ok(TargetBuilder::default()
        .name("staging".parse::<DnsLabel>()?)
        .ingress(Ingress::gateway_api("shared", "infra")?)
        .ingress_namespace("infra".parse::<DnsLabel>()?)
        .secrets(secrets)
        .base_domain("staging.acme.io".parse::<DnsSubdomain>()?)
        .tls_issuer(Some("letsencrypt".to_owned()))
        .storage_class(Some("fast-ssd".to_owned()))
        .keda(keda)
        .build()?)
}

/// Every preset with every ingress controller: `local` (its own, Traefik), `local-haproxy`,
/// `local-gateway-api` ... `Target::with_ingress` swaps the controller and its namespace.
fn presets_and_ingresses() -> Vec<(String, Target)> {
    let controllers = [
        ("traefik", Ingress::traefik(), "traefik"),
        ("haproxy", Ingress::haproxy(), "haproxy-controller"),
        (
            "gateway-api",
            Ingress::gateway_api("shared", "infra").expect("valid names"),
            "infra",
        ),
    ];
    let mut targets = Vec::new();
    for (preset, target) in presets() {
        for (suffix, ingress, namespace) in &controllers {
            if *ingress == target.ingress {
                targets.push((preset.clone(), target.clone()));
            } else {
                let other = target
                    .clone()
                    .with_ingress(ingress.clone(), namespace.parse().expect("a label"));
                targets.push((format!("{preset}-{suffix}"), other));
            }
        }
    }
    targets
}

/// The render context: target, namespace, and (read from `.env` text) variables and local
/// secret values. Nothing comes from the process environment.
fn context(target: Target) -> Result<Context> {
    let env = k3score::dotenv::parse(LOCAL_ENV)?;
    Ok(Context::new(target, "shop".parse()?)
        .with_variables(env.clone())
        .with_secret_values(env))
}

/// A Deployment and a Service around `w`'s pod template, plus what `Workload::render` returns
/// (ServiceAccount, PVCs) and one Secret or ExternalSecret per secret that the workload or its
/// scaling objects read: references are collected first and rendered once, so a shared secret
/// appears once. No `replicas` when `scaling` owns them (`Scaling::sets_replicas`).
fn deployment(w: &Workload, scaling: &Scaling, ctx: &Context) -> Result<Bundle> {
    let rendered = w.render(ctx)?;
    let mut refs = w.secret_refs();
    refs.extend(scaling.secret_refs(k3score::PathRef::ROOT.field("scaling")));
    let secrets = render_secret_refs(&refs, &w.labels.labels(), ctx)?;
    let mut bundle: Bundle = rendered.objects.into_iter().chain(secrets).collect();
    let meta = ObjectMeta {
        name: Some(w.name.to_string()),
        namespace: ctx.ns(),
        labels: Some(w.labels.labels()),
        ..Default::default()
    };
    let selector = LabelSelector {
        match_labels: Some(w.labels.selector()),
        ..Default::default()
    };
    let spec = DeploymentSpec {
        replicas: scaling.sets_replicas().then_some(2),
        selector,
        template: rendered.pod_template,
        ..Default::default()
    };
    bundle.push(Deployment {
        metadata: meta.clone(),
        spec,
        ..Default::default()
    });
    if !w.ports.is_empty() {
        let ports = w.ports.iter().map(Port::to_service_port).collect();
        let spec = ServiceSpec {
            selector: Some(w.labels.selector()),
            ports: Some(ports),
            ..Default::default()
        };
        bundle.push(Service {
            metadata: meta,
            spec: Some(spec),
            ..Default::default()
        });
    }
    Ok(bundle)
}

/// `name` with one `http` port on 8080.
fn web(name: &str) -> Result<Workload> {
    let mut w = Workload::new(name.parse()?, "ghcr.io/acme/orders:1.4.2");
    w.ports.push(Port::tcp("http".parse()?, 8080));
    Ok(w)
}

/// Workload: the pod template with every block, read the way spec files write them. The
/// output passes Pod Security `restricted`; secrets become Secrets or ExternalSecrets.
fn workload(tour: &mut Tour, target: &str, ctx: &Context) -> Result {
    let mut w = web("orders")?;
    w.ports.push(Port::tcp("metrics".parse()?, 9090));
    w.env = k3score::yaml::from_yaml(
        "{LOG_LEVEL: info, DATABASE_URL: 'postgres://${DB_HOST}:5432/orders', API_KEY: {secret: orders-api-key}, \
         SETTINGS: {config_map: orders-settings, key: settings.json}, POD_NAME: {field: metadata.name}}",
    )?;
    w.env_from = k3score::yaml::from_yaml("[{secret: orders-env}, {config_map: orders-config}]")?;
    w.volumes = k3score::yaml::from_yaml(
        "[{name: cache, mount_path: /cache, empty_dir: {size: 1Gi, medium: memory}}, \
          {name: data, mount_path: /data, pvc: {size: 10Gi}}, \
          {name: tls, mount_path: /tls, secret: {name: orders-tls}, read_only: true}, \
          {name: conf, mount_path: /etc/orders, config_map: {name: orders-conf}}]",
    )?;
    w.probes = k3score::yaml::from_yaml(
        "{startup: {tcp: http}, readiness: {http: /ready, port: http}, liveness: {grpc: 9090}}",
    )?;
    w.resources =
        k3score::yaml::from_yaml("{cpu: 250m, memory: 256Mi, limits: {memory: 512Mi}, ephemeral_storage: 1Gi}")?;
    w.security = k3score::yaml::from_yaml("{run_as_user: 10001, fs_group: 10001, writable_paths: [/tmp, /var/cache]}")?;
    tour.write(
        &format!("workload-full-{target}"),
        &deployment(&w, &Scaling::None, ctx)?,
    )
}

/// Visibility: who may connect (`public`, `internal`, `private`, `restricted` + `allow_from`),
/// where the workload may connect (`allow_to`, DNS always), and the `egress: open` opt-out.
fn visibility(tour: &mut Tour, target: &str, ctx: &Context) -> Result {
    let specs = [
        ("public", "{visibility: public}"),
        ("internal", "{visibility: internal}"),
        ("private", "{visibility: private}"),
        (
            "restricted",
            "{visibility: restricted, allow_from: [{namespace: monitoring, app: prometheus, port: 9090}, \
             {cidr: 10.0.0.0/8, except: [10.1.0.0/16]}], allow_to: [{namespace: payments, port: 443}, {app: postgres, port: 5432}]}",
        ),
        ("egress-open", "{visibility: internal, egress: open}"),
    ];
    let ports = [WorkloadPort::named("http".parse()?), WorkloadPort::tcp(9090)];
    for (variant, yaml) in specs {
        let spec: NetworkSpec = k3score::yaml::from_yaml(yaml)?;
        // Renderers that take a validated spec do not validate again.
        spec.check()?;
        let w = web("orders")?;
        // The route reaches `http`; port 9090 stays closed to the ingress controller.
        let policies = network::render(&spec, &w.labels, &ports, &ports[..1], ctx);
        tour.write(
            &format!("visibility-{variant}-{target}"),
            &policies.into_iter().map(Object::from).collect(),
        )?;
    }
    Ok(())
}

/// Scaling: `none`, an HPA, KEDA on a Redis Sentinel list (with a TriggerAuthentication for
/// the passwords) and KEDA cron windows. Never an HPA and a ScaledObject together.
fn scaling(tour: &mut Tour, target: &str, ctx: &Context) -> Result {
    let specs = [
        ("none", "none"),
        (
            "hpa",
            "hpa: {min: 2, max: 10, cpu: 70, behavior: {scale_down: {stabilization_window: 600}}}",
        ),
        (
            "keda-queue",
            "keda_queue: {max: 8, addresses: ['redis-sentinel.data:26379'], master: mymaster, list: emails, \
             password: {secret: redis, key: password}, sentinel_password: {secret: redis, key: sentinel}}",
        ),
        (
            "keda-cron",
            "keda_cron: {timezone: Europe/Paris, min: 1, windows: [{start: '0 8 * * 1-5', end: '0 20 * * 1-5', replicas: 6}]}",
        ),
    ];
    for (variant, yaml) in specs {
        let scaling: Scaling = k3score::yaml::from_yaml(yaml)?;
        scaling.problems_at(PathRef::ROOT.field("scaling")).finish(())?;
        let mut w = web("worker")?;
        w.resources = k3score::yaml::from_yaml("{cpu: 100m, memory: 128Mi}")?;
        let mut bundle = deployment(&w, &scaling, ctx)?;
        for object in scaling.render(&ScalingContext::new(w.labels.clone(), ctx))? {
            bundle.push(object);
        }
        tour.write(&format!("scaling-{variant}-{target}"), &bundle)?;
    }
    Ok(())
}

/// KEDA HTTP (scale to zero on traffic) with both add-on APIs: `InterceptorRoute` + our own
/// ScaledObject, or the legacy `HTTPScaledObject`. The route targets the interceptor in KEDA's
/// namespace, and a policy admits the interceptor to the workload.
fn keda_http(tour: &mut Tour, target: &str, ctx: &Context) -> Result {
    for api in [KedaHttpApi::InterceptorRoute, KedaHttpApi::HttpScaledObject] {
        let mut ctx = ctx.clone();
        ctx.target.keda.http_api = api;
        let scaling: Scaling = k3score::yaml::from_yaml("keda_http: {max: 5, concurrency: 20}")?;
        let w = web("hello")?;
        let route = Route::new(
            w.name.clone(),
            w.name.clone().into(),
            Backend::keda_interceptor(&ctx.target),
        )
        .with_labels(w.labels.clone());
        let sctx = ScalingContext::new(w.labels.clone(), &ctx)
            .with_service(ServiceRef {
                name: "hello".into(),
                port: PortRef::Number(8080),
            })
            .with_hosts(vec![route.host.resolve(&ctx.target)]);
        let mut bundle = deployment(&w, &scaling, &ctx)?;
        let keda = &ctx.target.keda.namespace;
        bundle.push(network::allow_from_namespace(
            &w.labels,
            keda,
            &[WorkloadPort::tcp(8080)],
            &ctx,
        ));
        for object in scaling
            .render(&sctx)?
            .into_iter()
            .chain(exposure::render_routes(&[route], &ctx)?)
        {
            bundle.push(object);
        }
        let variant = match api {
            KedaHttpApi::InterceptorRoute => "interceptor-route",
            KedaHttpApi::HttpScaledObject => "http-scaled-object",
        };
        tour.write(&format!("scaling-keda-http-{variant}-{target}"), &bundle)?;
    }
    Ok(())
}

/// Routes: one `Route` model rendered by the target's controller (Traefik IngressRoute +
/// Middlewares, HAProxy Ingress + annotations, Gateway API HTTPRoute). Features a controller
/// cannot express are errors, so the full route drops them as `supports` says.
fn routes(tour: &mut Tour, target: &str, ctx: &Context) -> Result {
    let plain = Route {
        strip_prefix: true,
        ..Route::new(
            "orders".parse()?,
            "orders".parse()?,
            Backend::new("orders".parse()?, PortRef::Number(8080)),
        )
        .with_paths(["/api"])
    };
    let mut full = Route {
        name: "shop".parse()?,
        strip_prefix: false,
        rewrite_to: Some("/v2".into()),
        timeout: Some(exposure::Duration::from_secs(30)),
        cors: Some(Cors::new(vec!["https://shop.example.com".parse()?])),
        rate_limit: Some(exposure::RateLimit::per_second(50)),
        allow_list: vec!["10.0.0.0/8".parse()?],
        ..plain.clone()
    };
    let ingress = &ctx.target.ingress;
    if !supports(RouteFeature::RateLimit, ingress).is_supported() {
        full.rate_limit = None;
    }
    if !supports(RouteFeature::AllowList, ingress).is_supported() {
        full.allow_list.clear();
    }
    let objects = exposure::render_routes(&[plain, full], ctx)?;
    tour.write(&format!("routes-{target}"), &objects.into_iter().collect())
}

/// Targets: one app (a secret env ref, a created volume, an `expose` block) renders a Secret
/// from `.env` values or an ExternalSecret, the target's storage class, and a route with TLS
/// where the target has an issuer.
fn target_app(tour: &mut Tour, target: &str, ctx: &Context) -> Result {
    let mut w = web("orders")?;
    w.env = k3score::yaml::from_yaml("{API_KEY: {secret: orders-api-key}, LOG_LEVEL: info}")?;
    w.volumes = k3score::yaml::from_yaml("[{name: data, mount_path: /data, pvc: {size: 10Gi}}]")?;
    let mut bundle = deployment(&w, &Scaling::None, ctx)?;
    let expose: Expose = k3score::yaml::from_yaml("{paths: [/api]}")?;
    let route = expose.to_route(w.name.clone(), "orders".parse()?, PortRef::Number(8080));
    for object in exposure::render_routes(&[route.with_labels(w.labels.clone())], ctx)? {
        bundle.push(object);
    }
    tour.write(&format!("target-app-{target}"), &bundle)
}

/// Tenancy: a Namespace with Pod Security labels, quota, container defaults, default-deny
/// networking (+ DNS, + the ingress controller) and a least-privilege provisioner Role.
fn tenancy(tour: &mut Tour, target: &str, ctx: &Context) -> Result {
    let spec: NamespaceBundle = k3score::yaml::from_yaml(
        "{name: team-a, quota: {cpu: 4, memory: 8Gi, pods: 50}, \
          limits: {default_request_cpu: 100m, default_request_memory: 128Mi, default_limit_memory: 512Mi}, \
          provisioner: {service_account: deployer, namespace: ci}, allow_ingress_controller: true}",
    )?;
    tour.write(
        &format!("tenancy-team-{target}"),
        &spec.render(ctx)?.into_iter().collect(),
    )
}

/// Secrets: a generated password (ESO `Password` generator + a create-once ExternalSecret; a
/// Secret from the `.env` values on local targets).
fn password(tour: &mut Tour, target: &str, ctx: &Context) -> Result {
    let labels = web("postgres")?.labels.labels();
    let objects = GeneratedPassword::default().render(&"postgres-password".parse()?, &labels, ctx)?;
    tour.write(&format!("secrets-password-{target}"), &objects.into_iter().collect())
}

/// Secrets: ClusterSecretStores for GCP Secret Manager, AWS Secrets Manager, Azure Key Vault
/// and Vault, each authenticating with a workload identity (target-independent).
fn secret_stores(tour: &mut Tour) -> Result {
    let sa = "service_account: {name: external-secrets, namespace: external-secrets}";
    let specs = [
        ("gcp", format!("gcp: {{project_id: acme-prod, {sa}}}")),
        ("aws", format!("aws: {{region: eu-west-1, {sa}}}")),
        (
            "azure",
            format!("azure: {{vault_url: 'https://acme.vault.azure.net', {sa}}}"),
        ),
        (
            "vault",
            format!("vault: {{server: 'https://vault.acme.io:8200', path: secret, role: eso, {sa}}}"),
        ),
    ];
    for (provider, yaml) in specs {
        let spec: SecretStoreSpec = k3score::yaml::from_yaml(&yaml)?;
        // Renderers that take a validated spec do not validate again.
        spec.check()?;
        let mut bundle = Bundle::new();
        bundle.push(spec.render(&format!("{provider}-secrets").parse()?));
        tour.write(&format!("secrets-store-{provider}"), &bundle)?;
    }
    Ok(())
}

/// Identity: the workload's own ServiceAccount, annotated for GKE Workload Identity, EKS IRSA
/// or AKS workload identity (whose `use` label goes on the pod template).
fn identities(tour: &mut Tour) -> Result {
    let ctx = context(Target::gcp())?;
    let identities = [
        (
            "gcp",
            WorkloadIdentity::Gcp("orders@acme-prod.iam.gserviceaccount.com".into()),
        ),
        (
            "aws",
            WorkloadIdentity::Aws("arn:aws:iam::123456789012:role/orders".into()),
        ),
        (
            "azure",
            WorkloadIdentity::Azure {
                client_id: "11111111-2222-3333-4444-555555555555".into(),
                tenant_id: None,
            },
        ),
    ];
    for (cloud, identity) in identities {
        let mut w = web("orders")?;
        w.service_account.workload_identity = Some(identity);
        tour.write(&format!("identity-{cloud}"), &deployment(&w, &Scaling::None, &ctx)?)?;
    }
    Ok(())
}

/// Resources: GPUs in `limits` under the vendor's resource name; NVIDIA adds the GPU-node
/// toleration and, with a product, the GKE accelerator node selector.
fn gpus(tour: &mut Tour) -> Result {
    let ctx = context(Target::gcp())?;
    let nvidia = Gpu {
        product: Some("nvidia-l4".into()),
        ..Gpu::new(1, GpuVendor::Nvidia)
    };
    for (vendor, gpu) in [
        ("nvidia", nvidia),
        ("amd", Gpu::new(1, GpuVendor::Amd)),
        ("intel", Gpu::new(1, GpuVendor::Intel)),
    ] {
        let mut w = web("inference")?;
        w.resources = k3score::yaml::from_yaml("{cpu: 2, memory: 8Gi}")?;
        w.resources.gpu = Some(gpu);
        tour.write(
            &format!("resources-gpu-{vendor}"),
            &deployment(&w, &Scaling::None, &ctx)?,
        )?;
    }
    Ok(())
}
