//! The `k3sgen` command: render, check and explain spec files (see `k3sgen --help`).
//!
//! Exit status: 0 when everything rendered (or checked) fine, 1 when the input has problems
//! (or warnings, with `--deny-warnings`), 2 on bad usage or a file that cannot be read or
//! written.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anstyle::{AnsiColor, Style};
use clap::builder::{PossibleValuesParser, TypedValueParser};
use clap::{Args, Parser, Subcommand, ValueEnum};
use k3score::par::Jobs;
use k3score::{Context, Ingress, Target};
use k3sgen::{CheckReport, Diagnostic, Format, Generated, Input, Settings, SettingsError, Severity, Verdict};

/// Rendering allocates many small strings and maps: with mimalloc, rendering the 1000-app
/// benchmark took 118.0 M instructions instead of 191.9 M with glibc's malloc
/// (benches/README.md, issue 18). `bench_apps` uses it too, so the benchmark measures what
/// this command does.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const EXAMPLES: &str = "\
Examples:
  k3sgen render specs/ --target gcp --vars prod.env --out rendered/
  k3sgen check specs/ compose.yaml --format json
  k3sgen explain App.scaling.hpa
  k3sgen new app orders && k3sgen schema schemas/

Exit status: 0 ok, 1 invalid input (or warnings with --deny-warnings), 2 usage or I/O error.";

/// Typed, secure-by-default Kubernetes manifests from short spec files (App, Apps,
/// Functions, Gateway, Platform, Tenant, Store) and docker compose projects, for k3d/k3s
/// locally and a managed cluster in production.
#[derive(Debug, Parser)]
#[command(name = "k3sgen", version, after_help = EXAMPLES)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Render spec files, compose projects and function folders to Kubernetes objects.
    #[command(after_help = "\
Examples:
  k3sgen render app.yaml                              # YAML on stdout, local target (k3d + Traefik)
  k3sgen render specs/ --target gcp --out rendered/   # one file per component; stale ones removed
  k3sgen render -f compose.yaml -f compose.prod.yaml  # several compose files as one project
  k3sgen render functions/ --ingress gateway-api --format json

A folder with a functions.yaml is a function project; a folder with a compose.yaml (or
docker-compose.yml ...) is a compose project; any other folder is searched for .yaml files.")]
    Render(RenderArgs),
    /// Validate only: print every problem with file:line:column, write nothing.
    #[command(after_help = "\
Examples:
  k3sgen check specs/
  k3sgen check specs/ --target gcp --deny-warnings
  k3sgen check app.yaml --format json   # {\"diagnostics\": [{file, line, column, path, message, severity}], ...}")]
    Check(CheckArgs),
    /// Write the JSON Schema of every spec kind into DIR, for editors (yaml-language-server).
    #[command(after_help = "\
Examples:
  k3sgen schema schemas/
  # then start a spec file with: # yaml-language-server: $schema=./schemas/app.json")]
    Schema {
        /// The folder to write app.json, apps.json, ... into.
        dir: PathBuf,
    },
    /// Show a spec field's documentation, type and default.
    #[command(after_help = "\
Examples:
  k3sgen explain App
  k3sgen explain App.scaling.hpa
  k3sgen explain Functions.functions.trigger")]
    Explain {
        /// KIND[.field...], e.g. App.scaling.hpa (kinds: App, Apps, Functions, Gateway,
        /// Platform, Tenant, Store, Target).
        field: String,
    },
    /// Write a commented starter spec file (NAME.yaml, or --out FILE; `-` for stdout).
    #[command(after_help = "\
