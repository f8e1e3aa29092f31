//! The feature definition as data: the kernel's definition resolved with
//! vocabularies into a schema (names, order, descriptions), read back from
//! JSON, and the definitions that cannot be resolved.

mod applicants;

use applicants::{schema, vocabularies};
use scoring_core::FeatureKind;
use scoring_core::features::{
    Agg, CategoryColumn, ColumnDescriptions, ColumnValue, FeatureDefinition, FeatureGroup, Filter,
    RowExpr, Table, kernel_definition,
};
use scoring_core::schema::CategoryEncoding;

#[test]
fn the_kernel_schema_lists_every_family_in_order() {
    let schema = schema();
    let prefixes: Vec<&str> = schema
        .features
        .iter()
        .map(|f| f.name.split('_').next().unwrap_or(""))
        .filter(|p| {
            [
                "BURO", "ACTIVE", "CLOSED", "PREV", "APPROVED", "REFUSED", "POS", "INSTAL", "CC",
            ]
            .contains(p)
        })
        .fold(Vec::new(), |mut seen, p| {
            if seen.last() != Some(&p) {
                seen.push(p);
            }
            seen
        });
    assert_eq!(
        prefixes,
        [
            "BURO", "ACTIVE", "CLOSED", "PREV", "APPROVED", "REFUSED", "POS", "INSTAL", "CC"
        ]
    );
    // The application: its columns in file order (categories coded in
    // place), then the one-hot indicators, then five ratios.
    let names: Vec<&str> = schema.feature_names().collect();
    assert_eq!(
        names[..4],
        [
            "CODE_GENDER",
            "FLAG_OWN_CAR",
            "FLAG_OWN_REALTY",
            "CNT_CHILDREN"
        ]
    );
    let first_bureau = schema.position("BURO_DAYS_CREDIT_MIN").expect("feature");
    assert_eq!(
        names[first_bureau - 5..first_bureau],
        [
            "DAYS_EMPLOYED_PERC",
            "INCOME_CREDIT_PERC",
            "INCOME_PER_PERSON",
            "ANNUITY_INCOME_PERC",
            "PAYMENT_RATE"
        ]
    );
    let indicators = schema
        .position("NAME_CONTRACT_TYPE_Cashloans")
        .expect("feature");
    assert_eq!(names[indicators - 1], "AMT_REQ_CREDIT_BUREAU_YEAR");
    assert_eq!(names.last(), Some(&"CC_COUNT"));
    let instal = schema
        .position("INSTAL_NUM_INSTALMENT_VERSION_NUNIQUE")
        .expect("feature");
    assert_eq!(names[instal - 1], "POS_COUNT");
    let spec = &schema.features[schema
        .position("PREV_NAME_CONTRACT_STATUS_Refused_MEAN")
        .expect("feature")];
    assert_eq!(
        spec.kind,
        FeatureKind::Indicator,
        "the mean of an indicator is a share"
    );
    assert_eq!(spec.category.as_deref(), Some("Refused"));
    let spec = &schema.features[schema
        .position("CC_NAME_CONTRACT_STATUS_Active_VAR")
        .expect("feature")];
    assert_eq!(spec.kind, FeatureKind::Numeric);
}

#[test]
fn categories_list_child_tables_first_then_file_order() {
    let definition = kernel_definition(&ColumnDescriptions::new());
    let bureau: Vec<(Table, String)> = definition
        .categories(Table::Bureau)
        .into_iter()
        .map(|c| (c.table, c.column))
        .collect();
    let expected = [
        (Table::BureauBalance, "STATUS"),
        (Table::Bureau, "CREDIT_ACTIVE"),
        (Table::Bureau, "CREDIT_CURRENCY"),
        (Table::Bureau, "CREDIT_TYPE"),
    ];
    assert_eq!(bureau, expected.map(|(t, c)| (t, c.to_owned())));
    let application = definition.categories(Table::Application);
    assert_eq!(
        application[..2],
        [
            CategoryColumn {
                table: Table::Application,
                column: "NAME_CONTRACT_TYPE".to_owned(),
                encoding: CategoryEncoding::OneHot {
                    with_missing: false
                },
                excluded: Vec::new(),
            },
            CategoryColumn {
                table: Table::Application,
                column: "CODE_GENDER".to_owned(),
                encoding: CategoryEncoding::Code,
                excluded: vec!["XNA".to_owned()],
            },
        ]
    );
    assert!(
        definition
            .categories(Table::InstallmentsPayments)
            .is_empty()
    );
}

#[test]
fn the_definition_round_trips_through_json() {
    let definition = kernel_definition(&ColumnDescriptions::new());
    let json = serde_json::to_string_pretty(&definition).expect("serialises");
    let back: FeatureDefinition = serde_json::from_str(&json).expect("parses");
    assert_eq!(back, definition);
    assert_eq!(back.schema(&vocabularies()).expect("schema"), schema());
    assert!(json.contains("\"positive_part\""), "readable node names");
}

