//! Rendering an [`App`] for a target: controller, Service, autoscaling, PDB, network
//! policies, routes, secrets and volumes, all through k3score's mechanisms.

use k3score::exposure::{self, Backend, Route};
use k3score::ports::{PortRef as RoutePort, Protocol};
use std::collections::{BTreeMap, BTreeSet};

use k3score::labels::{AppLabels, MANAGED_BY, MANAGER};
use k3score::names::{Dns1035Label, DnsLabel, bounded};
use k3score::network::{self, NetworkSpec, Visibility, WorkloadPort};
use k3score::par::map_in_order;
use k3score::patch::OptOuts;
use k3score::scaling::{Scaling, ScalingContext, ServiceRef, TargetKind};
use k3score::secrets::{self, SecretRef};
use k3score::workload::{Controller, EnvValue, ServiceSettings, Workload, WorkloadKind, substitute};
use k3score::{Bundle, Context, Errors, FieldPath, Object, PathRef, Problems};
use k8s_openapi::api::core::v1::{Service, ServiceSpec};
use k8s_openapi::api::policy::v1::{PodDisruptionBudget, PodDisruptionBudgetSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};

use crate::pdb::Pdb;
use crate::spec::{App, AppSet};

impl App {
    /// The recommended labels of the app (version from the image tag).
    #[must_use]
    pub fn labels(&self) -> AppLabels {
        self.with_part_of(AppLabels::for_image(self.name.clone(), &self.image))
    }

    /// `labels` with the app's `part_of`, if it has one.
    fn with_part_of(&self, labels: AppLabels) -> AppLabels {
        match &self.part_of {
            Some(part_of) => labels.with_part_of(part_of.clone()),
            None => labels,
        }
    }

    /// The shared pod-template input for this app.
    #[must_use]
    pub fn workload_spec(&self) -> Workload {
        // The workload's own labels are the app's but for `part_of` (built once, not twice).
        let base = Workload::new(self.name.clone(), self.image.clone());
        Workload {
            labels: self.with_part_of(base.labels),
            command: self.command.clone(),
            args: self.args.clone(),
            working_dir: self.working_dir.clone(),
            ports: self.ports.clone(),
            env: self.env.clone(),
            env_from: self.env_from.clone(),
            volumes: self.volumes.clone(),
            probes: self.probes.clone(),
            resources: self.resources.clone(),
            security: self.security_context.clone(),
            service_account: self.service_account.clone(),
            termination_grace_period: self.termination_grace_period,
            init_containers: self.init_containers.clone(),
            metadata: self.metadata.clone(),
            pod: self.pod.clone(),
            image_pull_secrets: self.image_pull_secrets.clone(),
            image_pull_policy: self.image_pull_policy,
            placement: self.placement.clone(),
            sidecars: self.sidecars.clone(),
            lifecycle: self.lifecycle.clone(),
            config_files: self.config_files.clone(),
            restart_policy: self.controller().restart_policy(),
            ..base
        }
    }

    /// The controller input: kind, replicas (when no autoscaler owns them), rollout and Job
    /// settings.
    #[must_use]
    pub fn controller(&self) -> Controller {
        Controller {
            kind: self.workload,
            replicas: (self.workload.has_replicas() && self.scaling.sets_replicas())
                .then(|| self.replicas.unwrap_or(1)),
            strategy: self.strategy.clone(),
            min_ready: self.min_ready,
            revision_history: self.revision_history,
            job: self.job.clone(),
            cron_job: self.cron_job.clone(),
        }
    }

    /// Whether the app gets a Service: it or one of its sidecars has ports (a StatefulSet
    /// always, for its identity), and it is not a Job or CronJob.
    #[must_use]
    pub fn has_service(&self) -> bool {
        let ports = !self.ports.is_empty() || self.sidecars.iter().any(|s| !s.ports.is_empty());
        !self.workload.runs_to_completion() && (ports || self.workload == WorkloadKind::Stateful)
    }

    /// The network block in effect: the spec's, or `internal` (`public` with routes).
    #[must_use]
    pub fn network(&self) -> NetworkSpec {
        self.security.clone().unwrap_or_else(|| NetworkSpec {
            visibility: if self.expose.is_empty() {
                Visibility::Internal
            } else {
                Visibility::Public
            },
            ..NetworkSpec::default()
        })
    }

