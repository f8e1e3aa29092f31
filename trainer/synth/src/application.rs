//! One row of application_train / application_test per applicant.
//!
//! Columns without structure are drawn from their marginals; those listed in
//! [`RISK_LOADINGS`] go through the Gaussian copula on `z_app`; the columns in
//! [`Derived`] are built together because they depend on each other
//! (employment block, amounts, car, family, region rating).

use super::csv::Csv;
use super::risk::Latent;
use super::rng::{Rng, normal_quantile};
use super::sample::{Marginal, Marginals, SENTINEL, Value, copula, pick, round_to};
use crate::Result;
use crate::tables::{ColumnType, Table};

const TABLE: &str = "application_train";

/// Copula loadings on `z_app` (positive: higher value, or a later category
/// in the given order, means riskier). Magnitudes follow the real data: the
/// external scores matter most, then age, education, region, gender.
const RISK_LOADINGS: &[(&str, f64, &[&str])] = &[
    ("EXT_SOURCE_1", -0.5, &[]),
    ("EXT_SOURCE_2", -0.55, &[]),
    ("EXT_SOURCE_3", -0.55, &[]),
    ("DAYS_BIRTH", 0.3, &[]),
    ("DAYS_ID_PUBLISH", 0.1, &[]),
    ("DAYS_REGISTRATION", 0.1, &[]),
    ("DAYS_LAST_PHONE_CHANGE", 0.15, &[]),
    ("REGION_POPULATION_RELATIVE", -0.1, &[]),
    ("DEF_30_CNT_SOCIAL_CIRCLE", 0.15, &[]),
    ("DEF_60_CNT_SOCIAL_CIRCLE", 0.15, &[]),
    ("REG_CITY_NOT_WORK_CITY", 0.1, &[]),
    ("FLAG_DOCUMENT_3", 0.1, &[]),
    (
        "NAME_CONTRACT_TYPE",
        0.1,
        &["Revolving loans", "Cash loans"],
    ),
    ("CODE_GENDER", 0.2, &["F", "M"]),
    ("FLAG_OWN_CAR", 0.1, &["Y", "N"]),
    (
        "NAME_EDUCATION_TYPE",
        0.3,
        &[
            "Academic degree",
            "Higher education",
            "Incomplete higher",
            "Secondary / secondary special",
            "Lower secondary",
        ],
    ),
    ("REGION_RATING_CLIENT", 0.25, &[]),
];

/// Columns built by [`ApplicationPlan::derive`].
#[derive(Debug, Clone, Copy)]
enum Derived {
    Id,
    Target,
    OwnCarAge,
    FamilyMembers,
    Income,
    Credit,
    Annuity,
    GoodsPrice,
    IncomeType,
    Employed,
    EmpPhone,
    Occupation,
    Organization,
    RatingCity,
}
const DERIVED_COUNT: usize = Derived::RatingCity as usize + 1;

const DERIVED: &[(&str, Derived)] = &[
    ("SK_ID_CURR", Derived::Id),
    ("TARGET", Derived::Target),
    ("OWN_CAR_AGE", Derived::OwnCarAge),
    ("CNT_FAM_MEMBERS", Derived::FamilyMembers),
    ("AMT_INCOME_TOTAL", Derived::Income),
    ("AMT_CREDIT", Derived::Credit),
    ("AMT_ANNUITY", Derived::Annuity),
    ("AMT_GOODS_PRICE", Derived::GoodsPrice),
    ("NAME_INCOME_TYPE", Derived::IncomeType),
    ("DAYS_EMPLOYED", Derived::Employed),
    ("FLAG_EMP_PHONE", Derived::EmpPhone),
    ("OCCUPATION_TYPE", Derived::Occupation),
    ("ORGANIZATION_TYPE", Derived::Organization),
    ("REGION_RATING_CLIENT_W_CITY", Derived::RatingCity),
];

/// Columns whose missingness is shared (the building block is filled in or
/// not as a whole, and so are the bureau-enquiry and social-circle counts).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Group {
    None,
    Building,
    Enquiries,
    Social,
}

#[derive(Debug)]
enum Column {
    Derived(Derived, ColumnType),
    Plain {
        marginal: &'static Marginal,
        column_type: ColumnType,
        group: Group,
        loading: f64,
        /// Categories in risk order when the column has a loading.
        categories: Vec<(&'static str, f64)>,
    },
}

/// What the history tables need to know about an applicant.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Person {
    pub(crate) id: i64,
    pub(crate) latent: Latent,
    pub(crate) days_birth: f64,
}

/// Positions of the plain columns the derived ones depend on.
#[derive(Debug)]
struct Positions {
    birth: usize,
    gender: usize,
    own_car: usize,
    family_status: usize,
    rating: usize,
}

