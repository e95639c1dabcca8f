//! `GET /metrics` (docs/operations/metrics-and-logs.md): the whole output parses as
//! Prometheus text, and requests, jobs, mails and refusals move their
//! series. The recorder is one per process, shared by the tests running
//! beside this one, so each check is on a delta that only this test's
//! requests can be relied on to cause (other tests only add to it).

use prometheus_parse::{Scrape, Value as Sample};
use roster_tests::serde_json::json;
use roster_tests::{METRICS_TOKEN, both_backends, error_code};

const GRAPHQL: &str = "roster_graphql_operation_duration_seconds";

/// One scrape, parsed; every sample line must have been understood.
struct Metrics {
    text: String,
    scrape: Scrape,
}

impl Metrics {
    async fn of(base: &str) -> Self {
        let res = reqwest::Client::new()
            .get(format!("{base}/metrics"))
            .bearer_auth(METRICS_TOKEN)
            .send()
            .await
            .expect("GET /metrics");
        assert_eq!(res.status(), 200);
        let content_type = res.headers()["content-type"].to_str().unwrap().to_owned();
        assert!(content_type.starts_with("text/plain"), "{content_type}");
        let text = res.text().await.expect("body");
        let scrape = Scrape::parse(text.lines().map(|l| Ok(l.to_owned()))).expect("parses");
        // The parser skips what it cannot read: count that it read all.
        let sample_lines = text
            .lines()
            .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
            .count();
        let read: usize = scrape
            .samples
            .iter()
            .map(|s| match &s.value {
                Sample::Histogram(buckets) => buckets.len(),
                _ => 1,
            })
            .sum();
        assert_eq!(read, sample_lines, "lines the parser skipped in:\n{text}");
        Self { text, scrape }
    }

    /// A counter's or gauge's value, or a histogram's count (its `+Inf`
    /// bucket); 0 when the series is not there yet.
    fn value(&self, metric: &str, labels: &[(&str, &str)]) -> f64 {
        self.scrape
            .samples
            .iter()
            .filter(|s| s.metric == metric)
            .filter(|s| labels.iter().all(|(k, v)| s.labels.get(k) == Some(*v)))
            .map(|s| match &s.value {
                Sample::Counter(v) | Sample::Gauge(v) | Sample::Untyped(v) => *v,
                Sample::Histogram(buckets) => buckets
                    .iter()
                    .find(|b| b.less_than.is_infinite())
                    .map_or(0.0, |b| b.count),
                Sample::Summary(_) => panic!("{metric} is a summary, not a histogram"),
            })
            .sum()
    }

    fn moved(&self, before: &Self, metric: &str, labels: &[(&str, &str)]) -> f64 {
        self.value(metric, labels) - before.value(metric, labels)
    }
}

