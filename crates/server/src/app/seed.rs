//! Demo data (every state the UI must show, relative to now), bulk data for scale tests, and the
//! opt-in test fixture endpoint. Seeding is idempotent: rows carry a `seed_key`.

use chrono::{DateTime, Duration, Utc};
use feedback_domain::{RemovalStatus, Report, ReportCategory, ReportStatus};
use serde::Deserialize;

use super::in_store_transaction;
use crate::storage::{to_stored_precision, NewContract, Store, StoreResult, Subject, WriteTx};

/// What `--seed` loads.
pub enum Seed {
    /// Nothing at all (the default on PostgreSQL: a shared, long-lived database is not
    /// seeded by whichever instance happens to start).
    Skip,
    /// Only the demo users.
    None,
    Demo,
    Bulk(u32),
}

/// Loads `seed`; safe when several instances start at once.
pub fn load(store: &dyn Store, seed: &Seed) -> StoreResult<()> {
    let now = Utc::now();
    in_store_transaction(store, |tx| run(tx, seed, now))?;
    if let Seed::Bulk(n) = seed {
        while in_store_transaction(store, |tx| bulk_batch(tx, *n, now))? {}
        store.after_bulk_seed()?;
    }
    Ok(())
}

/// Test fixtures (`--test-fixtures`): a contract for `user` in a given state; its id.
pub fn create_fixture(store: &dyn Store, user: i64, f: &Fixture) -> StoreResult<i64> {
    in_store_transaction(store, |tx| insert_fixture(tx, user, f))
}

pub struct DemoUser {
    pub name: &'static str,
    pub token: &'static str,
}

/// Alice has the full demo; Bob exists so tests can prove one user can't see another's data;
/// the bulk user holds `--seed bulk:N` contracts.
pub const ALICE: DemoUser = DemoUser {
    name: "Alice Client",
    token: "demo-alice",
};
pub const BOB: DemoUser = DemoUser {
    name: "Bob Client",
    token: "demo-bob",
};
pub const BULK: DemoUser = DemoUser {
    name: "Bulk Client",
    token: "demo-bulk",
};

/// The demo moderator: its token works on `/api/v1/moderation/…` only.
pub const MODERATOR: DemoUser = DemoUser {
    name: "Demo Moderator",
    token: "demo-moderator",
};

/// The demo contract whose report waits for a moderator: the start-up hint's example.
pub const REPORTED_DEMO: &str = "reported-submitted";
/// The freelancer of the demo contract with a posted response: the start-up hint shows that
/// freelancer's work history.
pub const ANSWERED_FREELANCER: &str = "Aisha Khan";

/// The statuses a report passed through to reach `status`, and a moderator's reason for each.
fn report_path(status: ReportStatus) -> Vec<(ReportStatus, Option<&'static str>)> {
    use ReportStatus::*;
    let mut path = vec![(Submitted, None)];
    if status != Submitted {
        path.push((UnderReview, Some("A moderator is looking at the report.")));
    }
    match status {
        Removed => path.push((Removed, Some("The comment breaks the feedback terms."))),
        Kept => path.push((Kept, Some("The comment describes the work and stays."))),
        Submitted | UnderReview => {}
    }
    path
}

/// A report in any status, with the history that led there (seed data and fixtures).
fn insert_report_at(tx: &mut dyn WriteTx, fid: i64, report: &Report) -> StoreResult<()> {
    tx.insert_report(fid, report)?;
    let mut at = report.created_at;
    for (status, reason) in report_path(report.status) {
        tx.insert_status_change(Subject::Report, fid, status.as_str(), reason, at)?;
        if status == ReportStatus::Removed {
            tx.mark_removed(Subject::Report, fid, at)?;
        }
        at += Duration::hours(1);
    }
    Ok(())
}

/// A removal request in any status, with its history (seed data and fixtures).
fn insert_removal_at(
    tx: &mut dyn WriteTx,
    gid: i64,
    status: RemovalStatus,
    at: DateTime<Utc>,
) -> StoreResult<()> {
    tx.insert_removal(gid, status, at)?;
    tx.insert_status_change(
        Subject::Removal,
        gid,
        RemovalStatus::Requested.as_str(),
        None,
        at,
    )?;
    let decided = at + Duration::hours(1);
    match status {
        RemovalStatus::Requested => {}
        RemovalStatus::Removed => {
            let reason = Some("Removed at the author's request.");
            tx.insert_status_change(Subject::Removal, gid, status.as_str(), reason, decided)?;
            tx.mark_removed(Subject::Removal, gid, decided)?;
        }
        RemovalStatus::Declined => {
            let reason = Some("The feedback is accurate and stays.");
            tx.insert_status_change(Subject::Removal, gid, status.as_str(), reason, decided)?;
        }
    }
    Ok(())
}

