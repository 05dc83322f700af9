//! Turning a decorator's literal arguments into a validated [`Function`].

use k3score::exposure::HttpMethod;
use k3score::network::Visibility;
use k3score::workload::RestartPolicy;
use k3score::{PathRef, Validate};

use super::Found;
use super::literal::{Arg, Problem, Value};
use crate::spec::Function;
use crate::trigger::{ConcurrencyPolicy, HttpTrigger, QueueTrigger, ScheduleTrigger, Trigger};

/// Options every trigger accepts.
const COMMON: [&str; 6] = [
    "name",
    "visibility",
    "image",
    "min_replicas",
    "max_replicas",
    "concurrency",
];

/// The options of `trigger` besides [`COMMON`]; the first is the positional one.
fn options(trigger: &str) -> &'static [&'static str] {
    match trigger {
        "http" => &["path", "methods", "host"],
        "queue" => &["list", "length", "activation_length", "addresses", "master"],
        _ => &[
            "cron",
            "timezone",
            "concurrency_policy",
            "successful_history",
            "failed_history",
            "starting_deadline",
            "retries",
            "restart_policy",
        ],
    }
}

/// Reads typed values out of the arguments, recording problems with their lines.
struct Reader<'a> {
    trigger: &'a str,
    args: Vec<(String, &'a Arg)>,
    problems: Vec<Problem>,
    line: usize,
}

impl Reader<'_> {
    fn get(&self, name: &str) -> Option<&Arg> {
        self.args.iter().find(|(n, _)| n == name).map(|(_, a)| *a)
    }

    fn wrong(&mut self, arg: &Arg, name: &str, expected: &str) {
        self.problems.push((
            arg.line,
            format!(
                "`{name}` of {} must be {expected}, is {}",
                self.trigger,
                arg.value.type_name()
            ),
        ));
    }

    fn string(&mut self, name: &str) -> Option<String> {
        let arg = self.get(name)?.clone();
        match &arg.value {
            Value::Str(s) => Some(s.clone()),
            Value::Null => None,
            _ => {
                self.wrong(&arg, name, "a string");
                None
            }
        }
    }

    fn int(&mut self, name: &str) -> Option<i64> {
        let arg = self.get(name)?.clone();
        match &arg.value {
            Value::Int(n) => Some(*n),
            Value::Null => None,
            _ => {
                self.wrong(&arg, name, "an integer");
                None
            }
        }
    }

    fn int32(&mut self, name: &str) -> Option<i32> {
        let n = self.int(name)?;
        let line = self.get(name).map_or(self.line, |a| a.line);
        i32::try_from(n)
            .map_err(|_| self.problems.push((line, format!("`{name}` is out of range"))))
            .ok()
    }

    fn strings(&mut self, name: &str) -> Vec<String> {
        let Some(arg) = self.get(name).cloned() else {
            return Vec::new();
        };
        match &arg.value {
            Value::Str(s) => vec![s.clone()],
            Value::List(items) if items.iter().all(|v| matches!(v, Value::Str(_))) => items
                .iter()
                .filter_map(|v| match v {
                    Value::Str(s) => Some(s.clone()),
                    _ => None,
                })
                .collect(),
            _ => {
                self.wrong(&arg, name, "a list of strings");
                Vec::new()
            }
        }
    }

    /// A string option parsed as the snake_case YAML spelling of `T` (`"public"`, `"GET"`).
    fn choice<T: serde::de::DeserializeOwned>(&mut self, name: &str, spelling: &str, hint: &str) -> Option<T> {
        let line = self.get(name).map_or(self.line, |a| a.line);
        match k3score::yaml::from_yaml::<T>(&format!("\"{}\"", spelling.escape_default())) {
            Ok(value) => Some(value),
            Err(_) => {
                self.problems.push((
                    line,
                    format!("`{name}` of {}: {spelling:?} is not one of {hint}", self.trigger),
                ));
                None
            }
        }
    }
}

