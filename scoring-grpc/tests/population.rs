//! DescribeFeature, ListClients, FindSimilarClients and ScatterFeatures
//! against a real server, checked against values computed here from the
//! published snapshot.

use scoring_core::reference::Histogram;
use scoring_proto::scoring::v1 as pb;
use test_support::*;
use tonic::Code;

fn filter(feature: &str, op: pb::ComparisonOperator, value: f64) -> Option<pb::FeatureFilter> {
    Some(pb::FeatureFilter {
        feature: feature.into(),
        op: op as i32,
        value,
    })
}

#[tokio::test]
async fn describe_feature_bins_the_filtered_population_and_places_the_applicant() {
    let (_dir, registry) = registry_with_v1();
    let (server, mut client) = serve(&registry).await;
    let published = published_v1(&registry);
    let snapshot = published.snapshot().expect("snapshot");

    let all = client
        .describe_feature(pb::DescribeFeatureRequest {
            feature: "f2".into(),
            ..Default::default()
        })
        .await
        .expect("describe")
        .into_inner();
    let expected = Histogram::of(snapshot.column(2), 20);
    let histogram = all.histogram.expect("histogram");
    assert_eq!(histogram.bin_edges, expected.edges);
    assert_eq!(histogram.counts, expected.counts);
    assert_eq!(histogram.missing_count, expected.missing);
    assert_eq!(all.population_size, N_CLIENTS as u64);
    assert_eq!(all.feature.expect("spec").description, "Description of f2");
    assert_eq!(all.applicant_value, None);

    let id = FIRST_ID + 5;
    let row = snapshot.row(id).expect("row");
    let kept: Vec<f64> = (0..snapshot.len())
        .map(|i| snapshot.row_at(i))
        .filter(|r| r[0] > 0.0)
        .map(|r| r[2])
        .collect();
    let filtered = client
        .describe_feature(pb::DescribeFeatureRequest {
            feature: "f2".into(),
            applicant: by_client(id),
            filter: filter("f0", pb::ComparisonOperator::Greater, 0.0),
            bins: 7,
        })
        .await
        .expect("describe")
        .into_inner();
    let expected = Histogram::of(kept.iter().copied(), 7);
    assert_eq!(
        filtered.histogram.expect("histogram").counts,
        expected.counts
    );
    assert_eq!(filtered.population_size, kept.len() as u64);
    let value = row[2];
    if value.is_nan() {
        assert_eq!(filtered.applicant_value, None);
        assert_eq!(filtered.applicant_percentile, None);
    } else {
        let present = kept.iter().filter(|v| !v.is_nan()).count() as f64;
        let below = kept.iter().filter(|&&v| v <= value).count() as f64;
        assert_eq!(filtered.applicant_value, Some(value));
        assert_eq!(filtered.applicant_percentile, Some(100.0 * below / present));
    }

    let bad: Vec<(pb::DescribeFeatureRequest, Code, &str)> = vec![
        (
            pb::DescribeFeatureRequest {
                feature: "zz".into(),
                ..Default::default()
            },
            Code::NotFound,
            "feature",
        ),
        (
            pb::DescribeFeatureRequest {
                feature: "f1".into(),
                bins: 201,
                ..Default::default()
            },
            Code::InvalidArgument,
            "bins",
        ),
        (
            pb::DescribeFeatureRequest {
                feature: "f1".into(),
                filter: filter("f0", pb::ComparisonOperator::Unspecified, 0.0),
                ..Default::default()
            },
            Code::InvalidArgument,
            "filter.op",
        ),
        (
            pb::DescribeFeatureRequest {
                feature: "f1".into(),
                filter: Some(pb::FeatureFilter {
                    feature: "f0".into(),
                    op: 99,
                    value: 0.0,
                }),
                ..Default::default()
            },
            Code::InvalidArgument,
            "filter.op",
        ),
        (
            pb::DescribeFeatureRequest {
                feature: "f1".into(),
                filter: filter("nope", pb::ComparisonOperator::Less, 0.0),
                ..Default::default()
            },
            Code::NotFound,
            "filter.feature",
        ),
        (
            pb::DescribeFeatureRequest {
                feature: "f1".into(),
                applicant: by_client(12),
                ..Default::default()
            },
            Code::NotFound,
            "applicant.client_id",
        ),
    ];
    for (request, code, field) in bad {
        let status = client.describe_feature(request).await.expect_err("refused");
        assert_refused(&status, code, field);
    }
    server.shutdown().await.expect("shutdown");
}

