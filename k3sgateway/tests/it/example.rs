//! The example spec files render on their controllers; outputs are goldens (and validated by
//! the conformance checker with the other goldens).

use std::path::PathBuf;

use k3sgateway::Gateway;

fn example(name: &str) -> Gateway {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../examples/specs")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap();
    Gateway::from_yaml(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn portable_example_renders_on_every_controller() {
    let gateway = example("gateway.yaml");
    assert!(gateway.routes.len() >= 8);
    gateway.validate().unwrap();
    for (dir, target) in crate::common::targets() {
        let bundle = gateway
            .render(&crate::common::ctx(&target))
            .unwrap_or_else(|e| panic!("{dir}: {e}"));
        assert!(bundle.iter().all(|o| o.namespace() != Some("default")));
        crate::common::golden(&format!("{dir}/example.yaml"), &bundle.to_yaml().unwrap());
    }
}

#[test]
fn edge_example_renders_on_traefik_and_haproxy() {
    let gateway = example("gateway-edge.yaml");
    for (dir, target) in crate::common::targets() {
        match gateway.render(&crate::common::ctx(&target)) {
            Ok(bundle) => {
                assert_ne!(dir, "gateway-api");
                crate::common::golden(&format!("{dir}/example-edge.yaml"), &bundle.to_yaml().unwrap());
            }
            Err(errors) => {
                assert_eq!(dir, "gateway-api", "{errors}");
                crate::common::golden(&format!("{dir}/example-edge.err"), &format!("{errors}\n"));
            }
        }
    }
}