/// The function declared by `found` in `module`, checked like a spec file.
pub(super) fn function(found: &Found, module: &str) -> Result<Function, Vec<Problem>> {
    let trigger = found.trigger.as_str();
    let known = options(trigger);
    let mut reader = Reader {
        trigger,
        args: Vec::new(),
        problems: Vec::new(),
        line: found.line,
    };
    for (i, arg) in found.args.iter().enumerate() {
        let name = match &arg.name {
            Some(name) => name.clone(),
            None if i == 0 => known[0].to_owned(),
            None => {
                reader.problems.push((
                    arg.line,
                    format!("{trigger} takes one positional argument ({})", known[0]),
                ));
                continue;
            }
        };
        if !known.contains(&name.as_str()) && !COMMON.contains(&name.as_str()) {
            let all: Vec<&str> = known.iter().chain(COMMON.iter()).copied().collect();
            reader.problems.push((
                arg.line,
                format!("unknown option `{name}` of {trigger}; known: {}", all.join(", ")),
            ));
        } else if reader.args.iter().any(|(n, _)| *n == name) {
            reader
                .problems
                .push((arg.line, format!("option `{name}` is given twice")));
        } else {
            reader.args.push((name, arg));
        }
    }
    let Some(main) = reader.string(known[0]) else {
        if reader.get(known[0]).is_none() {
            reader
                .problems
                .push((found.line, format!("{trigger} needs `{}`", known[0])));
        }
        return Err(reader.problems);
    };
    let trigger = match trigger {
        "http" => {
            let methods = reader.strings("methods");
            let methods = methods
                .iter()
                .filter_map(|m| {
                    reader.choice::<HttpMethod>(
                        "methods",
                        &m.to_ascii_uppercase(),
                        "GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS, CONNECT, TRACE, *",
                    )
                })
                .collect();
            let host = reader.string("host").and_then(|h| {
                h.parse()
                    .map_err(|e| reader.problems.push((found.line, format!("`host`: {e}"))))
                    .ok()
            });
            Trigger::Http(HttpTrigger {
                path: main,
                methods,
                host,
            })
        }
        "queue" => Trigger::Queue(QueueTrigger {
            length: reader.int32("length").unwrap_or(crate::trigger::DEFAULT_QUEUE_LENGTH),
            activation_length: reader.int32("activation_length"),
            addresses: reader.strings("addresses"),
            master: reader.string("master"),
            ..QueueTrigger::new(main)
        }),
        _ => {
            let policy = reader.string("concurrency_policy");
            let restart = reader.string("restart_policy");
            let defaults = ScheduleTrigger::new(main);
            Trigger::Schedule(ScheduleTrigger {
                timezone: reader.string("timezone"),
                concurrency_policy: policy
                    .and_then(|p| {
                        reader.choice::<ConcurrencyPolicy>(
                            "concurrency_policy",
                            &p.to_ascii_lowercase(),
                            "allow, forbid, replace",
                        )
                    })
                    .unwrap_or_default(),
                successful_history: reader
                    .int32("successful_history")
                    .unwrap_or(defaults.successful_history),
                failed_history: reader.int32("failed_history").unwrap_or(defaults.failed_history),
                starting_deadline: reader.int("starting_deadline"),
                retries: reader.int32("retries"),
                restart_policy: restart
                    .and_then(|p| {
                        reader.choice::<RestartPolicy>(
                            "restart_policy",
                            &super::literal::snake_case(&p),
                            "on_failure, never",
                        )
                    })
                    .unwrap_or(defaults.restart_policy),
                ..defaults
            })
        }
    };
    let ident_name = reader.string("name").unwrap_or_else(|| found.ident.clone());
    let name = super::to_function_name(&ident_name);
    if name.is_none() {
        reader.problems.push((
            found.line,
            format!("{ident_name:?} gives no valid function name; pass name=\"...\""),
        ));
    }
    let handler = format!("{module}:{}", found.ident).parse::<crate::Handler>();
    if let Err(e) = &handler {
        reader.problems.push((found.line, e.to_string()));
    }
    let visibility = reader
        .string("visibility")
        .and_then(|v| reader.choice::<Visibility>("visibility", &v, "public, internal, private, restricted"));
    let image = reader.string("image");
    let min_replicas = reader.int32("min_replicas");
    let max_replicas = reader.int32("max_replicas");
    let concurrency = reader.int32("concurrency");
    for message in trigger.problems_at(PathRef::ROOT).messages() {
        reader.problems.push((found.line, message));
    }
    match (name, handler) {
        (Some(name), Ok(handler)) if reader.problems.is_empty() => Ok(Function {
            visibility,
            image,
            min_replicas,
            max_replicas,
            concurrency,
            ..Function::new(name, handler, trigger)
        }),
        _ => Err(reader.problems),
    }
}
