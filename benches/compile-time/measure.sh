#!/usr/bin/env bash
# Cold-build cost for build.rs users: times `cargo build` (dev profile) of two throwaway crates,
#   with-k3sapp:  build.rs renders one app with k3sapp into OUT_DIR (path dependency on this workspace)
#   k8s-openapi:  depends on k8s-openapi alone (feature `latest`)
# each with its own empty CARGO_TARGET_DIR, so every dependency is compiled from scratch.
# Versions come from this workspace's Cargo.lock; `--offline` needs them in ~/.cargo already
# (run `cargo build --workspace` once). Usage: benches/compile-time/measure.sh [--timings]
set -euo pipefail
workspace=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/k3s-compile-time.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
extra=("$@")

k8s_openapi='k8s-openapi = { version = "0.29", default-features = false, features = ["std", "latest"] }'

mkdir -p "$tmp/with-k3sapp/src" "$tmp/k8s-openapi/src"
cat >"$tmp/with-k3sapp/Cargo.toml" <<TOML
[package]
name = "with-k3sapp"
version = "0.0.0"
edition = "2024"
publish = false

[build-dependencies]
k3sapp = { path = "$workspace/k3sapp" }
k3score = { path = "$workspace/k3score" }
$k8s_openapi

[workspace]
TOML
cat >"$tmp/with-k3sapp/build.rs" <<'RS'
use k3score::{Context, Target};

fn main() {
    let app: k3sapp::App = k3score::yaml::from_yaml(
        "name: orders\nimage: ghcr.io/acme/orders:1.4.2\nports: [{name: http, port: 8080}]\n\
         resources: {cpu: 250m, memory: 256Mi}\nscaling: {hpa: {min: 2, max: 10, cpu: 70}}\n",
    )
    .expect("valid spec");
    let ctx = Context::new(Target::local(), "shop".parse().expect("valid namespace"));
    let yaml = app.render(&ctx).expect("renders").to_yaml().expect("serializes");
    let out = std::env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    std::fs::write(format!("{out}/orders.yaml"), yaml).expect("writable OUT_DIR");
}
RS
cat >"$tmp/with-k3sapp/src/main.rs" <<'RS'
fn main() {
    print!("{}", include_str!(concat!(env!("OUT_DIR"), "/orders.yaml")));
}
RS
cat >"$tmp/k8s-openapi/Cargo.toml" <<TOML
[package]
name = "only-k8s-openapi"
version = "0.0.0"
edition = "2024"
publish = false

[dependencies]
$k8s_openapi

[workspace]
TOML
cat >"$tmp/k8s-openapi/src/main.rs" <<'RS'
use k8s_openapi::api::apps::v1::Deployment;

fn main() {
    let deployment = Deployment::default();
    println!("{:?}", deployment.metadata.name);
}
RS

for crate in with-k3sapp k8s-openapi; do
  cp "$workspace/Cargo.lock" "$tmp/$crate/Cargo.lock"
  start=$(date +%s.%N)
  (cd "$tmp/$crate" && CARGO_TARGET_DIR="$tmp/target-$crate" cargo build --offline -q "${extra[@]}")
  end=$(date +%s.%N)
  if [[ " ${extra[*]} " == *" --timings "* ]]; then
    mkdir -p "$workspace/target/compile-time" && cp "$tmp/target-$crate"/cargo-timings/cargo-timing.html "$workspace/target/compile-time/$crate.html"
  fi
  printf '%-12s cold build %6.1f s\n' "$crate" "$(echo "$end - $start" | bc)"
done
[[ -x "$tmp/target-with-k3sapp/debug/with-k3sapp" ]] && "$tmp/target-with-k3sapp/debug/with-k3sapp" | grep -c '^kind:' | sed 's/^/with-k3sapp  rendered objects: /'
echo "machine: $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p')"
