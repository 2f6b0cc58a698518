//! The OpenAPI document integrators implement from. utoipa derives its shape from the handlers
//! and the domain types; the rules (enums, ranges, lengths, patterns, the responses every
//! operation can give) are added here from the domain constants, so no number is written twice.

use feedback_domain::{
    idempotency_key_pattern, ItemKind, ReportCategory, SortOrder, StatusFilter, DEFAULT_PER_PAGE,
    EVIDENCE_LINK_MAX_CHARS, IDEMPOTENCY_KEY_MAX_LEN, MAX_PAGE, MAX_PER_PAGE, MAX_QUERY_CHARS,
    MODERATION_REASON_MAX_CHARS, QUEUE_DEFAULT_LIMIT, QUEUE_MAX_LIMIT, QUEUE_MAX_OLDER_THAN_DAYS,
    REPORT_DESCRIPTION_MAX_CHARS, REPORT_DESCRIPTION_MIN_CHARS, REPORT_EVIDENCE_MAX_LINKS,
    RESPONSE_MAX_CHARS,
};
use serde_json::{json, Value};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use super::contracts as api;
use super::limits::{MAX_HEADER_BYTES, MAX_URI_BYTES};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Contract feedback API",
        description = "The API the feedback widget calls. See docs/api.md for the integrator's guide."
    ),
    paths(
        api::list_contracts,
        api::contract_details,
        api::post_response,
        api::post_report,
        api::post_removal_request,
        super::moderation::report_status,
        super::moderation::removal_status,
        super::moderation::queue,
        super::moderation::item,
        super::moderation::counts,
        super::work_history::work_history
    ),
    components(schemas(
        feedback_domain::ItemKind,
        feedback_domain::AuthorRole,
        feedback_domain::ReportCategory,
        feedback_domain::ReportStatus,
        feedback_domain::RemovalStatus,
        feedback_domain::ContractStatus
    )),
    modifiers(&BearerAuth)
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        // Moderator tokens are a separate set: neither kind is accepted in the other's place.
        components.add_security_scheme(
            "moderator",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "A moderator's token; server-side only (requests with Origin get 403)",
                    ))
                    .build(),
            ),
        );
    }
}

/// Characters refused in any text: C0 and C1 controls (but tab, newline, carriage return).
const NO_CONTROLS: &str = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f";

/// The whole document, rules included.
pub fn document() -> Value {
    let mut doc = serde_json::to_value(ApiDoc::openapi()).expect("the document serializes");
    add_rules(&mut doc);
    doc
}

fn problem(description: &str) -> Value {
    json!({
        "description": description,
        "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
    })
}

fn retry_after(mut response: Value) -> Value {
    response["headers"] = json!({
        "Retry-After": {
            "description": "Seconds to wait before trying again",
            "schema": {"type": "integer", "minimum": 1}
        }
    });
    response
}

