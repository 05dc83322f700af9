//! Write the JSON Schemas of every spec kind, for editors (`yaml-language-server`).
//!
//! ```sh
//! cargo run --example schema -- schemas/
//! ```
//! Then start a spec file with `# yaml-language-server: $schema=./schemas/app.json`.

use std::path::PathBuf;

use k3s_examples::{CliError, run};

fn main() {
    run(|| {
        let dir = PathBuf::from(
            std::env::args()
                .nth(1)
                .ok_or_else(|| CliError::Usage("schema DIR".into()))?,
        );
        std::fs::create_dir_all(&dir).map_err(|e| CliError::Io(dir.clone(), e))?;
        let schemas = [
            ("app.json", schemars::schema_for!(k3sapp::App)),
            ("apps.json", schemars::schema_for!(k3sapp::AppSet)),
            ("gateway.json", schemars::schema_for!(k3sgateway::Gateway)),
            ("functions.json", schemars::schema_for!(k3sfn::Project)),
            ("platform.json", schemars::schema_for!(k3splatform::Platform)),
            ("tenant.json", schemars::schema_for!(k3splatform::Tenant)),
            ("store.json", schemars::schema_for!(k3splatform::Store)),
            ("target.json", schemars::schema_for!(k3score::Target)),
        ];
        for (file, schema) in schemas {
            let path = dir.join(file);
            let text = serde_json::to_string_pretty(&schema).map_err(|e| CliError::Usage(e.to_string()))?;
            std::fs::write(&path, text + "\n").map_err(|e| CliError::Io(path.clone(), e))?;
            println!("{}", path.display());
        }
        Ok(())
    });
}
