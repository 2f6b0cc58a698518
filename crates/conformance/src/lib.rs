//! The behavioural contract of docs/api.md, checked against any backend over HTTP: the rules
//! (`rules.rs`) and a runner. The `feedback-conformance` binary prints one line per rule.

mod rules;

/// The backend under test.
pub struct Target {
    pub base: String,
    pub token: String,
    pub second_token: Option<String>,
    pub fixtures: bool,
    pub allowed_origin: Option<String>,
}

/// A rule's result: `Pass`, `Skip(why)` (what it needs is not there), or `Fail(why)`.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    Pass,
    Skip(String),
    Fail(String),
}

/// Every rule's name and verdict, in order.
pub fn run(target: &Target) -> Vec<(&'static str, Verdict)> {
    rules::ALL
        .iter()
        .map(|(name, rule)| {
            let verdict = match rule(target) {
                Ok(rules::Outcome::Pass) => Verdict::Pass,
                Ok(rules::Outcome::Skip(why)) => Verdict::Skip(why),
                Err(why) => Verdict::Fail(why),
            };
            (*name, verdict)
        })
        .collect()
}

/// The names of the rules, for reports.
pub fn rule_names() -> Vec<&'static str> {
    rules::ALL.iter().map(|(name, _)| *name).collect()
}