#[tokio::test]
async fn list_clients_pages_through_the_filtered_snapshot_in_id_order() {
    let (_dir, registry) = registry_with_v1();
    let (server, mut client) = serve(&registry).await;
    let published = published_v1(&registry);
    let snapshot = published.snapshot().expect("snapshot");
    let model = published.model();
    let expected: Vec<i64> = (0..snapshot.len())
        .filter(|&i| snapshot.row_at(i)[1] <= 0.5 && !snapshot.row_at(i)[1].is_nan())
        .map(|i| snapshot.ids()[i])
        .collect();
    let mut seen = Vec::new();
    let mut token = String::new();
    loop {
        let page = client
            .list_clients(pb::ListClientsRequest {
                page_size: 40,
                page_token: token.clone(),
                filter: filter("f1", pb::ComparisonOperator::LessOrEqual, 0.5),
            })
            .await
            .expect("page")
            .into_inner();
        assert_eq!(page.total_count, expected.len() as u64);
        assert!(page.clients.len() <= 40);
        for c in &page.clients {
            let row = snapshot.row(c.client_id).expect("row");
            let p = model.predict_probability(row).expect("p");
            assert_eq!(c.probability_of_default.to_bits(), p.to_bits());
            let decision = published
                .thresholds()
                .outcome(scoring_core::Strategy::Normal, p);
            assert_eq!(
                c.decision,
                scoring_grpc::convert::ToWire::to_wire(&decision) as i32
            );
        }
        seen.extend(page.clients.iter().map(|c| c.client_id));
        if page.next_page_token.is_empty() {
            break;
        }
        token = page.next_page_token;
    }
    assert_eq!(seen, expected);

    let first = client
        .list_clients(pb::ListClientsRequest::default())
        .await
        .expect("default page")
        .into_inner();
    assert_eq!(first.clients.len(), 50);
    assert_eq!(first.total_count, N_CLIENTS as u64);

    let other_filter = client
        .list_clients(pb::ListClientsRequest {
            page_token: first.next_page_token.clone(),
            filter: filter("f1", pb::ComparisonOperator::Equal, 0.0),
            ..Default::default()
        })
        .await
        .expect_err("token of another filter");
    assert_refused(&other_filter, Code::InvalidArgument, "page_token");
    for (request, code, field) in [
        (
            pb::ListClientsRequest {
                page_size: 1001,
                ..Default::default()
            },
            Code::InvalidArgument,
            "page_size",
        ),
        (
            pb::ListClientsRequest {
                page_token: "garbage".into(),
                ..Default::default()
            },
            Code::InvalidArgument,
            "page_token",
        ),
        (
            pb::ListClientsRequest {
                filter: filter("f1", pb::ComparisonOperator::Unspecified, 0.0),
                ..Default::default()
            },
            Code::InvalidArgument,
            "filter.op",
        ),
    ] {
        let status = client.list_clients(request).await.expect_err("refused");
        assert_refused(&status, code, field);
    }
    server.shutdown().await.expect("shutdown");
}

