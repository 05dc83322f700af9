//! Writes the manifests rendered at build time to `DIR/<target>/<component>.yaml` (for the
//! conformance check), or lists them without an argument.

fn main() -> std::io::Result<()> {
    let dir = std::env::args_os().nth(1).map(std::path::PathBuf::from);
    for (target, component, yaml) in k3s_build_example::MANIFESTS {
        match &dir {
            Some(dir) => {
                std::fs::create_dir_all(dir.join(target))?;
                std::fs::write(dir.join(target).join(format!("{component}.yaml")), yaml)?;
            }
            None => println!(
                "{target}/{component}.yaml: {} objects",
                yaml.matches("\nkind: ").count() + 1
            ),
        }
    }
    Ok(())
}