fn ensure_user(tx: &mut dyn WriteTx, u: &DemoUser) -> StoreResult<i64> {
    tx.ensure_user(u.name, u.token)
}

/// Loads `seed` in the caller's transaction. Idempotent: rows carry a `seed_key`, and the bulk
/// user's contracts are only topped up.
fn run(tx: &mut dyn WriteTx, seed: &Seed, now: DateTime<Utc>) -> StoreResult<()> {
    let now = to_stored_precision(now);
    if matches!(seed, Seed::Skip) {
        return Ok(());
    }
    tx.lock_for_seeding()?;
    match seed {
        Seed::Skip => Ok(()),
        Seed::None => seed_users_only(tx),
        // The bulk contracts come after, in batches (`bulk_batch`).
        Seed::Demo | Seed::Bulk(_) => seed_demo(tx, now),
    }
}

/// Contracts a bulk seeding transaction inserts at most: every insert also updates the
/// client's row in `contract_counts`, and PostgreSQL slows down quadratically when one
/// transaction updates one row 100,000 times.
pub const BULK_BATCH: u32 = 1_000;

/// One demo contract; every optional part is a state the UI must show.
#[derive(Default)]
struct Demo<'a> {
    key: &'a str,
    title: &'a str,
    freelancer: &'a str,
    description: &'a str,
    /// `None`: active.
    ended_ago: Option<Duration>,
    received: Option<(f32, Option<&'static str>)>,
    response: Option<&'static str>,
    report: Option<(ReportCategory, ReportStatus)>,
    given: Option<(f32, Option<&'static str>)>,
    removal: Option<RemovalStatus>,
}

const LONG_COMMENT: &str = "Working with this client was a mixed experience and I want to describe it fairly. \
The brief was clear at the start and payments arrived on time, which I appreciated. However, the scope grew \
considerably after the first milestone: three additional screens, a new colour palette and a change of \
typeface were requested without a change to the budget or the deadline. Communication was mostly by \
email with replies often taking several days, which made it hard to keep momentum. When we did speak, \
the conversations were friendly and constructive. In the end we delivered everything that was asked, \
but I would recommend that future freelancers agree on a written change-request process before starting. \
I would work with this client again on a smaller, well-defined project.";

fn demos() -> Vec<Demo<'static>> {
    let h = Duration::hours;
    let d = Duration::days;
    vec![
        Demo { key: "active-1", title: "Mobile app MVP (React Native)", freelancer: "Priya Natarajan",
            description: "Build the first version of the booking app for iOS and Android.", ..Default::default() },
        Demo { key: "active-2", title: "Monthly SEO retainer", freelancer: "Tomás Herrera",
            description: "Ongoing keyword research and on-page fixes.", ..Default::default() },
        Demo { key: "ended-1h", title: "Landing page copywriting", freelancer: "Grace Mwangi",
            description: "Hero, features and pricing copy for the spring launch.", ended_ago: Some(h(1)),
            received: Some((4.5, Some("Clear brief and quick feedback rounds. The client knew what they wanted and paid promptly."))),
            given: Some((5.0, Some("Grace wrote sharp, on-brand copy ahead of schedule."))), ..Default::default() },
        Demo { key: "ended-3d", title: "Logo and brand guidelines", freelancer: "Jonas Weber",
            description: "Logo, colour palette, typography and a 12-page brand book.", ended_ago: Some(d(3)),
            received: Some((3.0, Some("Requirements changed several times after sign-off, which stretched the timeline. Payment was on time."))),
            given: Some((4.0, Some("Good design work; a few deadlines slipped."))), ..Default::default() },
        Demo { key: "ended-27d23h", title: "Data pipeline for sales reports", freelancer: "Mei Lin",
            description: "Nightly ETL from the CRM into the reporting warehouse.", ended_ago: Some(d(27) + h(23)),
            received: Some((2.0, Some("The client did not provide database access for two weeks and then blamed me for the delay."))),
            given: Some((3.0, None)), ..Default::default() },
        Demo { key: "ended-28d", title: "Accessibility audit of the checkout", freelancer: "Samuel Okafor",
            description: "WCAG 2.1 AA review of the checkout flow.", ended_ago: Some(d(28)),
            received: Some((4.0, Some("Thorough client, good questions. Response period for this one has just ended."))),
            ..Default::default() },
        Demo { key: "ended-90d", title: "WordPress migration", freelancer: "Olivia Brown",
            description: "Move the blog from a shared host to managed WordPress.", ended_ago: Some(d(90)),
            received: Some((3.5, Some("Fine overall, though the content freeze was not respected."))),
            given: Some((4.0, Some("Migration went smoothly."))), ..Default::default() },
        Demo { key: "rating-only", title: "Product photo retouching", freelancer: "Luca Romano",
            description: "Retouch 120 product photos for the catalogue.", ended_ago: Some(d(2)),
            received: Some((5.0, None)), given: Some((5.0, Some("Fast and precise."))), ..Default::default() },
        Demo { key: "answered", title: "Customer support chatbot", freelancer: ANSWERED_FREELANCER,
            description: "Intent design and integration with the help centre.", ended_ago: Some(d(10)),
            received: Some((3.0, Some("The scope was not clear and the client was slow to answer questions."))),
            response: Some("Thank you for the work. For the record, the scope document was shared on day one and questions were answered within 24 hours on the project board."),
            given: Some((3.5, Some("Solid bot, some rework was needed."))), ..Default::default() },
        Demo { key: "reported-submitted", title: "Translation of the user manual", freelancer: "Pierre Dubois",
            description: "Translate the 80-page manual into French.", ended_ago: Some(d(6)),
            received: Some((1.0, Some("Give me a five-star review or I will tell everyone your product is a scam."))),
            report: Some((ReportCategory::Manipulation, ReportStatus::Submitted)), ..Default::default() },
        Demo { key: "reported-review", title: "Social media graphics", freelancer: "Kenji Watanabe",
            description: "30 post templates for Instagram and LinkedIn.", ended_ago: Some(d(12)),
            received: Some((1.0, Some("Worst client ever, a total idiot who should not be in business."))),
            report: Some((ReportCategory::Inappropriate, ReportStatus::UnderReview)), ..Default::default() },
        Demo { key: "reported-removed", title: "Podcast editing", freelancer: "Hannah Schmidt",
            description: "Edit and master 8 episodes.", ended_ago: Some(d(40)),
            received: Some((1.0, Some("My car broke down this week, terrible month."))),
            report: Some((ReportCategory::Irrelevant, ReportStatus::Removed)), ..Default::default() },
        Demo { key: "reported-kept", title: "Market research survey", freelancer: "Diego Alvarez",
            description: "Design and run a 500-respondent survey.", ended_ago: Some(d(35)),
            received: Some((2.5, Some("Payment for the final milestone came two weeks late."))),
            report: Some((ReportCategory::ConflictOfInterest, ReportStatus::Kept)), ..Default::default() },
        Demo { key: "removal-requested", title: "Bookkeeping cleanup", freelancer: "Fatima Zahra",
            description: "Reconcile 2025 accounts.", ended_ago: Some(d(20)),
            received: Some((4.5, Some("Organised client with clear records."))),
            response: Some("Thanks Fatima, it was a pleasure."),
            given: Some((2.0, Some("Several reconciliation errors had to be fixed by our accountant."))),
            removal: Some(RemovalStatus::Requested), ..Default::default() },
        Demo { key: "long-text", title: "E-commerce redesign (long feedback)", freelancer: "Margaret Ellington-Whitfield",
            description: "Full redesign of the online shop.", ended_ago: Some(d(5)),
            received: Some((3.5, Some(LONG_COMMENT))), given: Some((4.0, Some("Thoughtful designer."))), ..Default::default() },
        Demo { key: "non-latin", title: "ウェブサイトの日本語化 / تعريب الموقع", freelancer: "佐藤 花子",
            description: "日本語とアラビア語へのローカライズ。", ended_ago: Some(d(7)),
            received: Some((5.0, Some("とても良いクライアントでした。指示が明確で、支払いも迅速でした。🎉👍 شكراً جزيلاً!"))),
            given: Some((5.0, Some("素晴らしい翻訳でした 🌸"))), ..Default::default() },
        Demo { key: "html-like", title: "<b>Bold</b> title & \"quotes\"", freelancer: "<img src=x onerror=alert(1)>",
            description: "<script>alert('description')</script>", ended_ago: Some(d(4)),
            received: Some((2.0, Some("<script>alert('xss')</script><img src=x onerror=\"alert(1)\"> <a href=\"javascript:alert(2)\">click</a> &amp; &lt;b&gt;"))),
            given: Some((3.0, Some("</textarea><script>alert(3)</script>"))), ..Default::default() },
        Demo { key: "no-feedback", title: "Spreadsheet automation", freelancer: "Noah Williams",
            description: "Google Sheets scripts for invoicing.", ended_ago: Some(d(5)),
            given: Some((4.5, Some("Saved us hours every week."))), ..Default::default() },
    ]
}