fn add_rules(doc: &mut Value) {
    let schemas = &mut doc["components"]["schemas"];
    schemas["NewResponse"]["properties"]["text"] = json!({
        "type": "string",
        "minLength": 1,
        "maxLength": RESPONSE_MAX_CHARS,
        "description": format!(
            "1 to {RESPONSE_MAX_CHARS} characters (Unicode scalar values) after trimming \
             surrounding whitespace; not only whitespace or format characters; no control \
             characters but tab, newline and carriage return; no bidi embedding, override or \
             isolate controls (U+202A–U+202E, U+2066–U+2069)."
        )
    });
    schemas["NewReport"]["properties"]["description"] = json!({
        "type": "string",
        "minLength": REPORT_DESCRIPTION_MIN_CHARS,
        "maxLength": REPORT_DESCRIPTION_MAX_CHARS,
        "description": format!(
            "{REPORT_DESCRIPTION_MIN_CHARS} to {REPORT_DESCRIPTION_MAX_CHARS} characters after \
             trimming, with the same character rules as a response's text."
        )
    });
    schemas["NewReport"]["properties"]["evidence"] = json!({
        "type": "array",
        "maxItems": REPORT_EVIDENCE_MAX_LINKS,
        "default": [],
        "description": "Links to evidence; blank entries are ignored.",
        "items": {
            "type": "string",
            "maxLength": EVIDENCE_LINK_MAX_CHARS,
            "pattern": format!(r"^\s*(https?://[^\s/?#{NO_CONTROLS}][^\s{NO_CONTROLS}]*)?\s*$")
        }
    });

    for schema in ["NewReportStatus", "NewRemovalStatus"] {
        schemas[schema]["properties"]["reason"] = json!({
            "type": "string",
            "minLength": 1,
            "maxLength": MODERATION_REASON_MAX_CHARS,
            "description": format!(
                "Shown to the client in the status timeline: 1 to {MODERATION_REASON_MAX_CHARS} \
                 characters after trimming, with the same character rules as a response's text."
            )
        });
    }

    let key_header = |required: bool| {
        json!({
            "name": "Idempotency-Key",
            "in": "header",
            "required": required,
            "description": if required {
                "Required. A retry with the same key and body replays the first result."
            } else {
                "Optional; makes a retry safe. The same key and body replay the first result."
            },
            "schema": {
                "type": "string",
                "minLength": 1,
                "maxLength": IDEMPOTENCY_KEY_MAX_LEN,
                "pattern": idempotency_key_pattern()
            }
        })
    };
    let id_param = json!({
        "name": "id",
        "in": "path",
        "required": true,
        "description": "Contract id, in decimal without sign or leading zeros",
        "schema": {"type": "integer", "format": "int64", "minimum": 0}
    });
    let query_params = json!([
        {
            "name": "q", "in": "query", "required": false,
            "description": "Matches title or freelancer name (case-insensitive substring)",
            "schema": {
                "type": "string",
                "maxLength": MAX_QUERY_CHARS,
                "pattern": format!("^[^{NO_CONTROLS}\\t\\n\\r]*$")
            }
        },
        {
            "name": "status", "in": "query", "required": false,
            "schema": {
                "type": "string",
                "enum": StatusFilter::ALL.map(StatusFilter::as_str),
                "default": StatusFilter::default().as_str()
            }
        },
        {
            "name": "sort", "in": "query", "required": false,
            "schema": {
                "type": "string",
                "enum": SortOrder::ALL.map(SortOrder::as_str),
                "default": SortOrder::default().as_str()
            }
        },
        {
            "name": "page", "in": "query", "required": false,
            "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1}
        },
        {
            "name": "per_page", "in": "query", "required": false,
            "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE, "default": DEFAULT_PER_PAGE}
        }
    ]);

    let kind_param = json!({
        "name": "kind", "in": "path", "required": true,
        "description": "report or removal",
        "schema": {"type": "string", "enum": ItemKind::ALL.map(ItemKind::as_str)}
    });
    let all_statuses: Vec<&str> =
        ItemKind::ALL
            .into_iter()
            .flat_map(ItemKind::statuses)
            .fold(Vec::new(), |mut v, s| {
                if !v.contains(&s) {
                    v.push(s);
                }
                v
            });
    let queue_params = json!([
        {
            "name": "kind", "in": "query", "required": false,
            "description": "Only this kind; both by default (a category implies report)",
            "schema": {"type": "string", "enum": ItemKind::ALL.map(ItemKind::as_str)}
        },
        {
            "name": "status", "in": "query", "required": false,
            "description": "One status of the kind's lifecycle; the open ones by default",
            "schema": {"type": "string", "enum": all_statuses}
        },
        {
            "name": "category", "in": "query", "required": false,
            "description": "Only reports of this category",
            "schema": {"type": "string", "enum": ReportCategory::ALL.map(ReportCategory::as_str)}
        },
        {
            "name": "older_than", "in": "query", "required": false,
            "description": "Only items submitted at least this many days ago",
            "schema": {"type": "integer", "minimum": 0, "maximum": QUEUE_MAX_OLDER_THAN_DAYS}
        },
        {
            "name": "cursor", "in": "query", "required": false,
            "description": "The previous page's next_cursor (opaque)",
            "schema": {"type": "string"}
        },
        {
            "name": "limit", "in": "query", "required": false,
            "schema": {"type": "integer", "minimum": 1, "maximum": QUEUE_MAX_LIMIT, "default": QUEUE_DEFAULT_LIMIT}
        }
    ]);

    let Some(paths) = doc["paths"].as_object_mut() else {
        return;
    };
    for (path, item) in paths.iter_mut() {
        let Some(item) = item.as_object_mut() else {
            continue;
        };
        for (method, op) in item.iter_mut() {
            let post = method == "post";
            let mut params = Vec::new();
            if path.contains("{kind}") {
                params.push(kind_param.clone());
            }
            if path.contains("{id}") {
                params.push(id_param.clone());
            }
            if path == "/api/v1/moderation/queue" {
                params.extend(queue_params.as_array().cloned().unwrap_or_default());
            }
            if path == "/api/v1/contracts" {
                params.extend(query_params.as_array().cloned().unwrap_or_default());
            }
            let moderation = path.starts_with("/api/v1/moderation/");
            if post && !moderation {
                params.push(key_header(path.ends_with("/feedback/response")));
            }
            op["parameters"] = Value::Array(params);
            if path.ends_with("/removal-request") {
                op["requestBody"] = json!({
                    "required": false,
                    "description": "Empty, or `{}`: there is nothing else to send.",
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/NewRemovalRequest"}}}
                });
            }
            let responses = &mut op["responses"];
            responses["401"] = problem(if moderation {
                "No valid moderator token"
            } else {
                "No valid access token"
            });
            responses["401"]["headers"] = json!({
                "WWW-Authenticate": {"description": "The scheme to use: Bearer", "schema": {"type": "string"}}
            });
            responses["405"] = problem("Method not allowed on this path (see the Allow header)");
            responses["414"] =
                problem(&format!("The request target is over {MAX_URI_BYTES} bytes"));
            responses["422"] = problem("A parameter or field breaks a rule; see `errors`");
            responses["429"] = retry_after(problem("Too many requests from this caller"));
            responses["431"] = problem(&format!(
                "The request headers are over {MAX_HEADER_BYTES} bytes"
            ));
            responses["503"] = retry_after(problem("The server is busy"));
            if post {
                responses["408"] = problem("The request body did not arrive in time");
                responses["413"] =
                    problem(&format!("The body is over {} bytes", crate::BODY_LIMIT));
            }
        }
    }
}
