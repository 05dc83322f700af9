//! The support table in the crate docs is generated from the code: this test keeps
//! `docs/support.md` equal to `k3sgateway::support_table()` (`K3S_BLESS=1` rewrites it).

use std::path::PathBuf;

#[test]
fn docs_table_matches_the_code() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("docs/support.md");
    let generated = k3sgateway::support_table();
    if std::env::var_os("K3S_BLESS").is_some_and(|v| v == "1") {
        std::fs::write(&path, &generated).unwrap();
        return;
    }
    let documented = std::fs::read_to_string(&path).unwrap();
    pretty_assertions::assert_eq!(
        documented,
        generated,
        "docs/support.md is stale; K3S_BLESS=1 rewrites it"
    );
}

#[test]
fn table_has_a_row_per_feature() {
    let rows = k3sgateway::support_table().lines().count() - 2;
    assert_eq!(
        rows,
        k3score::exposure::RouteFeature::ALL.len() + k3sgateway::WafFeature::ALL.len()
    );
}