fn position(name: &'static str) -> Result<usize> {
    Table::ApplicationTrain
        .columns()
        .position(|(n, _)| n == name)
        .ok_or(crate::Error::MissingMarginal {
            table: TABLE,
            column: name,
        })
}

/// How each column of the application file is produced, built once per run.
#[derive(Debug)]
pub(crate) struct ApplicationPlan {
    columns: Vec<Column>,
    birth: &'static Marginal,
    employed: &'static Marginal,
    income: &'static Marginal,
    credit: &'static Marginal,
    annuity: &'static Marginal,
    goods: &'static Marginal,
    car_age: &'static Marginal,
    children: &'static Marginal,
    rating_city: &'static Marginal,
    occupation: &'static Marginal,
    at: Positions,
    worker_income_types: Vec<(&'static str, f64)>,
    worker_organizations: Vec<(&'static str, f64)>,
}

fn group_of(name: &str) -> Group {
    // Every *_AVG / *_MODE / *_MEDI column describes the applicant's building.
    if name.ends_with("_AVG") || name.ends_with("_MEDI") || name.ends_with("_MODE") {
        Group::Building
    } else if name.starts_with("AMT_REQ_CREDIT_BUREAU_") {
        Group::Enquiries
    } else if name.ends_with("_CNT_SOCIAL_CIRCLE") {
        Group::Social
    } else {
        Group::None
    }
}

impl ApplicationPlan {
    pub(crate) fn new(marginals: Marginals) -> Result<Self> {
        let mut columns = Vec::new();
        for (name, column_type) in Table::ApplicationTrain.columns() {
            if let Some(&(_, derived)) = DERIVED.iter().find(|(n, _)| *n == name) {
                columns.push(Column::Derived(derived, column_type));
                continue;
            }
            let marginal = marginals.get(TABLE, name)?;
            let (loading, order) = RISK_LOADINGS
                .iter()
                .find(|(n, _, _)| *n == name)
                .map_or((0.0, &[][..]), |&(_, loading, order)| (loading, order));
            let categories = marginal.categories_ordered(order);
            columns.push(Column::Plain {
                marginal,
                column_type,
                group: group_of(name),
                loading,
                categories,
            });
        }
        let m = |column| marginals.get(TABLE, column);
        Ok(Self {
            columns,
            birth: m("DAYS_BIRTH")?,
            employed: m("DAYS_EMPLOYED")?,
            income: m("AMT_INCOME_TOTAL")?,
            credit: m("AMT_CREDIT")?,
            annuity: m("AMT_ANNUITY")?,
            goods: m("AMT_GOODS_PRICE")?,
            car_age: m("OWN_CAR_AGE")?,
            children: m("CNT_CHILDREN")?,
            rating_city: m("REGION_RATING_CLIENT_W_CITY")?,
            occupation: m("OCCUPATION_TYPE")?,
            at: Positions {
                birth: position("DAYS_BIRTH")?,
                gender: position("CODE_GENDER")?,
                own_car: position("FLAG_OWN_CAR")?,
                family_status: position("NAME_FAMILY_STATUS")?,
                rating: position("REGION_RATING_CLIENT")?,
            },
            worker_income_types: m("NAME_INCOME_TYPE")?
                .categories_without(&["Pensioner", "Unemployed"]),
            worker_organizations: m("ORGANIZATION_TYPE")?.categories_without(&["XNA"]),
        })
    }

    /// Writes the applicant's row (without TARGET when `target` is `None`,
    /// i.e. in the test file) and returns
    /// what the history tables need.
    pub(crate) fn write(
        &self,
        out: &mut Csv,
        rng: &mut Rng,
        id: i64,
        latent: Latent,
        target: Option<bool>,
    ) -> Person {
        let mut plain = vec![Value::Missing; self.columns.len()];
        let group_u = [rng.uniform(), rng.uniform(), rng.uniform(), rng.uniform()];
        for (slot, column) in plain.iter_mut().zip(&self.columns) {
            if let Column::Plain {
                marginal,
                group,
                loading,
                categories,
                ..
            } = column
            {
                *slot = draw_plain(
                    rng,
                    latent,
                    marginal,
                    *group,
                    group_u[*group as usize],
                    *loading,
                    categories,
                );
            }
        }
        let days_birth = match plain[self.at.birth] {
            Value::Num(v) => v,
            _ => self.birth.quantile(0.5),
        };
        let derived = self.derive(rng, id, latent, target, days_birth, &plain);

        // A handful of CODE_GENDER "XNA" at full size, as in the real file.
        if rng.chance(1.3e-5) {
            plain[self.at.gender] = Value::Text("XNA");
        }
        for (index, column) in self.columns.iter().enumerate() {
            match column {
                Column::Derived(Derived::Target, _) if target.is_none() => {}
                Column::Derived(d, column_type) => out.value(derived[*d as usize], *column_type),
                Column::Plain { column_type, .. } => out.value(plain[index], *column_type),
            }
        }
        out.end();
        Person {
            id,
            latent,
            days_birth,
        }
    }

    fn derive(
        &self,
        rng: &mut Rng,
        id: i64,
        latent: Latent,
        target: Option<bool>,
        days_birth: f64,
        plain: &[Value],
    ) -> [Value; DERIVED_COUNT] {
        let mut d = [Value::Missing; DERIVED_COUNT];
        d[Derived::Id as usize] = Value::Num(id as f64);
        d[Derived::Target as usize] = Value::Num(if target == Some(true) { 1.0 } else { 0.0 });

        // Employment: pensioners and the unemployed (older on average) carry the
        // 365243 sentinel, ORGANIZATION_TYPE XNA, no employer phone, no occupation.
        let older = normal_quantile((1.0 - self.birth.rank(days_birth)).clamp(1e-6, 1.0 - 1e-6));
        let pensioner =
            0.85 * older + 0.53 * rng.normal() > normal_quantile(1.0 - self.employed.sentinel);
        if pensioner {
            d[Derived::Employed as usize] = Value::Num(SENTINEL);
            d[Derived::Organization as usize] = Value::Text("XNA");
            d[Derived::IncomeType as usize] = Value::Text(if rng.chance(0.002) {
                "Unemployed"
            } else {
                "Pensioner"
            });
            d[Derived::EmpPhone as usize] = Value::Num(0.0);
        } else {
            let employed = self.employed.quantile(copula(rng, latent.z_app, 0.2));
            // Nobody starts work before 18.
            d[Derived::Employed as usize] = Value::Num(employed.max(days_birth + 6570.0).min(-1.0));
            d[Derived::Organization as usize] =
                Value::Text(pick(&self.worker_organizations, rng.uniform()));
            d[Derived::IncomeType as usize] =
                Value::Text(pick(&self.worker_income_types, rng.uniform()));
            d[Derived::EmpPhone as usize] = Value::Num(1.0);
            let worker_missing =
                (self.occupation.missing - self.employed.sentinel) / (1.0 - self.employed.sentinel);
            if !rng.chance(worker_missing) {
                d[Derived::Occupation as usize] = Value::Text(self.occupation.category(rng));
            }
        }

        // Amounts share a size factor; the credit / goods-price ratio carries risk.
        let size = rng.normal();
        let income = self.income.quantile(copula(rng, size, 0.5));
        let credit_z = 0.7 * size + 0.714 * rng.normal();
        let credit = self.credit.quantile(super::rng::normal_cdf(credit_z));
        let annuity = self.annuity.quantile(copula(rng, credit_z, 0.85));
        let over_goods = copula(rng, latent.z_app, 0.25);
        let ratio = if over_goods < 0.25 {
            1.0
        } else {
            1.0 + 0.3 * (over_goods - 0.25).powf(1.5) / 0.65
        };
        d[Derived::Income as usize] = Value::Num(income);
        d[Derived::Credit as usize] = Value::Num(credit);
        d[Derived::Annuity as usize] = Value::Num(annuity.min(credit));
        if !rng.chance(self.goods.missing) {
            d[Derived::GoodsPrice as usize] =
                Value::Num(((credit / ratio) / 4500.0).round().max(1.0) * 4500.0);
        }

        if plain[self.at.own_car] == Value::Text("Y") {
            d[Derived::OwnCarAge as usize] = Value::Num(self.car_age.num(rng));
        }
        let children = self.children.num(rng);
        let couple = matches!(
            plain[self.at.family_status],
            Value::Text("Married" | "Civil marriage")
        );
        d[Derived::FamilyMembers as usize] = Value::Num(children + if couple { 2.0 } else { 1.0 });

        // The city-adjusted rating mostly equals the region rating.
        let rating = match plain[self.at.rating] {
            Value::Num(v) => v,
            _ => 2.0,
        };
        let city = if rng.chance(0.9) {
            rating
        } else {
            self.rating_city.num(rng)
        };
        d[Derived::RatingCity as usize] = Value::Num(round_to(city, 0));
        d
    }
}

fn draw_plain(
    rng: &mut Rng,
    latent: Latent,
    marginal: &'static Marginal,
    group: Group,
    group_u: f64,
    loading: f64,
    categories: &[(&'static str, f64)],
) -> Value {
    let missing = match group {
        Group::None => rng.chance(marginal.missing),
        _ => group_u < marginal.missing,
    };
    if missing {
        return Value::Missing;
    }
    let u = if loading == 0.0 {
        rng.uniform()
    } else {
        copula(rng, latent.z_app, loading)
    };
    if !categories.is_empty() {
        Value::Text(pick(categories, u))
    } else if marginal.sentinel > 0.0 && rng.chance(marginal.sentinel) {
        Value::Num(SENTINEL)
    } else {
        Value::Num(marginal.quantile(u))
    }
}
