//! `monitoring.coreos.com/v1`: ServiceMonitor.

mod service_monitor;

pub use self::service_monitor::{Endpoint, ServiceMonitor, ServiceMonitorSpec};