/// Filler contracts so the history has several pages.
const FILLER_TITLES: &[&str] = &[
    "Newsletter template",
    "Pitch deck design",
    "API integration with Stripe",
    "Blog post series",
    "Unit test coverage",
    "Video explainer",
    "Onboarding emails",
    "Python scraper",
    "Icon set",
    "Legal terms review",
    "Shopify theme tweaks",
    "Database tuning",
    "Illustrations for the app",
    "Press release",
    "Kubernetes setup",
    "UX research interviews",
    "Infographic",
    "Resume rewrite",
    "Excel dashboard",
    "Voice-over recording",
    "CI pipeline",
    "Packaging design",
    "Grant proposal",
    "Chrome extension",
    "Email deliverability audit",
];
const FREELANCERS: &[&str] = &[
    "Ava Johnson",
    "Liam Smith",
    "Zoe Martin",
    "Ethan Clark",
    "Sofia Rossi",
    "Yuki Tanaka",
    "Omar Haddad",
    "Ines Costa",
    "Ravi Patel",
    "Elena Petrova",
];

fn seed_demo(tx: &mut dyn WriteTx, now: DateTime<Utc>) -> StoreResult<()> {
    {
        let alice = ensure_user(tx, &ALICE)?;
        let bob = ensure_user(tx, &BOB)?;
        tx.ensure_moderator(MODERATOR.name, MODERATOR.token)?;
        for d in demos() {
            insert_demo(tx, alice, &d, now)?;
        }
        for (i, title) in FILLER_TITLES.iter().enumerate() {
            let key = format!("filler-{i}");
            let ended = (i % 5 != 0).then(|| now - Duration::days(45 + 11 * i as i64));
            let demo = Demo {
                key: &key,
                title,
                freelancer: FREELANCERS[i % FREELANCERS.len()],
                description: "A past project.",
                ended_ago: ended.map(|e| now - e),
                received: ended.map(|_| {
                    (
                        3.0 + (i % 5) as f32 * 0.5,
                        (i % 3 != 0).then_some("Good collaboration."),
                    )
                }),
                given: ended.map(|_| (4.0, Some("Reliable work."))),
                ..Default::default()
            };
            insert_demo(tx, alice, &demo, now)?;
        }
        for (i, title) in [
            "Bob's private contract",
            "Bob's second contract",
            "Bob's active contract",
        ]
        .iter()
        .enumerate()
        {
            let demo = Demo {
                key: ["bob-1", "bob-2", "bob-3"][i],
                title,
                freelancer: "Carla Mendes",
                description: "Belongs to Bob.",
                ended_ago: (i < 2).then(|| Duration::days(2 + i as i64)),
                received: (i < 2).then_some((4.0, Some("Bob's feedback, private to Bob."))),
                ..Default::default()
            };
            insert_demo(tx, bob, &demo, now)?;
        }
        Ok(())
    }
}