#[tokio::test]
async fn similar_clients_are_the_nearest_on_scaled_features_without_the_applicant() {
    let (_dir, registry) = registry_with_v1();
    let (server, mut client) = serve(&registry).await;
    let id = FIRST_ID + 20;
    let response = client
        .find_similar_clients(pb::FindSimilarClientsRequest {
            applicant: by_client(id),
            features: vec!["f0".into(), "f4".into()],
            k: 5,
        })
        .await
        .expect("similar")
        .into_inner();
    assert_eq!(response.features, vec!["f0", "f4"]);
    assert_eq!(response.neighbours.len(), 5);
    assert!(response.neighbours.iter().all(|n| n.client_id != id));
    let distances: Vec<f64> = response.neighbours.iter().map(|n| n.distance).collect();
    assert!(distances.windows(2).all(|w| w[0] <= w[1]), "{distances:?}");

    let defaults = client
        .find_similar_clients(pb::FindSimilarClientsRequest {
            applicant: by_features(&[("f3", 0.0)]),
            features: vec![],
            k: 0,
        })
        .await
        .expect("similar")
        .into_inner();
    // The report's five most important features, most important first.
    assert_eq!(defaults.features, vec!["f3", "f1", "f0", "f5", "f2"]);
    assert_eq!(defaults.neighbours.len(), 10);
    assert_eq!(defaults.applicant_values.expect("values").values.len(), 1);

    let eleven: Vec<String> = (0..11).map(|_| "f0".to_owned()).collect();
    for (request, code, field) in [
        (
            pb::FindSimilarClientsRequest {
                applicant: by_client(id),
                k: 101,
                ..Default::default()
            },
            Code::InvalidArgument,
            "k",
        ),
        (
            pb::FindSimilarClientsRequest {
                applicant: by_client(id),
                features: eleven,
                k: 1,
            },
            Code::InvalidArgument,
            "features",
        ),
        (
            pb::FindSimilarClientsRequest {
                applicant: by_client(id),
                features: vec!["f0".into(), "x".into()],
                k: 1,
            },
            Code::NotFound,
            "features[1]",
        ),
        (
            pb::FindSimilarClientsRequest {
                applicant: None,
                ..Default::default()
            },
            Code::InvalidArgument,
            "applicant",
        ),
        (
            pb::FindSimilarClientsRequest {
                applicant: by_client(5),
                ..Default::default()
            },
            Code::NotFound,
            "applicant.client_id",
        ),
    ] {
        let status = client
            .find_similar_clients(request)
            .await
            .expect_err("refused");
        assert_refused(&status, code, field);
    }
    server.shutdown().await.expect("shutdown");
}

#[tokio::test]
async fn scatter_samples_clients_with_both_values_evenly() {
    let (_dir, registry) = registry_with_v1();
    let (server, mut client) = serve(&registry).await;
    let published = published_v1(&registry);
    let snapshot = published.snapshot().expect("snapshot");
    let both: Vec<i64> = (0..snapshot.len())
        .filter(|&i| !snapshot.row_at(i)[0].is_nan() && !snapshot.row_at(i)[1].is_nan())
        .map(|i| snapshot.ids()[i])
        .collect();
    let all = client
        .scatter_features(pb::ScatterFeaturesRequest {
            x_feature: "f0".into(),
            y_feature: "f1".into(),
            ..Default::default()
        })
        .await
        .expect("scatter")
        .into_inner();
    assert_eq!(all.population_size, both.len() as u64);
    let ids: Vec<i64> = all.points.iter().map(|p| p.client_id).collect();
    assert_eq!(ids, both);
    let sampled = client
        .scatter_features(pb::ScatterFeaturesRequest {
            x_feature: "f0".into(),
            y_feature: "f1".into(),
            max_points: 10,
            filter: None,
        })
        .await
        .expect("scatter")
        .into_inner();
    let ids: Vec<i64> = sampled.points.iter().map(|p| p.client_id).collect();
    let expected: Vec<i64> = (0..10).map(|s| both[s * both.len() / 10]).collect();
    assert_eq!(ids, expected);
    for p in &sampled.points {
        let row = snapshot.row(p.client_id).expect("row");
        assert_eq!((p.x, p.y), (row[0], row[1]));
    }
    for (request, code, field) in [
        (
            pb::ScatterFeaturesRequest {
                x_feature: "q".into(),
                y_feature: "f1".into(),
                ..Default::default()
            },
            Code::NotFound,
            "x_feature",
        ),
        (
            pb::ScatterFeaturesRequest {
                x_feature: "f0".into(),
                y_feature: "q".into(),
                ..Default::default()
            },
            Code::NotFound,
            "y_feature",
        ),
        (
            pb::ScatterFeaturesRequest {
                x_feature: "f0".into(),
                y_feature: "f1".into(),
                max_points: 10_001,
                filter: None,
            },
            Code::InvalidArgument,
            "max_points",
        ),
    ] {
        let status = client.scatter_features(request).await.expect_err("refused");
        assert_refused(&status, code, field);
    }
    server.shutdown().await.expect("shutdown");
}