both_backends! {
    // `/metrics` on the gateway's listener answers only the bearer of
    // `ROSTER_METRICS_TOKEN`, and is not there at all without one.
    async fn metrics_need_their_token_and_are_absent_without_one(app) {
        let http = reqwest::Client::new();
        let url = format!("{}/metrics", app.base);
        let anyone = http.get(&url).send().await.expect("GET /metrics");
        assert_eq!(anyone.status(), 401);
        assert_eq!(anyone.headers()["www-authenticate"], "Bearer");
        assert!(!anyone.text().await.unwrap().contains("roster_"));
        for wrong in ["", "test-metrics-token-012345678", "test-metrics-token-0123456789x"] {
            let res = http.get(&url).bearer_auth(wrong).send().await.expect("GET /metrics");
            assert_eq!(res.status(), 401, "{wrong:?}");
        }
        let res = http.get(&url).bearer_auth(METRICS_TOKEN).send().await.expect("GET /metrics");
        assert_eq!(res.status(), 200);
        let closed = app.spawn_gateway(|c| c.metrics_token = None).await;
        let res = http.get(format!("{closed}/metrics")).send().await.expect("GET /metrics");
        assert_eq!(res.status(), 404);
    }

    async fn a_request_moves_its_counters(app) {
        let before = Metrics::of(&app.base).await;
        let owner = app.sign_up("metrics-owner@example.com", "Owner").await;
        // The client's operation name is no label.
        let res = app
            .gql(Some(&owner.access), "query ClientChosenName42 { me { id } }", json!({}))
            .await;
        assert!(res.get("errors").is_none(), "{res}");
        let code = app
            .fails(None, "mutation { createOrganization(name: \"Acme\") { id } }", json!({}))
            .await;
        assert_eq!(code, "UNAUTHENTICATED");
        let res = app.gql(None, "{ noSuchField }", json!({})).await;
        assert_eq!(error_code(&res).as_deref(), Some("VALIDATION"));
        let (status, _) = app.get("/no-such-page").await;
        assert_eq!(status, 404);
        let (status, _) = app.get("/invite/a-token-that-must-stay-out-77").await;
        assert_eq!(status, 200);

        let after = Metrics::of(&app.base).await;
        for (root_field, outcome) in [
            ("signUp", "ok"),
            ("me", "ok"),
            ("createOrganization", "UNAUTHENTICATED"),
            ("unknown", "VALIDATION"),
        ] {
            let labels = [("root_field", root_field), ("outcome", outcome)];
            assert!(after.moved(&before, GRAPHQL, &labels) >= 1.0, "{labels:?}:\n{}", after.text);
        }
        let http = "roster_http_responses_total";
        assert!(after.moved(&before, http, &[("route", "/graphql"), ("status", "200")]) >= 4.0);
        assert!(after.moved(&before, http, &[("route", "unmatched"), ("status", "404")]) >= 1.0);
        assert!(!after.text.contains("ClientChosenName42"), "{}", after.text);
        assert!(!after.text.contains("no-such-page"), "{}", after.text);
        assert!(after.moved(&before, http, &[("route", "/invite/:token"), ("status", "200")]) >= 1.0);
        assert!(!after.text.contains("a-token-that-must-stay-out-77"), "{}", after.text);
        // Explicit buckets, not a summary.
        let latency = after
            .scrape
            .samples
            .iter()
            .find(|s| s.metric == GRAPHQL && s.labels.get("root_field") == Some("me"))
            .expect("the latency of `me`");
        let Sample::Histogram(buckets) = &latency.value else {
            panic!("not a histogram: {latency:?}");
        };
        let bounds: Vec<f64> = buckets.iter().map(|b| b.less_than).collect();
        assert_eq!(bounds.first(), Some(&0.005), "{bounds:?}");
        assert!(bounds.contains(&10.0) && bounds.last().unwrap().is_infinite(), "{bounds:?}");
        // The pool, read at the scrape.
        let pool = "roster_db_pool_connections";
        let open = after.value(pool, &[("state", "in_use")]) + after.value(pool, &[("state", "idle")]);
        assert!(open >= 1.0, "{}", after.text);
    }

    async fn jobs_mails_and_refusals_move_their_counters(app) {
        let before = Metrics::of(&app.base).await;
        // A refusal by a named limit.
        let base = app
            .spawn_gateway(|c| c.rate_limits.sign_up_per_address = "1/1h".parse().expect("limit"))
            .await;
        let sign_up = "mutation($e: String!) { signUp(email: $e, password: \"correct horse battery\", displayName: \"X\") { accessToken } }";
        let res = app.gql_via(&base, None, sign_up, json!({ "e": "first@example.com" })).await;
        assert!(res.get("errors").is_none(), "{res}");
        let res = app.gql_via(&base, None, sign_up, json!({ "e": "second@example.com" })).await;
        assert_eq!(error_code(&res).as_deref(), Some("RATE_LIMITED"));
        // A job that sends a mail.
        let owner = app.sign_up("metrics-jobs@example.com", "Owner").await;
        let org = app.create_org(&owner, "Acme").await;
        app.invite(&owner, &org, "invitee@example.com", "MEMBER").await;
        // The job's run is counted when its handler returns, before the
        // queue marks it done.
        app.run_pending_jobs().await;
        assert_eq!(app.sent_mails().len(), 1);

        let job = [("queue", "invitation-email"), ("outcome", "ok")];
        let after = Metrics::of(&app.base).await;
        assert!(after.moved(&before, "roster_jobs_total", &job) >= 1.0, "{}", after.text);
        assert!(after.moved(&before, "roster_job_duration_seconds", &job) >= 1.0, "{}", after.text);
        assert!(after.moved(&before, "roster_mails_total", &[("outcome", "sent")]) >= 1.0);
        let refusals = [("limit", "sign-up-address")];
        assert!(after.moved(&before, "roster_rate_limit_refusals_total", &refusals) >= 1.0);
        // Every gateway of the process answers the same series.
        let other = Metrics::of(&base).await;
        assert!(other.value("roster_jobs_total", &job) >= after.value("roster_jobs_total", &job));
    }
}