fn insert_demo(tx: &mut dyn WriteTx, client: i64, d: &Demo, now: DateTime<Utc>) -> StoreResult<()> {
    if tx.is_seeded(d.key)? {
        return Ok(());
    }
    let ended_at = d.ended_ago.map(|a| now - a);
    let started_at = ended_at.unwrap_or(now) - Duration::days(30);
    let id = tx.insert_contract(&NewContract {
        client_id: client,
        title: d.title,
        freelancer_name: d.freelancer,
        description: d.description,
        started_at,
        ended_at,
        seed_key: Some(d.key),
    })?;
    let at = ended_at.unwrap_or(now);
    if let Some((rating, comment)) = d.received {
        let fid = tx.insert_received(id, rating, comment, at)?;
        if let Some(text) = d.response {
            tx.insert_response(fid, text, at + Duration::hours(2))?;
        }
        if let Some((category, status)) = d.report {
            insert_report_at(
                tx,
                fid,
                &Report {
                    category,
                    description: "The comment breaks the terms; see the message history on the contract for the full exchange.".into(),
                    evidence: vec!["https://example.com/evidence/screenshot-1.png".to_string()],
                    status,
                    created_at: at + Duration::hours(3),
                    history: Vec::new(),
                },
            )?;
        }
    }
    if let Some((rating, comment)) = d.given {
        let gid = tx.insert_given(id, client, rating, comment, at)?;
        if let Some(status) = d.removal {
            insert_removal_at(tx, gid, status, at + Duration::days(1))?;
        }
    }
    Ok(())
}

