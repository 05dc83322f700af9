//! Renders `specs/` for the local and the gcp target into `$OUT_DIR/<target>/`, and writes
//! `$OUT_DIR/manifests.rs`: the list of rendered files, for `include_str!`.

use std::fmt::Write as _;
use std::path::PathBuf;

fn main() {
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let mut list = String::from("&[\n");
    for target in ["local", "gcp"] {
        let written = k3sgen::build::Build::new("specs")
            .target(target)
            .namespace("shop")
            .vars("specs/local.env")
            .out_dir(out.join(target))
            .run_or_exit();
        for path in written {
            let name = path.file_stem().expect("a file name").to_string_lossy();
            let _ = writeln!(
                list,
                "    ({target:?}, {name:?}, include_str!({:?})),",
                path.display().to_string()
            );
        }
    }
    list.push_str("]\n");
    std::fs::write(out.join("manifests.rs"), list).expect("OUT_DIR is writable");
}