    /// The routes of `expose`, named `<app>` (then `<app>-2`, `<app>-3` ...), pointing at the
    /// app's Service, or at the KEDA HTTP interceptor when the app scales with `keda_http`.
    #[must_use]
    pub fn routes(&self, ctx: &Context) -> Vec<Route> {
        self.expose
            .iter()
            .enumerate()
            .map(|(i, _)| {
                let mut route = self.route(i, &self.expose[i]);
                if matches!(self.scaling, Scaling::KedaHttp(_)) {
                    route.backend = Backend::keda_interceptor(&ctx.target);
                }
                route.with_labels(self.labels())
            })
            .collect()
    }

    pub(crate) fn route(&self, i: usize, expose: &exposure::Expose) -> Route {
        let name = if i == 0 {
            self.name.clone()
        } else {
            DnsLabel::new(bounded(self.name.as_str(), &format!("-{}", i + 1), 63)).unwrap_or_else(|_| self.name.clone())
        };
        // Service ports are the container ports, so routes use numbers: every controller
        // accepts them (Gateway API backendRefs need one, REFERENCE §9).
        let default_port = self
            .ports
            .first()
            .map_or(RoutePort::Number(80), |p| RoutePort::Number(p.port));
        let mut route = expose.to_route(name, self.service_name(), default_port);
        if let RoutePort::Name(port_name) = &route.backend.port
            && let Some(port) = self.ports.iter().find(|p| p.name.as_str() == port_name.as_str())
        {
            route.backend.port = RoutePort::Number(port.port);
        }
        route
    }

    fn service_name(&self) -> Dns1035Label {
        // Validation rejects names that are not DNS-1035; fall back to an `a-` prefix otherwise.
        Dns1035Label::new(self.name.as_str())
            .or_else(|_| Dns1035Label::new(bounded("a-", self.name.as_str(), 63)))
            .unwrap_or_else(|_| Dns1035Label::new("app").expect("static name"))
    }

    fn metadata(name: &str, ctx: &Context, labels: &BTreeMap<String, String>) -> ObjectMeta {
        ObjectMeta {
            name: Some(name.to_owned()),
            namespace: ctx.ns(),
            labels: Some(labels.clone()),
            ..Default::default()
        }
    }

    /// Validates the app and renders every object it needs on `ctx.target`.
    ///
    /// ```
    /// use k3score::{Context, Target};
    /// use k8s_openapi::api::apps::v1::Deployment;
    /// let app: k3sapp::App = k3score::yaml::from_yaml(
    ///     "name: web\nimage: nginx:1.27\nports: [{name: http, port: 8080}]\nscaling: {hpa: {max: 5, cpu: 70}}\nresources: {cpu: 100m}\n").unwrap();
    /// let bundle = app.render(&Context::new(Target::local(), "shop".parse().unwrap())).unwrap();
    /// assert!(bundle.get::<Deployment>("web").is_some());
    /// assert!(bundle.iter().any(|o| o.kind() == "HorizontalPodAutoscaler"));
    /// ```
    pub fn render(&self, ctx: &Context) -> Result<Bundle, Errors> {
        let workload = self.workload_spec();
        let mut invalid = Problems::default();
        self.validate_with(&workload, PathRef::ROOT, &mut invalid);
        if let Err(mut errors) = invalid.finish(()) {
            // Also report what only the render inputs reveal, so one run shows everything.
            errors.0.extend(self.check_render_inputs(ctx).0);
            return Err(errors);
        }
        let mut problems = Problems::default();
        let mut objects = self.render_objects(&workload, ctx, &mut problems);
        let refs = self.secret_refs_of(&workload);
        let secrets = secrets::render_secret_refs(&refs, &workload.labels.labels(), ctx);
        objects.extend(problems.take(secrets).unwrap_or_default());
        let bundle: Bundle = problems.finish(objects)?.into_iter().collect();
        bundle.check_unique()?;
        Ok(bundle)
    }