#[test]
fn descriptions_come_from_the_column_descriptions() {
    let mut descriptions = ColumnDescriptions::new();
    descriptions.insert(
        Table::Bureau,
        "DAYS_CREDIT",
        "Days before the application the client applied for the credit".to_owned(),
    );
    let schema = kernel_definition(&descriptions)
        .schema(&applicants::vocabularies())
        .expect("schema");
    let spec = &schema.features[schema.position("ACTIVE_DAYS_CREDIT_VAR").expect("feature")];
    assert_eq!(
        spec.description,
        "Sample variance over the client's active Credit Bureau credits of: Days before the application the client applied for the credit"
    );
    assert_eq!(
        (spec.source_table.as_str(), spec.aggregation.as_str()),
        ("bureau", "var")
    );
    let code = &schema.features[schema.position("CODE_GENDER").expect("feature")];
    assert_eq!(
        code.description, "Gender (code: 0 = M, 1 = F; -1 = missing)",
        "a column without a description has the catalogue's words"
    );
    let share = &schema.features[schema.position("BURO_STATUS_C_MEAN_MEAN").expect("feature")];
    assert_eq!(
        share.description,
        "Mean over the client's Credit Bureau credits of: share of the credit's months where status of the month: is C"
    );
    // The application's one-hot and code vocabularies, in file column order.
    let first: Vec<&str> = schema
        .vocabularies
        .iter()
        .take(2)
        .map(|v| v.column.as_str())
        .collect();
    assert_eq!(first, ["NAME_CONTRACT_TYPE", "CODE_GENDER"]);
}

#[test]
fn invalid_definitions_are_refused() {
    let vocabularies = vocabularies();
    let broken = |edit: &dyn Fn(&mut FeatureDefinition)| {
        let mut definition = kernel_definition(&ColumnDescriptions::new());
        edit(&mut definition);
        definition
            .resolve(&vocabularies)
            .expect_err("an invalid definition")
    };
    let table = |d: &FeatureDefinition, t: Table| {
        d.tables.iter().position(|x| x.table == t).expect("table")
    };

    let error = broken(&|d| {
        let i = table(d, Table::InstallmentsPayments);
        d.tables[i].columns[1].value = ColumnValue::Number(RowExpr::column("DAYS_LATE"));
    });
    assert_eq!(
        error.to_string(),
        "feature definition of table installments_payments: it has no input column `DAYS_LATE`"
    );

    let error = broken(&|d| {
        let i = table(d, Table::Bureau);
        d.tables[i].columns[0].value = ColumnValue::Number(RowExpr::column("CREDIT_TYPE"));
    });
    assert!(
        error.to_string().contains("read as the wrong type"),
        "{error}"
    );

    let error = broken(&|d| {
        let i = table(d, Table::BureauBalance);
        let pos = table(d, Table::PosCashBalance);
        let family = match &d.tables[pos].features[0] {
            FeatureGroup::Family(f) => f.clone(),
            FeatureGroup::Columns => unreachable!(),
        };
        d.tables[i].features.push(FeatureGroup::Family(family));
    });
    assert!(
        error.to_string().contains("do not name a client"),
        "{error}"
    );

    let error = broken(&|d| {
        let i = table(d, Table::PreviousApplication);
        if let FeatureGroup::Family(f) = &mut d.tables[i].features[1] {
            f.filter = Some(Filter {
                column: "AMT_CREDIT".to_owned(),
                equals: "Approved".to_owned(),
            });
        }
    });
    assert!(error.to_string().contains("not a text column"), "{error}");

    let error = broken(&|d| {
        let i = table(d, Table::PosCashBalance);
        if let FeatureGroup::Family(f) = &mut d.tables[i].features[0] {
            f.items[0].column = "MONTHS".to_owned();
        }
    });
    assert!(
        error.to_string().contains("no column `MONTHS` to reduce"),
        "{error}"
    );

    let error = broken(&|d| {
        let i = table(d, Table::PreviousApplication);
        d.tables[i].columns[0].value = ColumnValue::Rollup {
            child: Table::BureauBalance,
            column: "MONTHS_BALANCE".to_owned(),
            agg: Agg::Min,
        };
    });
    assert!(
        error.to_string().contains("is not a child of it"),
        "{error}"
    );

    let error = broken(&|d| {
        let i = table(d, Table::CreditCardBalance);
        let first = d.tables[i].columns[0].clone();
        d.tables[i].columns.push(first);
    });
    assert!(
        error.to_string().contains("two columns are called"),
        "{error}"
    );
}
