//! Cross-renderer tests: the feature table against what each renderer does, validation paths,
//! and golden files for a route with every feature on.

use pretty_assertions::assert_eq;

use super::*;
use crate::error::{ErrorKind, FieldPath, PathRef, Validate};
use crate::target::Target;

fn targets() -> [Target; 3] {
    let gateway = Target::gcp().with_ingress(
        Ingress::GatewayApi {
            gateway: "public".parse().unwrap(),
            gateway_namespace: "infra".parse().unwrap(),
            section_name: Some("https".into()),
        },
        "infra".parse().unwrap(),
    );
    [Target::dev(), Target::gcp(), gateway]
}

fn base() -> Route {
    Route::new(
        "orders".parse().unwrap(),
        "orders".parse().unwrap(),
        Backend::new("orders".parse().unwrap(), PortRef::Number(8080)),
    )
    .with_paths(["/api"])
}

/// A route that uses `feature` (and otherwise only the base features).
fn using(feature: RouteFeature) -> Route {
    let r = base();
    match feature {
        RouteFeature::Host | RouteFeature::PrefixPath => r,
        RouteFeature::WildcardHost => Route {
            host: "*.apps.example.com".parse().unwrap(),
            ..r
        },
        RouteFeature::ExactPath => Route {
            paths: vec![PathMatch::exact("/api")],
            ..r
        },
        RouteFeature::NamedPort => Route {
            backend: Backend::new("orders".parse().unwrap(), PortRef::Name("http".parse().unwrap())),
            ..r
        },
        RouteFeature::CrossNamespaceBackend => Route {
            backend: Backend::keda_interceptor(&Target::dev()),
            ..r
        },
        RouteFeature::NamedPortAcrossNamespaces => Route {
            backend: Backend {
                port: PortRef::Name("http".parse().unwrap()),
                ..Backend::keda_interceptor(&Target::dev())
            },
            ..r
        },
        RouteFeature::StripPrefix => Route {
            strip_prefix: true,
            ..r
        },
        RouteFeature::RewriteTo => Route {
            rewrite_to: Some("/v2".into()),
            ..r
        },
        RouteFeature::Timeout => Route {
            timeout: Some(Duration::from_secs(30)),
            ..r
        },
        RouteFeature::RateLimit => Route {
            rate_limit: Some(RateLimit::per_second(10)),
            ..r
        },
        RouteFeature::RateLimitBurst => Route {
            rate_limit: Some(RateLimit {
                burst: Some(5),
                ..RateLimit::per_second(10)
            }),
            ..r
        },
        RouteFeature::BasicAuth => Route {
            basic_auth: Some(BasicAuth::new("orders-users".parse().unwrap())),
            ..r
        },
        RouteFeature::Cors => Route {
            cors: Some(Cors::new(vec!["https://shop.example.com".parse().unwrap()])),
            ..r
        },
        RouteFeature::CorsExposeHeaders => Route {
            cors: Some(Cors {
                expose_headers: vec!["X-Request-Id".parse().unwrap()],
                ..Cors::new(vec!["https://shop.example.com".parse().unwrap()])
            }),
            ..r
        },
        RouteFeature::AllowList => Route {
            allow_list: vec!["10.0.0.0/8".parse().unwrap()],
            ..r
        },
        RouteFeature::MaxBodySize => Route {
            max_body_size: Some("8Mi".parse().unwrap()),
            ..r
        },
        RouteFeature::Tls => r, // every sample target serves TLS
    }
}

fn yaml(objects: &[crate::object::Object]) -> String {
    objects
        .iter()
        .map(|o| crate::yaml::to_yaml(o).unwrap())
        .collect::<Vec<_>>()
        .join("---\n")
}

