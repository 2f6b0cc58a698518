//! Counting passed and failed tests across the runners' different output formats.

/// What one suite reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Outcome {
    pub passed: u32,
    pub failed: u32,
}

impl Outcome {
    /// A suite that could not run (or crashed without reporting) counts as one failure.
    pub fn broken() -> Self {
        Self {
            passed: 0,
            failed: 1,
        }
    }

    /// Sums cargo's `test result: … N passed; M failed` lines, or reads node's TAP
    /// `# pass N` / `# fail M`. A non-zero exit with no failure counted is one failure.
    pub fn parse(output: &str, exit_ok: bool) -> Self {
        let mut o = Self::default();
        for line in output.lines() {
            let line = line.trim();
            if let Some(rest) = line.strip_prefix("test result: ") {
                o.passed += number_before(rest, " passed");
                o.failed += number_before(rest, " failed");
            } else if let Some(n) = line.strip_prefix("# pass ") {
                o.passed += n.trim().parse().unwrap_or(0);
            } else if let Some(n) = line.strip_prefix("# fail ") {
                o.failed += n.trim().parse().unwrap_or(0);
            }
        }
        if !exit_ok && o.failed == 0 {
            o.failed = 1;
        }
        o
    }

    /// Schemathesis: one test per API operation it tested ("Tested: N"), each failure it
    /// reports on its "… generated, … passed, M failed" line as one failure.
    pub fn parse_schemathesis(output: &str, exit_ok: bool) -> Self {
        let mut o = Self::default();
        for line in output.lines().map(str::trim) {
            if let Some(n) = line.strip_prefix("Tested: ") {
                o.passed = n.trim().parse().unwrap_or(0);
            } else if line.contains(" generated, ") {
                o.failed = number_before(line, " failed");
            }
        }
        if o.failed > 0 || !exit_ok {
            o.failed = o.failed.max(1);
            o.passed = o.passed.saturating_sub(o.failed);
        }
        o
    }
}

fn number_before(text: &str, marker: &str) -> u32 {
    text.find(marker)
        .and_then(|end| text[..end].rsplit([' ', '.', ';']).next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

#[derive(Default)]
pub struct Summary {
    suites: Vec<(String, Outcome)>,
}

impl Summary {
    pub fn add(&mut self, name: &str, o: Outcome) {
        self.suites.push((name.to_string(), o));
    }

    pub fn all_passed(&self) -> bool {
        self.suites.iter().all(|(_, o)| o.failed == 0)
    }

    /// Per-suite lines, then the single closing line CI reads.
    pub fn report(&self) -> String {
        let mut s = String::from("Summary:\n");
        let (mut p, mut f) = (0, 0);
        for (name, o) in &self.suites {
            s.push_str(&format!(
                "  {name}: {} passed, {} failed\n",
                o.passed, o.failed
            ));
            p += o.passed;
            f += o.failed;
        }
        s.push_str(&format!("{p} passed, {f} failed"));
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schemathesis_counts_operations_and_failures() {
        let ok = "API Operations:\n  Selected: 5/5\n  Tested: 5\nTest cases:\n  876 generated, 876 passed, 10 skipped\n";
        assert_eq!(
            Outcome::parse_schemathesis(ok, true),
            Outcome {
                passed: 5,
                failed: 0
            }
        );
        let bad = "  Tested: 5\n  900 generated, 897 passed, 3 failed, 10 skipped\n";
        assert_eq!(
            Outcome::parse_schemathesis(bad, false),
            Outcome {
                passed: 2,
                failed: 3
            }
        );
        assert_eq!(
            Outcome::parse_schemathesis("crash", false),
            Outcome {
                passed: 0,
                failed: 1
            }
        );
    }

    #[test]
    fn sums_cargo_test_result_lines() {
        let out = "test result: ok. 37 passed; 0 failed; 0 ignored\n\
                   test result: FAILED. 3 passed; 2 failed; 1 ignored; 0 measured";
        assert_eq!(
            Outcome::parse(out, false),
            Outcome {
                passed: 40,
                failed: 2
            }
        );
    }

    #[test]
    fn reads_node_tap_counts() {
        let out = "ok 1 - boots\n# tests 3\n# pass 2\n# fail 1\n";
        assert_eq!(
            Outcome::parse(out, false),
            Outcome {
                passed: 2,
                failed: 1
            }
        );
    }

    #[test]
    fn a_failed_run_that_reported_nothing_counts_as_a_failure() {
        assert_eq!(
            Outcome::parse("error: could not compile", false),
            Outcome::broken()
        );
        assert_eq!(Outcome::parse("", true), Outcome::default());
    }

    #[test]
    fn the_report_ends_with_the_plain_closing_line() {
        let mut s = Summary::default();
        s.add(
            "a",
            Outcome {
                passed: 3,
                failed: 0,
            },
        );
        s.add(
            "b",
            Outcome {
                passed: 1,
                failed: 2,
            },
        );
        assert!(s.report().ends_with("\n4 passed, 2 failed"));
        assert!(!s.all_passed());
    }
}
