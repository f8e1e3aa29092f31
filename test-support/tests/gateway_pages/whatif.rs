//! What-if on a snapshot client of a model of the kernel's features: the
//! form holds the client's application read back from its features, and a
//! changed field moves every feature derived from it as the online engine
//! computes it on the modified application (history included).

use std::collections::{BTreeMap, BTreeSet};

use super::*;

/// Every field of the form as the page fills it: inputs with their value,
/// selects with their selected option ("" when none is).
fn fields_of(body: &str) -> Vec<(String, String)> {
    let form = between(body, "id=\"whatif-form\"", "</form>");
    let mut fields = Vec::new();
    for input in form.split("<input id=\"").skip(1) {
        let name = input.split('"').next().unwrap().to_owned();
        fields.push((name, between(input, "value=\"", "\"").to_owned()));
    }
    for select in form.split("<select id=\"").skip(1) {
        let name = select.split('"').next().unwrap().to_owned();
        let options = &select[..select.find("</select>").unwrap()];
        let chosen = options
            .split("<option")
            .find(|o| o.contains(" selected>"))
            .map(|o| {
                if let Some(value) = o.strip_prefix(" value=\"") {
                    value.split('"').next().unwrap().to_owned()
                } else {
                    between(o, "selected>", "</option>").to_owned()
                }
            })
            .unwrap_or_default();
        fields.push((name, chosen));
    }
    fields
}

/// The features the page says the change moved, with their exact value
/// after ("" when missing).
fn changed_of(body: &str) -> BTreeMap<String, String> {
    body.split("<tr data-feature=\"")
        .skip(1)
        .map(|row| {
            let feature = row.split('"').next().unwrap().to_owned();
            (feature, between(row, "data-after=\"", "\"").to_owned())
        })
        .collect()
}

async fn rescore(d: &Dashboard, s: &Session, id: i64, fields: &[(String, String)]) -> Page {
    let mut form: Vec<(&str, &str)> = vec![("csrf", &s.csrf), ("strategy", "normal")];
    form.extend(fields.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    send(
        &d.app,
        post(&format!("/clients/{id}/whatif"), &s.cookie, &form),
    )
    .await
}

#[tokio::test]
async fn a_changed_credit_moves_every_feature_built_from_it() {
    let (d, fixture) = Dashboard::start_with_applications(12).await;
    let s = sign_in(&d.app).await;
    let engine = scoring_core::features::OnlineEngine::kernel(&fixture.schema).unwrap();
    let n = fixture.schema.features.len();
    // Clients of every history shape, the application-only one included.
    for id in [3_i64, 4, 5] {
        let index = (id - 1) as usize;
        let original = &fixture.rows[index * n..(index + 1) * n];
        let form = send(&d.app, get(&format!("/clients/{id}/whatif"), &s.cookie)).await;
        assert_eq!(form.status, StatusCode::OK, "{}", form.body);
        let mut fields = fields_of(&form.body);
        assert!(
            fields.len() > 100,
            "every application column: {}",
            fields.len()
        );

        // Sent back as shown, the application gives the client's own row.
        let same = rescore(&d, &s, id, &fields).await;
        assert_eq!(same.status, StatusCode::OK, "{}", same.body);
        assert!(
            changed_of(&same.body).is_empty(),
            "client {id}: {:?}",
            changed_of(&same.body)
        );
        let p = fixture.model.predict_probability(original).unwrap();
        assert!(
            same.body
                .contains(&format!("<span id=\"probability\">{}</span>", pct(p)))
        );

        // A credit half as large again.
        let credit = fixture.applications[index]
            .application
            .get("AMT_CREDIT")
            .and_then(|v| match v {
                scoring_core::features::Value::Number(x) => Some(*x),
                _ => None,
            })
            .unwrap();
        let typed = format!("{}", credit * 1.5);
        fields
            .iter_mut()
            .find(|(k, _)| k == "AMT_CREDIT")
            .unwrap()
            .1 = typed;
        let changed = rescore(&d, &s, id, &fields).await;
        assert_eq!(changed.status, StatusCode::OK, "{}", changed.body);

        let mut application = fixture.applications[index].clone();
        application.application.set("AMT_CREDIT", credit * 1.5);
        let expected = engine.features(&application).unwrap();
        let moved: BTreeSet<String> = (0..n)
            .filter(|&j| original[j].to_bits() != expected[j].to_bits())
            .map(|j| fixture.schema.features[j].name.clone())
            .collect();
        for dependent in ["AMT_CREDIT", "PAYMENT_RATE", "INCOME_CREDIT_PERC"] {
            assert!(
                moved.contains(dependent)
                    || original[fixture.schema.position(dependent).unwrap()].is_nan(),
                "{dependent}"
            );
        }
        let shown = changed_of(&changed.body);
        assert_eq!(
            shown.keys().cloned().collect::<BTreeSet<_>>(),
            moved,
            "client {id}"
        );
        for (feature, after) in &shown {
            let value = expected[fixture.schema.position(feature).unwrap()];
            let exact = if value.is_nan() {
                String::new()
            } else {
                format!("{value}")
            };
            assert_eq!(after, &exact, "{feature}");
        }
        let before = pct(p);
        let after = pct(fixture.model.predict_probability(&expected).unwrap());
        assert!(
            changed.body.contains(&format!("Before: {before}"))
                && changed.body.contains(&format!("After: {after}")),
            "{before} -> {after}: {}",
            changed.body
        );
    }
    d.stop().await;
}

#[tokio::test]
async fn a_bad_field_or_a_model_without_raw_records_is_a_400() {
    let (d, _fixture) = Dashboard::start_with_applications(3).await;
    let s = sign_in(&d.app).await;
    for (field, text) in [
        ("AMT_CREDIT", "lots"),
        ("DAYS_BIRTH", "-1"),
        ("NAME_CONTRACT_TYPE", "Mortgage"),
    ] {
        let page = rescore(&d, &s, 1, &[(field.to_owned(), text.to_owned())]).await;
        assert_eq!(page.status, StatusCode::BAD_REQUEST, "{field}");
        assert!(
            page.body
                .contains(&format!("<code id=\"bad-field\">{field}</code>")),
            "{field}"
        );
    }
    let unknown = send(&d.app, get("/clients/99999/whatif", &s.cookie)).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    d.stop().await;

    // The dashboard model's features are not the feature definition's: the
    // form shows, the service refuses to recompute.
    let d = Dashboard::start().await;
    let s = sign_in(&d.app).await;
    let form = send(&d.app, get("/clients/100002/whatif", &s.cookie)).await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    assert!(
        form.body.contains("name=\"AMT_CREDIT\" value=\"400000\""),
        "{}",
        form.body
    );
    let fields = fields_of(&form.body);
    let refused = rescore(&d, &s, 100002, &fields).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert!(refused.body.contains("refused these values"));
    d.stop().await;
}