#[test]
fn feature_table_matches_renderers() {
    for target in targets() {
        let ctx = Context::new(target.clone(), "shop".parse().unwrap());
        let baseline = yaml(
            &render_routes(
                &[Route {
                    tls: Some(false),
                    ..base()
                }],
                &ctx,
            )
            .unwrap(),
        );
        for feature in RouteFeature::ALL {
            let route = using(feature);
            assert!(
                features(&route, &ctx).iter().any(|(f, _)| *f == feature),
                "{feature:?} not detected"
            );
            let result = render_routes(std::slice::from_ref(&route), &ctx);
            match supports(feature, &target.ingress) {
                Support::Unsupported(why) => {
                    let errors = result.expect_err(&format!("{feature:?} on {}", target.name));
                    let field = format!("[0].{}", feature.field());
                    let error = errors
                        .iter()
                        .find(|e| e.path.to_string().starts_with(&field))
                        .expect("error at the field");
                    // One error per field: a more general feature at the same field may be the one reported.
                    let ErrorKind::Unsupported {
                        feature: reported,
                        by,
                        why: reported_why,
                    } = &error.kind
                    else {
                        panic!("{error}");
                    };
                    assert_eq!(by, target.ingress.display_name());
                    if *reported == feature.to_string() {
                        assert_eq!(reported_why, why);
                    }
                }
                Support::Native | Support::Caveat(_) => {
                    let objects = result.unwrap_or_else(|e| panic!("{feature:?} on {}: {e}", target.name));
                    let is_base = matches!(feature, RouteFeature::Host | RouteFeature::PrefixPath);
                    let tls_on_gateway =
                        feature == RouteFeature::Tls && matches!(target.ingress, Ingress::GatewayApi { .. });
                    if !is_base && !tls_on_gateway {
                        assert_ne!(yaml(&objects), baseline, "{feature:?} left no trace on {}", target.name);
                    }
                }
            }
        }
    }
}

#[test]
fn validation_reports_every_problem_with_its_path() {
    let bad = Route {
        paths: vec![
            PathMatch::exact("/a//b"),
            PathMatch::prefix("api"),
            PathMatch::exact("/a//b"),
        ],
        strip_prefix: true,
        rewrite_to: Some("/x y".into()),
        rate_limit: Some(RateLimit::per_second(0)),
        ..base()
    };
    let ctx = Context::new(Target::local(), "shop".parse().unwrap());
    let errors = render_routes(&[base(), bad], &ctx).unwrap_err();
    let paths: Vec<String> = errors.paths();
    assert_eq!(
        paths,
        [
            "[1].name",
            "[1].paths[0].path",
            "[1].paths[0].kind",
            "[1].paths[1].path",
            "[1].paths[2].path",
            "[1].paths[2]",
            "[1].paths[2].kind",
            "[1].rewrite_to",
            "[1].rewrite_to",
            "[1].rate_limit.requests",
        ]
    );
    let nested = errors.under(&FieldPath::root().field("routes"));
    assert_eq!(
        nested.iter().next().unwrap().to_string(),
        "routes[1].name: duplicate route name \"orders\""
    );
}

#[test]
fn completed_hosts_are_checked() {
    let long = "a".repeat(63);
    let domain = format!("{long}.{long}.{long}.{}", "a".repeat(57));
    let target = Target {
        base_domain: domain.parse().unwrap(),
        ..Target::local()
    };
    let ctx = Context::new(target, "shop".parse().unwrap());
    let errors = render_routes(&[base()], &ctx).unwrap_err();
    assert_eq!(errors.iter().next().unwrap().path.to_string(), "[0].host");
}

#[test]
fn expose_maps_onto_route() {
    let expose: Expose = crate::yaml::from_yaml(
        "paths: [/api]\nstrip_prefix: true\nport: 9090\ntimeout: 1m\ncors: {allow_origins: ['*']}\n",
    )
    .unwrap();
    let route = expose.to_route(
        "orders".parse().unwrap(),
        "orders".parse().unwrap(),
        PortRef::Name("http".parse().unwrap()),
    );
    assert_eq!(route.host.as_str(), "orders");
    assert_eq!(route.backend.port, PortRef::Number(9090));
    assert_eq!(route.timeout, Some(Duration::from_secs(60)));
    assert!(crate::yaml::from_yaml::<Expose>("hots: a\n").is_err());

    let bad: Expose = crate::yaml::from_yaml("{paths: [{path: /x, kind: exact}], strip_prefix: true}").unwrap();
    let mut problems = crate::error::Problems::default();
    bad.validate(PathRef::ROOT.field("expose"), &mut problems);
    let paths: Vec<String> = problems.finish(()).unwrap_err().paths();
    assert_eq!(paths, ["expose.paths[0].kind"]);
    let zero = crate::yaml::from_yaml::<Expose>("{port: 0}").unwrap_err();
    assert_eq!(zero.0[0].path.to_string(), "port");
}