    /// Problems with the render inputs rather than the spec: `${VAR}`s missing from the
    /// variables and local secret values missing from the context.
    fn check_render_inputs(&self, ctx: &Context) -> Errors {
        let mut problems = Problems::default();
        for (name, value) in &self.env {
            if let EnvValue::Literal(text) = value {
                let env = PathRef::ROOT.field("env");
                let _ = substitute(text, &ctx.variables, env.field(name.as_str()), &mut problems);
            }
        }
        let _ = problems.take(secrets::render_secret_refs(
            &self.secret_refs(),
            &self.labels().labels(),
            ctx,
        ));
        problems.finish(()).err().unwrap_or_default()
    }

    /// The secrets the app reads (env, env_from, KEDA queue passwords), with their paths.
    #[must_use]
    pub fn secret_refs(&self) -> Vec<SecretRef> {
        self.secret_refs_of(&self.workload_spec())
    }

    /// The secret references of the app at `path` in a set, with their paths under it.
    pub(crate) fn nested_secret_refs(&self, workload: &Workload, path: PathRef<'_>) -> Vec<SecretRef> {
        let refs = self.secret_refs_of(workload);
        if refs.is_empty() {
            return refs;
        }
        let prefix = path.to_path();
        refs.into_iter()
            .map(|r| {
                let nested = r.path.under(&prefix);
                r.at(nested)
            })
            .collect()
    }

    /// [`App::secret_refs`] with the workload input already built.
    pub(crate) fn secret_refs_of(&self, workload: &Workload) -> Vec<SecretRef> {
        let mut refs = workload.secret_refs();
        refs.extend(self.scaling.secret_refs(PathRef::ROOT.field("scaling")));
        refs
    }

    /// Every object but the Secrets / ExternalSecrets (rendered once per namespace).
    pub(crate) fn render_objects(&self, workload: &Workload, ctx: &Context, problems: &mut Problems) -> Vec<Object> {
        let stateful = self.workload == WorkloadKind::Stateful;
        // Callers validated `workload` together with the rest of the app.
        let rendered = workload.render_validated(ctx, stateful);
        let Some(rendered) = problems.take(rendered) else {
            return Vec::new();
        };
        let name = self.name.as_str();
        let labels = &workload.labels;
        let label_map = labels.labels();
        let selector_map = labels.selector();
        let mut objects = rendered.objects;

        let selector = LabelSelector {
            match_labels: Some(selector_map.clone()),
            ..Default::default()
        };
        objects.push(self.controller().render(
            workload.object_meta(name, ctx.ns(), label_map.clone()),
            selector,
            rendered.pod_template,
            rendered.volume_claim_templates,
        ));
        if self.has_service() {
            objects.push(self.service(workload, ctx, stateful, &label_map, &selector_map).into());
        }
        let routes = self.routes(ctx);
        objects.extend(
            problems
                .take(self.scaling.render(&self.scaling_context(labels, ctx, &routes)))
                .unwrap_or_default(),
        );
        if let Some(monitoring) = self.monitoring.as_ref().filter(|_| self.has_service()) {
            objects.push(monitoring.service_monitor(labels, ctx).into());
        }
        if let Some(pdb) = self.pdb_object(ctx, &label_map, &selector_map) {
            objects.push(pdb.into());
        }
        objects.extend(
            self.network_policies(workload, ctx, &routes)
                .into_iter()
                .map(Object::from),
        );
        let rendered_routes =
            exposure::render_routes(&routes, ctx).map_err(|e| e.under(&FieldPath::root().field("expose")));
        objects.extend(problems.take(rendered_routes).unwrap_or_default());
        let opt_outs = OptOuts::from(&self.security_context);
        k3score::patch::apply_to(
            &mut objects,
            &self.objects,
            &self.patches,
            ctx,
            &opt_outs,
            PathRef::ROOT,
            problems,
        );
        objects
    }

    fn service(
        &self,
        workload: &Workload,
        ctx: &Context,
        headless: bool,
        labels: &BTreeMap<String, String>,
        selector: &BTreeMap<String, String>,
    ) -> Service {
        let mut metadata = Self::metadata(self.service_name().as_str(), ctx, labels);
        let mut spec = ServiceSpec {
            selector: Some(selector.clone()),
            ports: Some(workload.pod_ports().map(|p| p.to_service_port()).collect()),
            cluster_ip: headless.then(|| "None".to_owned()),
            publish_not_ready_addresses: None,
            ..Default::default()
        };
        if let Some(settings) = &self.service {
            metadata.annotations = settings.metadata_annotations();
            settings.apply(&mut spec);
        }
        Service {
            metadata,
            spec: Some(spec),
            ..Default::default()
        }
    }