/// `bulk:N`: N contracts for the bulk user, in one transaction; a no-op if they already exist.
/// Tops the bulk user's contracts up towards `n`, at most `BULK_BATCH` of them; whether more
/// are missing.
fn bulk_batch(tx: &mut dyn WriteTx, n: u32, now: DateTime<Utc>) -> StoreResult<bool> {
    let now = to_stored_precision(now);
    tx.lock_for_seeding()?;
    let user = ensure_user(tx, &BULK)?;
    let have = tx.count_contracts(user)? as u32;
    let upto = n.min(have + BULK_BATCH);
    {
        for i in have..upto {
            let title = format!("{} #{i}", FILLER_TITLES[i as usize % FILLER_TITLES.len()]);
            let ended = (i % 7 != 0).then(|| now - Duration::hours(i64::from(i) * 5 + 1));
            let id = tx.insert_contract(&NewContract {
                client_id: user,
                title: &title,
                freelancer_name: FREELANCERS[i as usize % FREELANCERS.len()],
                description: "Generated for scale tests.",
                started_at: now - Duration::days(400),
                ended_at: ended,
                seed_key: None,
            })?;
            if let Some(at) = ended {
                if i % 3 != 0 {
                    tx.insert_received(id, 4.0, Some("Generated feedback."), at)?;
                }
            }
        }
    }
    Ok(upto < n)
}

fn seed_users_only(tx: &mut dyn WriteTx) -> StoreResult<()> {
    ensure_user(tx, &ALICE)?;
    ensure_user(tx, &BOB)?;
    tx.ensure_moderator(MODERATOR.name, MODERATOR.token)?;
    Ok(())
}

/// Body of the test-only `POST /api/test/contracts` (enabled by `--test-fixtures`): creates a
/// contract for the caller, so a browser test can have, say, a window that closes in 5 seconds.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fixture {
    title: String,
    #[serde(default = "default_freelancer")]
    freelancer_name: String,
    ended_at: Option<DateTime<Utc>>,
    received_rating: Option<f32>,
    received_comment: Option<String>,
    response: Option<String>,
    report_status: Option<ReportStatus>,
    /// The report's category (fraud by default), description and evidence links.
    report_category: Option<ReportCategory>,
    report_description: Option<String>,
    #[serde(default)]
    report_evidence: Vec<String>,
    given_rating: Option<f32>,
    removal_status: Option<RemovalStatus>,
    given_comment: Option<String>,
    /// When the report or removal request was sent (default: 3 and 2 hours ago).
    submitted_at: Option<DateTime<Utc>>,
}

fn default_freelancer() -> String {
    "Test Freelancer".into()
}

/// Inserts a fixture contract for `user` in the caller's transaction.
fn insert_fixture(tx: &mut dyn WriteTx, user: i64, f: &Fixture) -> StoreResult<i64> {
    let now = tx.now()?;
    let ended_at = f.ended_at.map(to_stored_precision);
    let id = tx.insert_contract(&NewContract {
        client_id: user,
        title: &f.title,
        freelancer_name: &f.freelancer_name,
        description: "Created by a test.",
        started_at: ended_at.unwrap_or(now) - Duration::days(14),
        ended_at,
        seed_key: None,
    })?;
    let at = ended_at.unwrap_or(now);
    if let Some(rating) = f.received_rating {
        let fid = tx.insert_received(id, rating, f.received_comment.as_deref(), at)?;
        if let Some(text) = &f.response {
            tx.insert_response(fid, text, now)?;
        }
        if let Some(status) = f.report_status {
            insert_report_at(
                tx,
                fid,
                &Report {
                    category: f.report_category.unwrap_or(ReportCategory::Fraud),
                    description: f
                        .report_description
                        .clone()
                        .unwrap_or_else(|| "Created by a test fixture for status display.".into()),
                    evidence: f.report_evidence.clone(),
                    status,
                    // Its history (an hour a step) ends before now.
                    created_at: f
                        .submitted_at
                        .map_or(now - Duration::hours(3), to_stored_precision),
                    history: Vec::new(),
                },
            )?;
        }
    }
    if let Some(rating) = f.given_rating {
        let gid = tx.insert_given(id, user, rating, f.given_comment.as_deref(), at)?;
        if let Some(status) = f.removal_status {
            let at = f
                .submitted_at
                .map_or(now - Duration::hours(2), to_stored_precision);
            insert_removal_at(tx, gid, status, at)?;
        }
    }
    Ok(id)
}