#[test]
fn routes_read_from_yaml() {
    let text = "name: api\nhost: api.example.com\npaths: [/v1, {path: /health, kind: exact}]\n\
                backend: {service: api, namespace: keda, port: http}\nrate_limit: {requests: 5, per: 1m}\n";
    let route: Route = crate::yaml::from_yaml(text).unwrap();
    assert_eq!(route.backend.port, PortRef::Name("http".parse().unwrap()));
    assert_eq!(route.paths[1].kind, PathKind::Exact);
    assert!(route.labels.is_none());
    assert!(crate::yaml::from_yaml::<Route>(&text.replace("kind: exact", "knd: exact")).is_err());
    #[cfg(feature = "schema")]
    {
        let schema = serde_json::to_string(&schemars::schema_for!(Route)).unwrap();
        assert!(schema.contains("rewrite_to") && !schema.contains("labels"), "{schema}");
        let _ = schemars::schema_for!(Expose);
    }
    let back = crate::yaml::to_yaml(&route).unwrap();
    assert_eq!(crate::yaml::from_yaml::<Route>(&back).unwrap(), route);
}

/// Every feature each controller supports, on one route (golden files and conformance samples).
pub(super) fn full_route(ingress: &Ingress) -> Route {
    let mut cors = Cors::new(vec![
        "https://shop.example.com".parse().unwrap(),
        "https://*.example.org".parse().unwrap(),
    ]);
    cors.allow_headers = vec!["Content-Type".parse().unwrap(), "X-Request-Id".parse().unwrap()];
    cors.max_age = Some(600);
    cors.allow_credentials = true;
    let mut route = Route {
        paths: vec![PathMatch::prefix("/api"), PathMatch::prefix("/api/v1")],
        rewrite_to: Some("/v2".into()),
        timeout: Some(Duration::from_secs(90)),
        rate_limit: Some(RateLimit {
            requests: 100,
            per: Duration::from_secs(60),
            burst: Some(20),
        }),
        basic_auth: Some(BasicAuth {
            secret: "orders-users".parse().unwrap(),
            realm: Some("Orders".into()),
        }),
        cors: Some(cors),
        allow_list: vec!["10.0.0.0/8".parse().unwrap(), "2001:db8::/32".parse().unwrap()],
        max_body_size: Some("8Mi".parse().unwrap()),
        backend: Backend::keda_interceptor(&Target::dev()),
        labels: Some(crate::labels::AppLabels::new("orders".parse().unwrap()).with_part_of("shop")),
        ..base()
    };
    for feature in RouteFeature::ALL {
        if supports(feature, ingress).is_supported() {
            continue;
        }
        match feature {
            RouteFeature::RateLimitBurst => route.rate_limit.as_mut().into_iter().for_each(|l| l.burst = None),
            RouteFeature::RateLimit => route.rate_limit = None,
            RouteFeature::BasicAuth => route.basic_auth = None,
            RouteFeature::AllowList => route.allow_list.clear(),
            RouteFeature::MaxBodySize => route.max_body_size = None,
            RouteFeature::CorsExposeHeaders => {}
            RouteFeature::Host
            | RouteFeature::WildcardHost
            | RouteFeature::PrefixPath
            | RouteFeature::ExactPath
            | RouteFeature::NamedPort
            | RouteFeature::CrossNamespaceBackend
            | RouteFeature::NamedPortAcrossNamespaces
            | RouteFeature::StripPrefix
            | RouteFeature::RewriteTo
            | RouteFeature::Timeout
            | RouteFeature::Cors
            | RouteFeature::Tls => {}
        }
    }
    if supports(RouteFeature::CorsExposeHeaders, ingress).is_supported()
        && let Some(cors) = route.cors.as_mut()
    {
        cors.expose_headers = vec!["X-Request-Id".parse().unwrap()];
    }
    route
}

#[test]
fn golden_files() {
    for (target, file) in targets().into_iter().zip(["traefik", "haproxy", "gateway_api"]) {
        let ctx = Context::new(target.clone(), "shop".parse().unwrap());
        let objects = render_routes(&[full_route(&target.ingress)], &ctx).unwrap();
        let actual = yaml(&objects);
        let path = format!("{}/tests/golden/exposure/{file}.yaml", env!("CARGO_MANIFEST_DIR"));
        if std::env::var_os("K3S_BLESS").is_some() {
            std::fs::write(&path, &actual).unwrap();
        }
        let expected = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        assert_eq!(actual, expected, "{path}");
    }
}
