//! The dashboard's pages, rendered on the server with maud (which escapes every value): the
//! store list with the create form and the metrics summary, and a store's detail page. The
//! data comes from the API in the browser (the token lives there, not on the server).

use maud::{DOCTYPE, Markup, html};

/// The frame of every page: sign-in, alerts and the live-status line. Without `sign_in`
/// (`--insecure-no-auth`) the body says `data-auth="none"` and the script asks for no token.
fn layout(title: &str, page: &str, store: Option<&str>, sign_in: bool, content: &Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · k3sstore" }
                link rel="stylesheet" href="/assets/app.css";
                script src="/assets/app.js" defer {}
            }
            body data-page=(page) data-store=[store] data-auth=[(!sign_in).then_some("none")] {
                header {
                    h1 { a href="/" { "k3sstore" } }
                    button id="sign-out" type="button" hidden { "Sign out" }
                }
                main {
                    div id="alert" role="alert" hidden {}
                    section id="sign-in" aria-labelledby="sign-in-title" hidden {
                        h2 id="sign-in-title" { "Sign in" }
                        form id="sign-in-form" {
                            label for="token" { "Bearer token" }
                            input id="token" name="token" type="password" autocomplete="off" required
                                aria-describedby="token-hint";
                            p id="token-hint" class="hint" {
                                "A Kubernetes token (for example from "
                                code { "kubectl create token" }
                                "). It stays in this browser tab only and is sent as "
                                code { "Authorization: Bearer" } "."
                            }
                            button type="submit" { "Sign in" }
                        }
                    }
                    div id="content" hidden {
                        p id="live" role="status" aria-live="polite" {}
                        (content)
                    }
                }
            }
        }
    }
}

/// `/`: the store list, the create form and the metrics summary.
#[must_use]
pub fn list(sign_in: bool) -> Markup {
    let content = html! {
        section aria-labelledby="stores-title" {
            h2 id="stores-title" { "Stores" }
            div class="table-wrap" {
                table {
                    caption class="visually-hidden" { "Stores, their phase, URL, age and last event" }
                    thead {
                        tr {
                            th scope="col" { "Id" }
                            th scope="col" { "Phase" }
                            th scope="col" { "URL" }
                            th scope="col" { "Created" }
                            th scope="col" { "Last event" }
                            th scope="col" { span class="visually-hidden" { "Actions" } }
                        }
                    }
                    tbody id="stores" aria-live="polite" {}
                }
            }
            p id="empty" { "No stores yet." }
        }
        div class="grid" {
            section aria-labelledby="create-title" {
                h2 id="create-title" { "Create a store" }
                form id="create-form" novalidate {
                    label for="create-id" { "Store id" }
                    input id="create-id" name="id" required autocomplete="off"
                        aria-describedby="create-id-error" placeholder="acme";
                    p id="create-id-error" class="field-error" aria-live="polite" {}
                    label for="create-engine" { "Engine" }
                    select id="create-engine" name="engine" aria-describedby="create-engine-error" {
                        option value="medusa" { "medusa" }
                    }
                    p id="create-engine-error" class="field-error" aria-live="polite" {}
                    label for="create-size" { "Size" }
                    select id="create-size" name="size" aria-describedby="create-size-error" {
                        option value="" { "default for the target" }
                        option value="small" { "small" }
                        option value="large" { "large" }
                    }
                    p id="create-size-error" class="field-error" aria-live="polite" {}
                    button type="submit" { "Create" }
                    p id="create-error" role="status" aria-live="polite" {}
                }
            }
            section aria-labelledby="summary-title" {
                h2 id="summary-title" { "Summary" }
                dl id="summary-list" {}
            }
        }
    };
    layout("Stores", "list", None, sign_in, &content)
}

/// `/stores/{id}`: one store, its conditions and its activity log.
#[must_use]
pub fn detail(id: &str, sign_in: bool) -> Markup {
    let content = html! {
        p { a href="/" { "← All stores" } }
        h2 { "Store " (id) }
        p id="gone" hidden { "This store does not exist (any more)." }
        section id="detail" aria-labelledby="detail-title" {
            h3 id="detail-title" class="visually-hidden" { "Details" }
            dl {
                dt { "Phase" } dd id="detail-phase" aria-live="polite" {}
                dt { "URL" } dd id="detail-url" {}
                dt { "Namespace" } dd id="detail-namespace" {}
                dt { "Created" } dd id="detail-created" {}
                dt { "Requested by" } dd id="detail-requested-by" {}
                div id="detail-message-row" hidden {
                    dt { "Failure" } dd id="detail-message" {}
                }
            }
            h3 { "Conditions" }
            ul id="detail-conditions" {}
            button id="detail-delete" type="button" class="danger" { "Delete store " (id) }
            p id="detail-live" role="status" aria-live="polite" {}
            h3 id="timeline-title" { "Activity log (newest first)" }
            ol id="timeline" class="timeline" aria-labelledby="timeline-title" aria-live="polite" {}
            p id="timeline-empty" hidden { "No events yet." }
        }
    };
    layout(&format!("Store {id}"), "detail", Some(id), sign_in, &content)
}
