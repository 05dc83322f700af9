#!/usr/bin/env bash
# Cold-build cost for build.rs users: times `cargo build` (dev profile) of two throwaway crates,
#   with-k3sapp:  build.rs renders one app with k3sapp into OUT_DIR (path dependency on this workspace)
#   with-k3sgen:  build.rs is the documented k3sgen recipe (`k3sgen::build::Build`, no `cli`
#                 feature) rendering a `specs/` folder: what `k3sgen` costs a build.rs user
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

mkdir -p "$tmp/with-k3sapp/src" "$tmp/with-k3sgen/src" "$tmp/with-k3sgen/specs" "$tmp/k8s-openapi/src"
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
cat >"$tmp/with-k3sgen/Cargo.toml" <<TOML
[package]
name = "with-k3sgen"
version = "0.0.0"
edition = "2024"
publish = false

[build-dependencies]
k3sgen = { path = "$workspace/k3sgen", default-features = false }
$k8s_openapi

[workspace]
TOML
cat >"$tmp/with-k3sgen/specs/orders.yaml" <<'YAML'
kind: App
name: orders
image: ghcr.io/acme/orders:1.4.2
ports: [{name: http, port: 8080}]
resources: {cpu: 250m, memory: 256Mi}
scaling: {hpa: {min: 2, max: 10, cpu: 70}}
YAML
cat >"$tmp/with-k3sgen/build.rs" <<'RS'
fn main() {
    let out = std::path::PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let _written = k3sgen::build::Build::new("specs").target("local").namespace("shop").out_dir(out.join("local")).run_or_exit();
}
RS
cat >"$tmp/with-k3sgen/src/main.rs" <<'RS'
fn main() {
    print!("{}", include_str!(concat!(env!("OUT_DIR"), "/local/orders.yaml")));
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

for crate in with-k3sapp with-k3sgen k8s-openapi; do
  cp "$workspace/Cargo.lock" "$tmp/$crate/Cargo.lock"
  # Wall time and CPU time (user + sys: what the build costs, less sensitive to other load).
  (cd "$tmp/$crate" && CARGO_TARGET_DIR="$tmp/target-$crate" /usr/bin/time -f '%e %U %S' -o "$tmp/$crate.time" \
    cargo build --offline -q "${extra[@]}")
  read -r wall user sys <"$tmp/$crate.time"
  if [[ " ${extra[*]} " == *" --timings "* ]]; then
    mkdir -p "$workspace/target/compile-time" && cp "$tmp/target-$crate"/cargo-timings/cargo-timing.html "$workspace/target/compile-time/$crate.html"
  fi
  printf '%-12s cold build %6.1f s wall, %6.1f s CPU\n' "$crate" "$wall" "$(echo "$user + $sys" | bc)"
done
for crate in with-k3sapp with-k3sgen; do
  "$tmp/target-$crate/debug/$crate" | grep -c '^kind:' | sed "s/^/$crate rendered objects: /"
done
echo "machine: $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p')"