    fn scaling_context<'a>(&self, labels: &AppLabels, ctx: &'a Context, routes: &[Route]) -> ScalingContext<'a> {
        let mut sctx =
            ScalingContext::new(labels.clone(), ctx).with_target_kind(if self.workload == WorkloadKind::Stateful {
                TargetKind::StatefulSet
            } else {
                TargetKind::Deployment
            });
        if let Some(port) = self.ports.first() {
            sctx = sctx.with_service(ServiceRef {
                name: self.service_name().to_string(),
                port: RoutePort::Number(port.port),
            });
        }
        let hosts = routes.iter().map(|r| r.host.resolve(&ctx.target)).collect();
        // The interceptor sees the request after strip_prefix / rewrite_to.
        let mut paths: Vec<String> = routes.iter().flat_map(Route::backend_paths).collect();
        paths.sort();
        paths.dedup();
        sctx.with_hosts(hosts).with_paths(paths)
    }

    /// The fewest replicas that run: the fixed count or the autoscaler's minimum.
    #[must_use]
    pub fn min_replicas(&self) -> i32 {
        match &self.scaling {
            Scaling::None => self.replicas.unwrap_or(1),
            Scaling::Hpa(hpa) => hpa.min,
            Scaling::KedaHttp(s) => s.min,
            Scaling::KedaQueue(s) => s.min,
            Scaling::KedaCron(s) => s.min,
        }
    }

    /// The PDB in effect: the spec's, or [`Pdb::DEFAULT`] when at least two replicas run.
    fn pdb_object(
        &self,
        ctx: &Context,
        labels: &BTreeMap<String, String>,
        selector: &BTreeMap<String, String>,
    ) -> Option<PodDisruptionBudget> {
        let min_replicas = self.min_replicas();
        let pdb = match &self.pdb {
            Some(pdb) if pdb.disabled => return None,
            Some(pdb) => pdb.clone(),
            None if min_replicas >= 2 => Pdb::DEFAULT,
            None => return None,
        };
        Some(PodDisruptionBudget {
            metadata: Self::metadata(&bounded(self.name.as_str(), "", 63), ctx, labels),
            spec: Some(PodDisruptionBudgetSpec {
                selector: Some(LabelSelector {
                    match_labels: Some(selector.clone()),
                    ..Default::default()
                }),
                min_available: pdb.min_available.map(|v| v.to_k8s()),
                max_unavailable: pdb.max_unavailable.map(|v| v.to_k8s()),
                ..Default::default()
            }),
            ..Default::default()
        })
    }

    /// The app's NetworkPolicies: `public` opens only the ports its routes reach to the
    /// ingress controller; with `keda_http` the routes go to the interceptor, which alone
    /// reaches the app, on the Service port its HTTPScaledObject names (the first port).
    fn network_policies(
        &self,
        workload: &Workload,
        ctx: &Context,
        routes: &[Route],
    ) -> Vec<k8s_openapi::api::networking::v1::NetworkPolicy> {
        let workload_port = |p: &k3score::ports::Port| match p.protocol {
            Protocol::Udp => WorkloadPort::udp(p.port),
            Protocol::Tcp | Protocol::Sctp => WorkloadPort::tcp(p.port),
        };
        let labels = &workload.labels;
        let ports: Vec<WorkloadPort> = workload.pod_ports().map(workload_port).collect();
        // Service ports are the container ports (see `route`), so a route's port number is
        // the container port the controller connects to.
        let service = self.service_name();
        let mut routed: Vec<WorkloadPort> = Vec::new();
        for route in routes
            .iter()
            .filter(|r| r.backend.service == service && r.backend.namespace.is_none())
        {
            let port = self.ports.iter().find(|p| match &route.backend.port {
                RoutePort::Number(n) => p.port == *n,
                RoutePort::Name(name) => p.name.as_str() == name.as_str(),
            });
            if let Some(port) = port.map(workload_port)
                && !routed.contains(&port)
            {
                routed.push(port);
            }
        }
        let mut policies = network::render(&self.network(), labels, &ports, &routed, ctx);
        if let Some(monitoring) = self.monitoring.as_ref().filter(|_| self.has_service()) {
            policies.push(monitoring.network_policy(labels, &self.ports, ctx));
        }
        if self.has_service() && self.service.as_ref().is_some_and(ServiceSettings::is_external) {
            // Load balancer and node port traffic arrives through the nodes from anywhere.
            policies.push(network::allow_from_anywhere(labels, &ports, ctx));
        }
        if matches!(self.scaling, Scaling::KedaHttp(_)) {
            // The KEDA HTTP interceptor forwards every request (REFERENCE §2c).
            policies.push(network::allow_from_namespace(
                labels,
                &ctx.target.keda.namespace,
                &ports[..ports.len().min(1)],
                ctx,
            ));
        }
        policies
    }
}

