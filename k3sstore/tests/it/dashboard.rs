//! Issue 14: the dashboard in a real browser (Debian's `chromium` driven through
//! `chromedriver` over WebDriver) against the orchestrator on the real test cluster.
//! Screenshots of the list and the detail page go to `$CARGO_TARGET_TMPDIR/dashboard/`.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::{Client as Browser, ClientBuilder, Locator};
use hyper::{Method, StatusCode};
use hyper_util::client::legacy::connect::HttpConnector;
use k3sstore::http::limit::Limits;
use serde_json::json;

use crate::common::http::call;
use crate::common::{self, Orchestrator, identity};

/// Stores reach `Ready` on the real node: pods started and probed.
const UI_WAIT: Duration = common::NODE_WAIT;

/// `chromedriver` on a free port; killed when dropped.
struct Driver {
    child: Child,
    url: String,
}

impl Driver {
    async fn start() -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let child = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver (apt-get install chromium chromium-driver)");
        // Owned by the guard at once: killed and waited for on every path.
        let driver = Driver {
            child,
            url: format!("http://127.0.0.1:{port}"),
        };
        for _ in 0..100 {
            if tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_ok() {
                return driver;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        drop(driver);
        panic!("chromedriver did not listen on {port}");
    }

    async fn browser(&self) -> Browser {
        let capabilities = json!({
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": "/usr/bin/chromium",
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                         "--window-size=1280,900", "--no-first-run"]
            }
        });
        let serde_json::Value::Object(capabilities) = capabilities else {
            unreachable!("an object")
        };
        ClientBuilder::new(HttpConnector::new())
            .capabilities(capabilities)
            .connect(&self.url)
            .await
            .expect("a headless chromium session")
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn output_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("dashboard");
    std::fs::create_dir_all(&dir).expect("the screenshot folder");
    dir
}

async fn text(browser: &Browser, css: &str) -> String {
    browser
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"))
        .text()
        .await
        .expect("text")
}

/// Clicks the element `css` selects.
async fn click(browser: &Browser, css: &str) {
    let element = browser
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"));
    element.click().await.unwrap_or_else(|e| panic!("click {css}: {e}"));
}

/// Waits until the element at `xpath` exists (the page updates itself).
async fn until(browser: &Browser, xpath: &str) {
    browser
        .wait()
        .at_most(UI_WAIT)
        .for_element(Locator::XPath(xpath))
        .await
        .unwrap_or_else(|e| panic!("never appeared: {xpath}: {e}"));
}

async fn sign_in(browser: &Browser, base: &str, token: &str) {
    browser.goto(&format!("{base}/")).await.expect("open the dashboard");
    browser
        .execute("sessionStorage.clear(); location.reload();", vec![])
        .await
        .expect("a fresh session");
    let input = browser
        .wait()
        .at_most(UI_WAIT)
        .for_element(Locator::Id("token"))
        .await
        .expect("the sign-in form");
    input.send_keys(token).await.expect("type the token");
    click(browser, "#sign-in-form button").await;
}

