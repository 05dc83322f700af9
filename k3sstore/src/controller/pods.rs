//! What the kubelet says about a store's pods: a container that cannot start for a reason
//! that does not heal by waiting (an image that cannot be pulled, a process that exits at
//! start) fails the store at once, in words a person understands, instead of at the deadline.
//!
//! The reasons are the kubelet's own `waiting.reason` values: `ErrImagePull` and
//! `ImagePullBackOff` (pkg/kubelet/images/types.go), `InvalidImageName`,
//! `CreateContainerConfigError` and `CrashLoopBackOff` (pkg/kubelet/container/sync_result.go
//! and kuberuntime); the kubelet's own `message` for a pull failure is a Go error chain
//! (`failed to pull and unpack image ...: dial tcp: lookup ...`) and is not repeated.

use k3splatform::store::{API, POSTGRES};
use k8s_openapi::api::core::v1::{ContainerStatus, Pod};

use super::status::Blocker;

/// The label selector of a store's database and API pods (the apps' `app.kubernetes.io/name`).
#[must_use]
pub fn selector() -> String {
    format!("{} in ({POSTGRES},{API})", k3score::labels::NAME)
}

/// The first container of `pods` (database before API) that cannot start without a change,
/// as a [`Blocker`] naming the part of the store, the pod and the cause. Pods being deleted
/// are skipped (an old ReplicaSet's pod during a rollout).
#[must_use]
pub fn stuck(pods: &[Pod]) -> Option<Blocker> {
    let mut live: Vec<&Pod> = pods
        .iter()
        .filter(|p| p.metadata.deletion_timestamp.is_none())
        .collect();
    live.sort_by_key(|p| (app_of(p) != POSTGRES, p.metadata.name.clone()));
    live.into_iter().find_map(|pod| {
        let status = pod.status.as_ref()?;
        let containers = status.init_container_statuses.iter().flatten();
        let found = containers
            .chain(status.container_statuses.iter().flatten())
            .find_map(cause)?;
        let pod_name = pod.metadata.name.as_deref().unwrap_or_default();
        let part = if app_of(pod) == POSTGRES {
            "the database"
        } else {
            "the API"
        };
        Some(Blocker {
            reason: found.0,
            message: format!("{part} cannot start (pod {pod_name}): {}", found.1),
        })
    })
}

fn app_of(pod: &Pod) -> &str {
    pod.metadata
        .labels
        .as_ref()
        .and_then(|l| l.get(k3score::labels::NAME))
        .map_or("", String::as_str)
}

/// The reason and sentence for one container that waits for a reason that does not heal.
fn cause(container: &ContainerStatus) -> Option<(&'static str, String)> {
    let waiting = container.state.as_ref()?.waiting.as_ref()?;
    let name = &container.name;
    let image = &container.image;
    let sentence = match waiting.reason.as_deref()? {
        reason @ ("ErrImagePull" | "ImagePullBackOff") => (
            if reason == "ErrImagePull" {
                "ErrImagePull"
            } else {
                "ImagePullBackOff"
            },
            format!(
                "image {image} of container {name} cannot be pulled ({reason}); check its name and tag, and that the node can reach its registry"
            ),
        ),
        "InvalidImageName" => (
            "InvalidImageName",
            format!("{image} (container {name}) is not a valid image reference (InvalidImageName)"),
        ),
        "CreateContainerConfigError" => {
            let why = waiting.message.as_deref().unwrap_or("its configuration is refused");
            (
                "CreateContainerConfigError",
                format!("container {name} cannot be created: {why} (CreateContainerConfigError)"),
            )
        }
        "CrashLoopBackOff" => ("CrashLoopBackOff", crashed(container)),
        _ => return None,
    };
    Some(sentence)
}

