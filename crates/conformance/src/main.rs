//! `feedback-conformance --api-base URL --token T [--second-token T2] [--fixtures]
//! [--allowed-origin O]`: the behavioural contract of docs/api.md checked against any backend,
//! one line per rule (`pass`/`fail`/`skip` and why), exit status 1 if a rule failed.
//! `cargo xtask conformance …` runs it.

use std::process::ExitCode;

use feedback_conformance::{run, Target, Verdict};

const USAGE: &str = "\
usage: feedback-conformance --api-base URL --token TOKEN [--second-token TOKEN]
                            [--fixtures] [--allowed-origin ORIGIN]

  --api-base URL        where /api/v1 lives (e.g. http://127.0.0.1:8787)
  --token TOKEN         a client's bearer token
  --second-token TOKEN  another client's: checks that neither sees the other's contracts
  --fixtures            the backend has POST /api/test/contracts (the reference server's
                        --test-fixtures): the rules that need contracts in given states run
  --allowed-origin O    an origin the backend's CORS allows (checked besides one it refuses)
";

fn parse(args: &[String]) -> Result<Target, String> {
    let mut it = args.iter();
    let (mut base, mut token, mut second_token, mut fixtures, mut allowed_origin) =
        (None, None, None, false, None);
    while let Some(flag) = it.next() {
        let mut value = || it.next().cloned().ok_or(format!("{flag} needs a value"));
        match flag.as_str() {
            "--api-base" => base = Some(value()?.trim_end_matches('/').to_string()),
            "--token" => token = Some(value()?),
            "--second-token" => second_token = Some(value()?),
            "--allowed-origin" => allowed_origin = Some(value()?),
            "--fixtures" => fixtures = true,
            other => return Err(format!("unknown option {other}")),
        }
    }
    Ok(Target {
        base: base.ok_or("--api-base is required")?,
        token: token.ok_or("--token is required")?,
        second_token,
        fixtures,
        allowed_origin,
    })
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let target = match parse(&args) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: {e}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let mut failed = 0;
    for (name, verdict) in run(&target) {
        let (verdict, why) = match verdict {
            Verdict::Pass => ("pass", String::new()),
            Verdict::Skip(why) => ("skip", why),
            Verdict::Fail(why) => {
                failed += 1;
                ("fail", why)
            }
        };
        match why.is_empty() {
            true => println!("{verdict} {name}"),
            false => println!("{verdict} {name}: {why}"),
        }
    }
    if failed > 0 {
        println!("conformance: {failed} rule(s) failed");
        ExitCode::FAILURE
    } else {
        println!("conformance: every rule passed");
        ExitCode::SUCCESS
    }
}