#[tokio::test]
#[ignore = "needs a cluster with a node (KUBECONFIG, ../shared/kube/node, .ci/node-images) and chromium"]
async fn the_dashboard_creates_follows_and_deletes_a_store_in_a_real_browser() {
    let client = common::admin().await;
    common::install_crd(&client).await;
    let role = crate::api::grant(&client, "bob", &["create", "get", "list", "watch", "delete"]).await;
    let orchestrator = Orchestrator::start(identity::controller_client(&client).await, Limits::default()).await;
    let base = orchestrator.base.clone();
    let bob = common::token("bob");
    let driver = Driver::start().await;
    let browser = driver.browser().await;
    let out = output_dir();

    sign_in(&browser, &base, &bob).await;
    until(&browser, "//p[@id='live' and contains(., 'Live')]").await;

    // The form shows the API's problems next to the field.
    let id_input = browser.find(Locator::Id("create-id")).await.expect("id input");
    id_input.send_keys("Bad_Id").await.expect("type");
    click(&browser, "#create-form button").await;
    until(
        &browser,
        "//p[@id='create-id-error' and contains(., 'id: invalid DNS-1123 label')]",
    )
    .await;

    // A store created through the form appears at once and follows its phases by itself.
    let ready = common::unique("ui-ready");
    id_input.clear().await.expect("clear");
    id_input.send_keys(&ready).await.expect("type");
    click(&browser, "#create-form button").await;
    until(&browser, &format!("//tr[@data-id='{ready}']")).await;
    // A second store that stays Provisioning (its API never answers on its port).
    let pending = common::unique("ui-pending");
    let mut silent = k3sstore::Store::new(&pending, k3sstore::StoreSpec::default());
    silent.spec.api_image = Some(common::node::SILENT_IMAGE.to_owned());
    kube::Api::<k3sstore::Store>::all(client.clone())
        .create(&kube::api::PostParams::default(), &silent)
        .await
        .expect("the pending store");
    until(
        &browser,
        &format!("//tr[@data-id='{pending}']//span[text()='Provisioning']"),
    )
    .await;
    until(&browser, &format!("//tr[@data-id='{ready}']//span[text()='Ready']")).await;
    until(
        &browser,
        &format!("//tr[@data-id='{ready}']//a[@href='http://{ready}.localhost']"),
    )
    .await;
    until(
        &browser,
        "//dl[@id='summary-list']/dt[text()='Ready']/following-sibling::dd[1][text()!='0']",
    )
    .await;
    browser.set_window_size(1280, 1300).await.expect("a taller window");
    std::fs::write(out.join("list.png"), browser.screenshot().await.expect("screenshot")).expect("save list.png");

    // The detail page: phase, URL, namespace and the activity log, newest first.
    browser
        .goto(&format!("{base}/stores/{ready}"))
        .await
        .expect("open the detail page");
    until(&browser, "//dd[@id='detail-phase']/span[text()='Ready']").await;
    until(&browser, "//ol[@id='timeline']/li[1]/strong[contains(., 'Ready')]").await;
    assert_eq!(text(&browser, "#detail-namespace").await, format!("store-{ready}"));
    // Issue 25 item 7: the user who asked for it, from the store's annotation.
    assert_eq!(text(&browser, "#detail-requested-by").await, "bob");
    let timeline = text(&browser, "#timeline").await;
    let newest_ready = timeline.find("Ready").expect("a Ready event");
    let accepted = timeline.find("Accepted").expect("an Accepted event");
    assert!(newest_ready < accepted, "newest first:\n{timeline}");
    browser.set_window_size(1280, 1100).await.expect("a taller window");
    std::fs::write(out.join("detail.png"), browser.screenshot().await.expect("screenshot")).expect("save detail.png");

    // Delete with a confirmation naming the store; the page shows Deleting, then the store is gone.
    click(&browser, "#detail-delete").await;
    let question = browser.get_alert_text().await.expect("a confirmation");
    assert!(question.contains(&ready), "{question}");
    browser.accept_alert().await.expect("confirm");
    until(&browser, "//p[@id='gone' and not(@hidden)]").await;

    // Every request the pages made went to their own origin.
    let origins = browser
        .execute(
            "return performance.getEntriesByType('resource').map(e => e.name).concat([location.href]);",
            vec![],
        )
        .await
        .expect("the resource timing entries");
    let urls: Vec<String> = serde_json::from_value(origins).expect("a list of URLs");
    assert!(urls.len() > 1, "{urls:?}");
    assert!(
        urls.iter().all(|u| u.starts_with(&base)),
        "a request left {base}: {urls:?}"
    );

    // alice has no rights: the 403 is explained with her name and the missing permission.
    sign_in(&browser, &base, &common::token("alice")).await;
    until(
        &browser,
        "//div[@id='alert' and contains(., 'alice') and contains(., 'list')]",
    )
    .await;

    browser.close().await.expect("close the browser");
    common::delete_store(&client, &pending).await;
    drop(orchestrator);
    crate::api::revoke(&client, &role).await;
}

/// Issue 25 item 8: with `--insecure-no-auth` the dashboard asks for no token: the list loads
/// and follows the stores at once, and the sign-in form stays hidden.
#[tokio::test]
#[ignore = "needs a cluster (KUBECONFIG)"]
async fn the_dashboard_needs_no_sign_in_in_insecure_mode() {
    let client = common::admin().await;
    common::install_crd(&client).await;
    let orchestrator = Orchestrator::with(identity::controller_client(&client).await, |config| {
        config.insecure_no_auth = true;
    })
    .await;
    let base = orchestrator.base.clone();
    let driver = Driver::start().await;
    let browser = driver.browser().await;
    browser.goto(&format!("{base}/")).await.expect("open the dashboard");
    until(&browser, "//p[@id='live' and contains(., 'Live')]").await;
    let id = common::unique("ui-insecure");
    let created = call(
        &base,
        Method::POST,
        "/api/stores",
        None,
        Some(&format!(r#"{{"id":"{id}"}}"#)),
    )
    .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    until(&browser, &format!("//tr[@data-id='{id}']")).await;
    until(&browser, "//section[@id='sign-in' and @hidden]").await;
    until(&browser, "//button[@id='sign-out' and @hidden]").await;
    browser.close().await.expect("close the browser");
    common::delete_store(&client, &id).await;
    drop(orchestrator);
}