/// How a container in `CrashLoopBackOff` ended last time.
fn crashed(container: &ContainerStatus) -> String {
    let name = &container.name;
    let restarts = container.restart_count;
    let last = container.last_state.as_ref().and_then(|s| s.terminated.as_ref());
    let how = match last {
        Some(t) if t.reason.as_deref() == Some("OOMKilled") => {
            "is killed for using more memory than its limit".to_owned()
        }
        Some(t) => format!("exits at start with exit code {}", t.exit_code),
        None => "exits at start".to_owned(),
    };
    let said = last
        .and_then(|t| t.message.as_deref())
        .map(str::trim)
        .filter(|m| !m.is_empty())
        .map(|m| format!(": {m}"))
        .unwrap_or_default();
    let times = if restarts == 1 {
        "once".to_owned()
    } else {
        format!("{restarts} times")
    };
    format!("container {name} {how} (restarted {times}, CrashLoopBackOff){said}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::core::v1::{ContainerState, ContainerStateTerminated, ContainerStateWaiting, PodStatus};
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, Time};

    fn pod(name: &str, app: &str, containers: Vec<ContainerStatus>) -> Pod {
        Pod {
            metadata: ObjectMeta {
                name: Some(name.to_owned()),
                labels: Some([(k3score::labels::NAME.to_owned(), app.to_owned())].into()),
                ..ObjectMeta::default()
            },
            status: Some(PodStatus {
                container_statuses: Some(containers),
                ..PodStatus::default()
            }),
            ..Pod::default()
        }
    }

    fn waiting(name: &str, image: &str, reason: &str, message: &str) -> ContainerStatus {
        ContainerStatus {
            name: name.to_owned(),
            image: image.to_owned(),
            state: Some(ContainerState {
                waiting: Some(ContainerStateWaiting {
                    reason: Some(reason.to_owned()),
                    message: Some(message.to_owned()),
                }),
                ..ContainerState::default()
            }),
            ..ContainerStatus::default()
        }
    }

    #[test]
    fn a_pull_failure_names_the_image_not_the_go_error() {
        let go = "failed to pull and unpack image \"docker.io/acme/nope:1\": dial tcp: lookup registry-1.docker.io: no such host";
        let pods = [pod(
            "api-5d9c-x2",
            API,
            vec![waiting("api", "docker.io/acme/nope:1", "ImagePullBackOff", go)],
        )];
        let blocker = stuck(&pods).expect("stuck");
        assert_eq!(blocker.reason, "ImagePullBackOff");
        assert_eq!(
            blocker.message,
            "the API cannot start (pod api-5d9c-x2): image docker.io/acme/nope:1 of container api cannot be pulled (ImagePullBackOff); check its name and tag, and that the node can reach its registry"
        );
        assert!(!blocker.message.contains("dial tcp"), "{}", blocker.message);
    }

    #[test]
    fn a_crash_loop_says_how_the_container_ended() {
        let mut crash = waiting(
            "postgres",
            "postgres:17.6",
            "CrashLoopBackOff",
            "back-off 20s restarting failed container",
        );
        crash.restart_count = 2;
        crash.last_state = Some(ContainerState {
            terminated: Some(ContainerStateTerminated {
                exit_code: 1,
                reason: Some("Error".to_owned()),
                finished_at: Some(Time(jiff::Timestamp::UNIX_EPOCH)),
                ..ContainerStateTerminated::default()
            }),
            ..ContainerState::default()
        });
        let api = pod("api-1", API, vec![waiting("api", "a:1", "ErrImagePull", "x")]);
        let db = pod("postgres-0", POSTGRES, vec![crash.clone()]);
        let blocker = stuck(&[api, db]).expect("stuck");
        assert_eq!(blocker.reason, "CrashLoopBackOff", "the database comes first");
        assert_eq!(
            blocker.message,
            "the database cannot start (pod postgres-0): container postgres exits at start with exit code 1 (restarted 2 times, CrashLoopBackOff)"
        );
        crash.last_state.as_mut().unwrap().terminated.as_mut().unwrap().reason = Some("OOMKilled".to_owned());
        let oom = stuck(&[pod("postgres-0", POSTGRES, vec![crash])]).unwrap();
        assert!(
            oom.message.contains("is killed for using more memory than its limit"),
            "{}",
            oom.message
        );
    }

    #[test]
    fn starting_deleted_and_running_pods_are_not_stuck() {
        let creating = pod("api-1", API, vec![waiting("api", "a:1", "ContainerCreating", "")]);
        let mut leaving = pod("api-2", API, vec![waiting("api", "a:0", "ImagePullBackOff", "")]);
        leaving.metadata.deletion_timestamp = Some(Time(jiff::Timestamp::UNIX_EPOCH));
        let running = pod(
            "postgres-0",
            POSTGRES,
            vec![ContainerStatus {
                name: "postgres".to_owned(),
                ready: true,
                ..ContainerStatus::default()
            }],
        );
        assert_eq!(stuck(&[creating, leaving, running, Pod::default()]), None);
        assert_eq!(selector(), "app.kubernetes.io/name in (postgres,api)");
    }

    #[test]
    fn config_errors_carry_the_kubelet_sentence() {
        let refused = waiting(
            "api",
            "a:1",
            "CreateContainerConfigError",
            "container has runAsNonRoot and image has non-numeric user (node), cannot verify user is non-root",
        );
        let blocker = stuck(&[pod("api-1", API, vec![refused])]).unwrap();
        assert_eq!(blocker.reason, "CreateContainerConfigError");
        assert!(
            blocker
                .message
                .ends_with("cannot verify user is non-root (CreateContainerConfigError)")
        );
        let bad = stuck(&[pod("api-1", API, vec![waiting("api", "UPPER", "InvalidImageName", "")])]).unwrap();
        assert!(
            bad.message
                .contains("UPPER (container api) is not a valid image reference")
        );
    }
}