impl AppSet {
    /// Validates every app, then renders them all into one bundle; objects that collide
    /// across apps (same kind, namespace and name) are reported. The apps are validated and
    /// rendered on [`Context::jobs`] threads; the bundle and the errors are the same for any
    /// thread count.
    pub fn render(&self, ctx: &Context) -> Result<Bundle, Errors> {
        let mut objects = Vec::new();
        let mut refs = Vec::new();
        let mut invalid = Problems::default();
        let mut problems = Problems::default();
        let mut names = BTreeSet::new();
        // One pass: each app's workload input is built once, validated, and rendered only if
        // the app is valid; render-time problems of valid apps are reported with the
        // validation errors of the others. Names are checked in order on this thread: an app
        // whose name was taken is invalid, and what a worker rendered for it is dropped.
        let apps = PathRef::ROOT.field("apps");
        let one = |i: usize| {
            let (app, path) = (&self.apps[i], apps.index(i));
            let (workload, app_invalid) = self.validated(i);
            let mut app_problems = Problems::default();
            if !app_invalid.is_empty() {
                return (app_invalid, Vec::new(), app_problems, Vec::new());
            }
            let rendered = app.render_objects(&workload, ctx, &mut app_problems);
            (
                app_invalid,
                rendered,
                app_problems,
                app.nested_secret_refs(&workload, path),
            )
        };
        let mut i = 0;
        map_in_order(
            ctx.jobs,
            self.apps.len(),
            one,
            |(mut app_invalid, rendered, app_problems, app_refs)| {
                let path = apps.index(i);
                Self::check_name(&self.apps[i], &mut names, path, &mut app_invalid);
                i += 1;
                if let Err(errors) = app_invalid.finish(()) {
                    invalid.extend(errors);
                    return;
                }
                objects.extend(rendered);
                if let Err(errors) = app_problems.finish(()) {
                    problems.extend(errors.under(&path.to_path()));
                }
                refs.extend(app_refs);
            },
        );
        if let Err(errors) = invalid.finish(()) {
            problems.extend(errors);
        }
        objects.extend(problems.take(Self::shared_secrets(&refs, ctx)).unwrap_or_default());
        if problems.is_empty() {
            let no_opt_outs = OptOuts::default();
            k3score::patch::apply_to(
                &mut objects,
                &self.objects,
                &self.patches,
                ctx,
                &no_opt_outs,
                PathRef::ROOT,
                &mut problems,
            );
        }
        let bundle: Bundle = problems.finish(objects)?.into_iter().collect();
        bundle.check_unique()?;
        Ok(bundle)
    }

    /// App `i`'s workload input, built once, and the problems of validating the app with it
    /// at `apps[i]`; whether its name is new is for the caller to check, in order
    /// ([`AppSet::check_name`]). Runs on a worker thread in [`AppSet::render`] and
    /// [`AppSet::render_each`].
    pub(crate) fn validated(&self, i: usize) -> (Workload, Problems) {
        let app = &self.apps[i];
        let workload = app.workload_spec();
        let mut problems = Problems::default();
        app.validate_with(&workload, PathRef::ROOT.field("apps").index(i), &mut problems);
        (workload, problems)
    }

    /// Secrets read by several apps, rendered once with every key they need; they belong to
    /// no app alone, so they carry only the `managed-by` label.
    pub(crate) fn shared_secrets(refs: &[SecretRef], ctx: &Context) -> Result<Vec<Object>, Errors> {
        let labels = BTreeMap::from([(MANAGED_BY.to_owned(), MANAGER.to_owned())]);
        secrets::render_secret_refs(refs, &labels, ctx)
    }
}