Examples:
  k3sgen new app orders            # writes orders.yaml
  k3sgen new functions shop-fn --out -")]
    New {
        /// What to start.
        #[arg(value_enum)]
        kind: StarterKind,
        /// Its name (a DNS label: lower case, digits and '-').
        name: String,
        /// Where to write it (`-` for stdout); NAME.yaml by default. Never overwrites.
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

#[derive(Debug, Args)]
struct Inputs {
    /// Spec files, compose files, function folders, or folders holding any mix of them.
    #[arg(default_value = ".")]
    paths: Vec<PathBuf>,
    /// A compose file; repeat to merge several into one project, as `docker compose -f`.
    #[arg(short = 'f', long = "file", value_name = "COMPOSE_FILE")]
    compose_files: Vec<PathBuf>,
    /// The target preset.
    #[arg(long, default_value = "local", value_parser = preset())]
    target: Target,
    /// Another ingress controller than the preset's.
    #[arg(long, value_parser = ingress())]
    ingress: Option<Ingress>,
    /// A .env file with ${VAR} values and local secret values; repeat, later files win.
    #[arg(long, value_name = "FILE.env")]
    vars: Vec<PathBuf>,
    /// The namespace for specs that do not name their own.
    #[arg(long, short = 'n', default_value = "default")]
    namespace: String,
    /// Treat warnings as errors (exit status 1).
    #[arg(long)]
    deny_warnings: bool,
    /// Threads for reading, rendering and writing; the output is the same for any count
    /// [default: every core]. A `K3S_JOBS` that is not a positive integer is an error here.
    #[arg(long, short = 'j', value_name = "N", env = "K3S_JOBS")]
    jobs: Option<Jobs>,
}

#[derive(Debug, Args)]
struct RenderArgs {
    #[command(flatten)]
    inputs: Inputs,
    /// Write one file per component into DIR instead of stdout.
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// The output format.
    #[arg(long, value_enum, default_value_t = OutputFormat::Yaml)]
    format: OutputFormat,
}

#[derive(Debug, Args)]
struct CheckArgs {
    #[command(flatten)]
    inputs: Inputs,
    /// How to print the diagnostics.
    #[arg(long, value_enum, default_value_t = DiagnosticFormat::Text)]
    format: DiagnosticFormat,
}

/// `--target`: the library's presets ([`Target::PRESETS`], [`Target::preset`]).
fn preset() -> impl TypedValueParser<Value = Target> {
    PossibleValuesParser::new(Target::PRESETS).try_map(|name| Target::preset(&name))
}

/// `--ingress`: the library's ingress names ([`Ingress::NAMES`], `Ingress: FromStr`).
fn ingress() -> impl TypedValueParser<Value = Ingress> {
    PossibleValuesParser::new(Ingress::NAMES).try_map(|name| name.parse::<Ingress>())
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum OutputFormat {
    Yaml,
    Json,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum DiagnosticFormat {
    Text,
    Json,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum StarterKind {
    App,
    Functions,
    Gateway,
    Tenant,
    Store,
}

/// Exit status 2: bad usage or I/O.
const FAILED: u8 = 2;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let status = match cli.command {
        Command::Render(args) => render(&args),
        Command::Check(args) => check(&args),
        Command::Schema { dir } => schema(&dir),
        Command::Explain { field } => match k3sgen::explain(&field) {
            Ok(explanation) => {
                print!("{explanation}");
                0
            }
            Err(message) => fail(&message),
        },
        Command::New { kind, name, out } => new(kind, &name, out),
    };
    ExitCode::from(status)
}

fn render(args: &RenderArgs) -> u8 {
    let generated = match run(&args.inputs) {
        Ok(generated) => generated,
        Err(status) => return status,
    };
    print_diagnostics(&generated.diagnostics);
    if let Some(status) = verdict(&generated, args.inputs.deny_warnings) {
        return status;
    }
    let format = match args.format {
        OutputFormat::Yaml => Format::Yaml,
        OutputFormat::Json => Format::Json,
    };
    let jobs = args.inputs.jobs.unwrap_or_default();
    let result = match &args.out {
        Some(dir) => k3sgen::write_dir_on(jobs, &generated.components, dir, format).map(drop),
        None => k3sgen::write_stream_on(
            jobs,
            generated.components.iter().map(|c| (c.name.as_str(), &c.bundle)),
            format,
            std::io::stdout().lock(),
        )
        .map(drop),
    };
    match result {
        Ok(()) => 0,
        // `k3sgen render | head`: the reader has what it wanted.
        Err(k3sgen::Error::Io(_, error)) if error.kind() == std::io::ErrorKind::BrokenPipe => 0,
        Err(error) => fail(error.to_string().trim_end()),
    }
}

fn check(args: &CheckArgs) -> u8 {
    let generated = match run(&args.inputs) {
        Ok(generated) => generated,
        Err(status) => return status,
    };
    match args.format {
        DiagnosticFormat::Text => {
            print_diagnostics(&generated.diagnostics);
            let status = verdict(&generated, args.inputs.deny_warnings);
            if status.is_none() {
                anstream::eprintln!(
                    "{} {} component(s) checked, {} warning(s)",
                    paint(OK, "ok:"),
                    generated.components.len(),
                    generated.count(Severity::Warning)
                );
            }
            status.unwrap_or(0)
        }
        DiagnosticFormat::Json => {
            match CheckReport::new(&generated).to_json() {
                Ok(text) => println!("{text}"),
                Err(error) => return fail(&error.to_string()),
            }
            verdict(&generated, args.inputs.deny_warnings).unwrap_or(0)
        }
    }
}

/// Loads and renders the inputs; `Err(status)` after printing a usage or I/O problem.
fn run(inputs: &Inputs) -> Result<Generated, u8> {
    let ctx = context(inputs).map_err(|message| fail(&message))?;
    let mut found = if inputs.compose_files.is_empty() || inputs.paths != [PathBuf::from(".")] {
        k3sgen::discover(&inputs.paths).map_err(|e| fail(e.to_string().trim_end()))?
    } else {
        Vec::new()
    };
    if !inputs.compose_files.is_empty() {
        found.insert(0, Input::compose(inputs.compose_files.clone()));
    }
    let generated = k3sgen::generate(&found, &ctx);
    if let Some(failure) = generated.failures.first() {
        print_diagnostics(&generated.diagnostics);
        return Err(fail(failure.to_string().trim_end()));
    }
    Ok(generated)
}

/// The flags as a render context ([`Settings::context`]).
fn context(inputs: &Inputs) -> Result<Context, String> {
    let mut settings = Settings::new(inputs.target.clone());
    settings.ingress.clone_from(&inputs.ingress);
    inputs.namespace.clone_into(&mut settings.namespace);
    settings.var_files.clone_from(&inputs.vars);
    settings.jobs = inputs.jobs.unwrap_or_default();
    settings.context().map_err(|error| match error {
        SettingsError::Namespace { value, problem } => format!("--namespace {value:?}: {problem}"),
        other => k3sgen::build::BuildError::from(other).to_string().trim_end().to_owned(),
    })
}

/// The exit status when the run must stop ([`Verdict`]): 1 with errors (or warnings when
/// denied).
fn verdict(generated: &Generated, deny_warnings: bool) -> Option<u8> {
    let verdict = Verdict::of(generated, deny_warnings);
    if verdict.passed() {
        return None;
    }
    anstream::eprintln!("{} {verdict}", paint(ERROR, "failed:"));
    Some(verdict.exit_status())
}

const ERROR: Style = AnsiColor::Red.on_default().bold();
const WARNING: Style = AnsiColor::Yellow.on_default().bold();
const OK: Style = AnsiColor::Green.on_default().bold();

fn paint(style: Style, text: &str) -> String {
    format!("{}{text}{}", style.render(), style.render_reset())
}

fn print_diagnostics(diagnostics: &[Diagnostic]) {
    for diagnostic in diagnostics {
        let (style, word) = match diagnostic.severity {
            Severity::Error => (ERROR, "error:"),
            Severity::Warning => (WARNING, "warning:"),
        };
        let text = diagnostic.to_string();
        let plain = format!("{}: ", diagnostic.severity.as_str());
        match text.split_once(&plain) {
            Some((place, rest)) => anstream::eprintln!("{place}{} {rest}", paint(style, word)),
            None => anstream::eprintln!("{text}"),
        }
    }
}

fn fail(message: &str) -> u8 {
    anstream::eprintln!("{} {message}", paint(ERROR, "error:"));
    FAILED
}

fn schema(dir: &Path) -> u8 {
    if let Err(error) = std::fs::create_dir_all(dir) {
        return fail(&format!("{}: {error}", dir.display()));
    }
    for (_, file, schema) in k3sgen::schema::schemas() {
        let path = dir.join(file);
        let text = match serde_json::to_string_pretty(&schema) {
            Ok(text) => text,
            Err(error) => return fail(&error.to_string()),
        };
        if let Err(error) = std::fs::write(&path, text + "\n") {
            return fail(&format!("{}: {error}", path.display()));
        }
        println!("{}", path.display());
    }
    0
}

fn new(kind: StarterKind, name: &str, out: Option<PathBuf>) -> u8 {
    if let Err(error) = name.parse::<k3score::names::DnsLabel>() {
        return fail(&format!("name {name:?}: {error}"));
    }
    let kind = match kind {
        StarterKind::App => "app",
        StarterKind::Functions => "functions",
        StarterKind::Gateway => "gateway",
        StarterKind::Tenant => "tenant",
        StarterKind::Store => "store",
    };
    let Some(text) = k3sgen::starter::starter(kind, name) else {
        return fail(&format!("no starter for {kind}"));
    };
    let path = out.unwrap_or_else(|| PathBuf::from(format!("{name}.yaml")));
    if path == Path::new("-") {
        print!("{text}");
        return 0;
    }
    let file = std::fs::OpenOptions::new().write(true).create_new(true).open(&path);
    match file.and_then(|mut f| std::io::Write::write_all(&mut f, text.as_bytes())) {
        Ok(()) => {
            println!("{}", path.display());
            0
        }
        Err(error) => fail(&format!("{}: {error}", path.display())),
    }
}
