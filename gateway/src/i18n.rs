//! Every string of the user interface in English and French, and how the
//! page language is chosen: a `lang` query parameter (remembered in a
//! cookie), then that cookie, then the browser's `Accept-Language`.

use std::collections::BTreeMap;

use axum::{
    extract::{FromRequestParts, Request},
    http::{HeaderValue, header, request::Parts},
    middleware::Next,
    response::Response,
};

/// Name of the cookie remembering the chosen language.
pub const LANG_COOKIE: &str = "gw_lang";

/// A language of the interface.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    /// English.
    En,
    /// French.
    Fr,
}

impl Lang {
    /// Parses a language code such as `fr` or `en-GB`.
    pub fn parse(code: &str) -> Option<Self> {
        let primary = code.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        match primary.as_str() {
            "en" => Some(Self::En),
            "fr" => Some(Self::Fr),
            _ => None,
        }
    }

    /// The ISO 639-1 code, as in `<html lang>`.
    pub fn code(self) -> &'static str {
        match self {
            Self::En => "en",
            Self::Fr => "fr",
        }
    }

    /// The other language, offered by the switch on every page.
    pub fn other(self) -> Self {
        match self {
            Self::En => Self::Fr,
            Self::Fr => Self::En,
        }
    }

    /// The translation of `key`; the key itself if it has none (a test
    /// checks that every key used by the templates has both).
    pub fn tr(self, key: &str) -> &'static str {
        all_strings()
            .find(|(k, _, _)| *k == key)
            .map(|(k, en, fr)| match self {
                Self::En => *en,
                Self::Fr if fr.is_empty() => k,
                Self::Fr => *fr,
            })
            .unwrap_or("???")
    }

    /// All strings in this language, for the templates (`t.key`).
    pub fn table(self) -> BTreeMap<&'static str, &'static str> {
        all_strings()
            .map(|(k, en, fr)| (*k, if self == Self::En { *en } else { *fr }))
            .collect()
    }

    /// The best language of an `Accept-Language` header (q-values honoured).
    pub fn from_accept_language(header: &str) -> Option<Self> {
        let mut best: Option<(f32, Self)> = None;
        for part in header.split(',') {
            let mut pieces = part.split(';');
            let Some(lang) = pieces.next().and_then(Self::parse) else {
                continue;
            };
            let q = pieces
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|q| q.parse::<f32>().ok())
                .unwrap_or(1.0);
            if best.is_none_or(|(bq, _)| q > bq) {
                best = Some((q, lang));
            }
        }
        best.map(|(_, lang)| lang)
    }

    fn from_parts(parts: &Parts) -> Self {
        if let Some(lang) = query_lang(parts.uri.query()) {
            return lang;
        }
        let cookie = parts
            .headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .find_map(|c| c.trim().strip_prefix(LANG_COOKIE)?.strip_prefix('='))
            .and_then(Self::parse);
        if let Some(lang) = cookie {
            return lang;
        }
        parts
            .headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .and_then(Self::from_accept_language)
            .unwrap_or(Self::En)
    }
}

fn query_lang(query: Option<&str>) -> Option<Lang> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query?).ok()?;
    pairs
        .iter()
        .find(|(k, _)| k == "lang")
        .and_then(|(_, v)| Lang::parse(v))
}

impl<S: Send + Sync> FromRequestParts<S> for Lang {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Self::from_parts(parts))
    }
}

/// Remembers a language chosen with `?lang=` in a cookie, so the choice
/// sticks on the next pages without the parameter.
pub async fn remember_lang(request: Request, next: Next) -> Response {
    let chosen = query_lang(request.uri().query());
    let mut response = next.run(request).await;
    if let Some(lang) = chosen {
        let cookie = format!(
            "{LANG_COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Strict",
            lang.code()
        );
        if let Ok(value) = HeaderValue::from_str(&cookie) {
            response.headers_mut().append(header::SET_COOKIE, value);
        }
    }
    response
}

/// Every string: the shared table, then each page's own.
fn all_strings() -> impl Iterator<Item = &'static (&'static str, &'static str, &'static str)> {
    STRINGS.iter().chain(crate::routes::monitoring::STRINGS)
}

/// (key, English, French). One line per string keeps the pairs side by side.
#[rustfmt::skip]
pub const STRINGS: &[(&str, &str, &str)] = &[
    ("app_name", "Credit scoring dashboard", "Tableau de bord du scoring crédit"),
    ("skip", "Skip to content", "Aller au contenu"),
    ("main_nav", "Main menu", "Menu principal"),
    ("nav_clients", "Clients", "Clients"),
    ("nav_new", "New applicant", "Nouveau demandeur"),
    ("nav_model", "Model", "Modèle"),
    ("other_lang_name", "Français", "English"),
    ("switch_lang", "Lire en français", "Read in English"),
    ("signed_in_as", "Signed in as", "Connecté en tant que"),
    ("sign_in", "Sign in", "Se connecter"),
    ("sign_out", "Sign out", "Se déconnecter"),
    ("username", "User name", "Nom d'utilisateur"),
    ("password", "Password", "Mot de passe"),
    ("signin_failed", "Unknown user or wrong password.", "Utilisateur inconnu ou mot de passe erroné."),
    ("signin_throttled", "Too many failed sign-ins. Try again in {minutes} min.", "Trop d'échecs de connexion. Réessayez dans {minutes} min."),
    ("signin_busy", "Too many sign-ins at this moment. Try again in a few seconds.", "Trop de connexions en ce moment. Réessayez dans quelques secondes."),
    ("find_client", "Find a client", "Rechercher un client"),
    ("summary_title", "The client", "Le client"),
    ("summary_age", "Age", "Âge"),
    ("summary_employed", "In current employment", "Dans l'emploi actuel"),
    ("summary_income", "Annual income", "Revenu annuel"),
    ("summary_credit", "Credit asked for", "Crédit demandé"),
    ("summary_annuity", "Annuity", "Annuité"),
    ("summary_goods", "Price of the goods", "Prix du bien"),
    ("summary_children", "Children", "Enfants"),
    ("summary_family", "Household members", "Membres du foyer"),
    ("summary_years", "years", "ans"),
    ("summary_not_employed", "not employed", "sans emploi"),
    ("client_id", "Client id", "Identifiant client"),
    ("client", "Client", "Client"),
    ("open", "Open", "Ouvrir"),
    ("clients_title", "Clients", "Clients"),
    ("clients_total", "clients in total", "clients au total"),
    ("first_page", "First page", "Première page"),
    ("next_page", "Next page", "Page suivante"),
    ("probability", "Probability of default", "Probabilité de défaut"),
    ("scorecard_points", "Scorecard points", "Points de score"),
    ("points_scale", "{base} points at odds of {odds} to 1 of repaying; every {pdo} points more double the odds", "{base} points pour une cote de {odds} contre 1 de remboursement ; chaque tranche de {pdo} points de plus double la cote"),
    ("decision", "Decision", "Décision"),
    ("decision_accept", "Grant the loan", "Accorder le prêt"),
    ("decision_refuse", "Refuse the loan", "Refuser le prêt"),
    ("decision_unknown", "No decision", "Pas de décision"),
    ("strategy", "Strategy", "Stratégie"),
    ("strategy_default", "Model default", "Par défaut du modèle"),
    ("strategy_prudent", "Prudent", "Prudente"),
    ("strategy_normal", "Normal", "Normale"),
    ("strategy_aggressive", "Aggressive", "Agressive"),
    ("apply", "Apply", "Appliquer"),
    ("threshold", "Threshold", "Seuil"),
    ("thresholds", "Thresholds", "Seuils"),
    ("margin", "Margin to the threshold", "Écart au seuil"),
    ("points", "percentage points", "points de pourcentage"),
    ("margin_below", "below the threshold: the loan is granted", "sous le seuil : le prêt est accordé"),
    ("margin_above", "at or above the threshold: the loan is refused", "au-dessus du seuil (ou égal) : le prêt est refusé"),
    ("gauge_title", "Probability of default against the three strategy thresholds", "Probabilité de défaut face aux seuils des trois stratégies"),
    ("why_title", "Why: the main factors", "Pourquoi : les principaux facteurs"),
    ("factors_count", "Number of factors (1 to 20)", "Nombre de facteurs (1 à 20)"),
    ("actionable_only", "Hide factors the client cannot act on", "Masquer les facteurs sur lesquels le client ne peut pas agir"),
    ("raises_risk", "raises the risk", "augmente le risque"),
    ("lowers_risk", "lowers the risk", "diminue le risque"),
    ("feature", "Feature", "Variable"),
    ("value", "Value", "Valeur"),
    ("effect", "Effect", "Effet"),
    ("contribution", "Contribution (log-odds)", "Contribution (log-odds)"),
    ("missing", "missing", "manquant"),
    ("bars_title", "Contributions of the main factors; red raises the risk, green lowers it", "Contributions des principaux facteurs ; le rouge augmente le risque, le vert le diminue"),
    ("chart_data", "Chart data", "Données du graphique"),
    ("reasons_title", "Reasons in plain words", "Les raisons en clair"),
    ("reason_raises", "raises the risk of default", "augmente le risque de défaut"),
    ("no_reasons", "No factor raises the risk.", "Aucun facteur n'augmente le risque."),
    ("compare", "Compare with other clients", "Comparer avec d'autres clients"),
    ("whatif", "What if…", "Et si…"),
    ("histogram_title", "Distribution of the feature", "Distribution de la variable"),
    ("filter", "Filter the population", "Filtrer la population"),
    ("filter_feature", "Filter feature", "Variable du filtre"),
    ("filter_op", "Operator", "Opérateur"),
    ("filter_value", "Filter value", "Valeur du filtre"),
    ("no_filter", "(no filter)", "(aucun filtre)"),
    ("client_value", "This client's value", "Valeur de ce client"),
    ("percentile", "Percentile", "Centile"),
    ("population", "Population", "Population"),
    ("missing_count", "Missing values", "Valeurs manquantes"),
    ("bin", "Interval", "Intervalle"),
    ("count", "Clients", "Clients"),
    ("similar_title", "Similar clients", "Clients similaires"),
    ("distance", "Distance", "Distance"),
    ("scatter_title", "Two features, coloured by decision", "Deux variables, colorées par décision"),
    ("x_feature", "Horizontal axis", "Axe horizontal"),
    ("y_feature", "Vertical axis", "Axe vertical"),
    ("shown_of", "clients shown out of", "clients affichés sur"),
    ("scatter_legend", "Green: accepted under every strategy; amber: the decision depends on the strategy; red: refused under every strategy.", "Vert : accepté quelle que soit la stratégie ; ambre : la décision dépend de la stratégie ; rouge : refusé quelle que soit la stratégie."),
    ("whatif_title", "What if the application changed?", "Et si la demande changeait ?"),
    ("whatif_help", "The client's application as it stands. Change a few fields and score again: every feature built from them (the ratios of income, credit and annuity...) is computed again; the credit history stays as it is. A field left empty is unknown.", "La demande du client telle qu'elle est. Modifiez quelques champs et recalculez : toutes les variables qui en dérivent (rapports entre revenu, crédit et annuité…) sont recalculées ; l'historique de crédit reste tel quel. Un champ laissé vide est inconnu."),
    ("changed_title", "What the change moved", "Ce que la modification a changé"),
    ("changed_help", "The model's features whose value changed, recomputed from the application", "Les variables du modèle dont la valeur a changé, recalculées à partir de la demande"),
    ("nothing_changed", "No feature changed.", "Aucune variable n'a changé."),
    ("rescore", "Score again", "Recalculer"),
    ("before", "Before", "Avant"),
    ("after", "After", "Après"),
    ("result", "Result", "Résultat"),
    ("new_title", "New applicant", "Nouveau demandeur"),
    ("new_help", "Fill in the application as the applicant gave it; a field left empty is unknown. Ages and durations are in years, amounts in the loan's currency.", "Remplissez la demande telle que le demandeur l'a donnée ; un champ laissé vide est inconnu. Les âges et durées sont en années, les montants dans la devise du prêt."),
    ("not_given", "(not given)", "(non renseigné)"),
    ("group_loan", "The loan", "Le prêt"),
    ("group_applicant", "The applicant", "Le demandeur"),
    ("group_income", "Income and employment", "Revenus et emploi"),
    ("group_housing", "Housing and family", "Logement et famille"),
    ("group_scores", "External credit scores", "Scores de crédit externes"),
    ("group_documents", "Documents, contact and address flags", "Documents, contacts et adresses"),
    ("group_other", "Other fields of the application", "Autres champs de la demande"),
    ("history", "Credit history (optional)", "Historique de crédit (facultatif)"),
    ("history_help", "A few of the applicant's credits at the Credit Bureau and previous applications with us; rows left empty are ignored.", "Quelques crédits du demandeur au bureau de crédit et ses demandes précédentes chez nous ; les lignes laissées vides sont ignorées."),
    ("bureau_credit", "Credit Bureau credit", "Crédit au bureau de crédit"),
    ("previous_application", "Previous application", "Demande précédente"),
    ("col_contract_type", "Kind of loan", "Type de prêt"),
    ("col_credit", "Credit amount", "Montant du crédit"),
    ("col_annuity", "Annuity", "Annuité"),
    ("col_goods", "Price of the goods", "Prix du bien"),
    ("col_suite", "Accompanied by", "Accompagné de"),
    ("col_weekday", "Day of the application", "Jour de la demande"),
    ("col_hour", "Hour of the application (0 to 23)", "Heure de la demande (0 à 23)"),
    ("col_gender", "Gender", "Genre"),
    ("col_age", "Age (years)", "Âge (années)"),
    ("col_education", "Education", "Études"),
    ("col_family_status", "Family status", "Situation familiale"),
    ("col_id_publish", "Identity document issued (years ago)", "Pièce d'identité délivrée (il y a … ans)"),
    ("col_registration", "Registration changed (years ago)", "Changement d'inscription (il y a … ans)"),
    ("col_phone_change", "Phone changed (years ago)", "Changement de téléphone (il y a … ans)"),
    ("col_income", "Annual income", "Revenu annuel"),
    ("col_income_type", "Kind of income", "Type de revenu"),
    ("col_occupation", "Occupation", "Profession"),
    ("col_organization", "Employer's sector", "Secteur de l'employeur"),
    ("col_employed", "In current employment (years; empty if not employed)", "Dans l'emploi actuel (années ; vide si sans emploi)"),
    ("col_children", "Children", "Enfants"),
    ("col_family_members", "Household members", "Membres du foyer"),
    ("col_housing", "Housing", "Logement"),
    ("col_own_realty", "Owns a home (Y/N)", "Propriétaire d'un logement (Y/N)"),
    ("col_own_car", "Owns a car (Y/N)", "Propriétaire d'une voiture (Y/N)"),
    ("col_car_age", "Age of the car (years)", "Âge de la voiture (années)"),
    ("col_region_population", "Population of the region (normalised)", "Population de la région (normalisée)"),
    ("col_region_rating", "Rating of the region (1 to 3)", "Note de la région (1 à 3)"),
    ("col_region_rating_city", "Rating of the region and city (1 to 3)", "Note de la région et de la ville (1 à 3)"),
    ("col_ext_source_1", "External score 1 (0 to 1)", "Score externe 1 (0 à 1)"),
    ("col_ext_source_2", "External score 2 (0 to 1)", "Score externe 2 (0 à 1)"),
    ("col_ext_source_3", "External score 3 (0 to 1)", "Score externe 3 (0 à 1)"),
    ("col_credit_active", "Status of the credit", "Statut du crédit"),
    ("col_credit_type", "Kind of credit", "Type de crédit"),
    ("col_days_credit", "Granted (years ago)", "Accordé (il y a … ans)"),
    ("col_credit_sum", "Credit amount", "Montant du crédit"),
    ("col_credit_debt", "Debt outstanding", "Dette restante"),
    ("col_credit_overdue", "Amount overdue", "Montant en retard"),
    ("col_contract_status", "Outcome of the application", "Issue de la demande"),
    ("col_amt_application", "Amount asked for", "Montant demandé"),
    ("col_days_decision", "Decided (years ago)", "Décidée (il y a … ans)"),
    ("score", "Score", "Calculer le score"),
    ("model_title", "Model", "Modèle"),
    ("version", "Version", "Version"),
    ("aliases", "Aliases", "Alias"),
    ("created", "Published", "Publié"),
    ("code_version", "Code version", "Version du code"),
    ("model_kind", "Kind of model", "Type de modèle"),
    ("evaluation", "Evaluation", "Évaluation"),
    ("metrics", "Metrics", "Mesures"),
    ("metric", "Metric", "Mesure"),
    ("default_strategy", "Default strategy", "Stratégie par défaut"),
    ("acceptance_rate", "Acceptance rate", "Taux d'acceptation"),
    ("cost_per_client", "Cost per client", "Coût par client"),
    ("cost_title", "Business cost per client by threshold, with the strategy thresholds", "Coût métier par client selon le seuil, avec les seuils des stratégies"),
    ("importance_title", "Global importance of the features", "Importance globale des variables"),
    ("mean_abs", "Mean |contribution|", "|Contribution| moyenne"),
    ("model_card", "Model card", "Fiche du modèle"),
    ("strategy_rule", "How the strategies are set", "Choix des stratégies"),
    ("confusion_title", "Decisions on the test clients at each threshold", "Décisions sur les clients de test à chaque seuil"),
    ("cm_tp", "Refused defaulters", "Défaillants refusés"),
    ("cm_fp", "Refused good payers", "Bons payeurs refusés"),
    ("cm_tn", "Accepted good payers", "Bons payeurs acceptés"),
    ("cm_fn", "Accepted defaulters", "Défaillants acceptés"),
    // French sets a (no-break) space before a colon.
    ("colon", ": ", "\u{a0}: "),
    ("calibration_title", "Calibration", "Calibration"),
    ("calibration_desc", "Observed default rate against the predicted probability, per group of test clients; the dashed diagonal is a perfectly calibrated model", "Taux de défaut observé selon la probabilité prédite, par groupe de clients de test ; la diagonale en pointillés est un modèle parfaitement calibré"),
    ("predicted", "Predicted", "Prédit"),
    ("observed", "Observed", "Observé"),
    ("calibration_error", "Calibration error (ECE), before → after calibration", "Erreur de calibration (ECE), avant → après calibration"),
    ("candidates_title", "Models trained in the same run", "Modèles entraînés lors du même essai"),
    ("published", "Published", "Publié"),
    ("yes", "yes", "oui"),
    ("no", "no", "non"),
    ("versions_title", "Published versions", "Versions publiées"),
    ("live", "live", "en production"),
    ("no_report", "No report was published with this model.", "Aucun rapport n'a été publié avec ce modèle."),
    ("backtest_title", "Backtest: how its decisions turned out", "Backtest : ce que ses décisions sont devenues"),
    ("backtest_intro", "Decisions of this version joined with the outcomes observed later", "Décisions de cette version rapprochées des issues observées ensuite"),
    ("backtest_clients", "clients", "clients"),
    ("backtest_defaulted", "defaulted", "en défaut"),
    ("backtest_period", "Decisions from", "Décisions du"),
    ("backtest_to", "to", "au"),
    ("backtest_computed", "computed on", "calculé le"),
    ("backtest_rule", "Which decisions count", "Décisions retenues"),
    ("backtest_from_registry", "Thresholds: those the registry publishes for this version.", "Seuils : ceux que le registre publie pour cette version."),
    ("backtest_from_audit", "Thresholds: those the audit log shows this version deciding at.", "Seuils : ceux auxquels le journal d'audit montre cette version décider."),
    ("backtest_auc", "Realized ROC AUC", "ROC AUC réalisée"),
    ("backtest_accepted", "Accepted", "Acceptés"),
    ("backtest_default_rate", "Default rate among accepted", "Taux de défaut des acceptés"),
    ("backtest_none_accepted", "none accepted", "aucun accepté"),
    ("backtest_cost", "Realized cost per client", "Coût réalisé par client"),
    ("backtest_cost_basis", "A repaid loan earns, a default loses (share of the credit)", "Un prêt remboursé rapporte, un défaut coûte (part du crédit)"),
    ("backtest_intervals", "Brackets: 95 % intervals (bootstrap; Wilson for default rates).", "Entre crochets : intervalles à 95 % (bootstrap ; Wilson pour les taux de défaut)."),
    ("backtest_calibration", "Realized calibration", "Calibration réalisée"),
    ("fairness_title", "Fairness by group", "Équité par groupe"),
    ("fairness_intro", "On the test split: each group's acceptance rate at every strategy and its ratio to the most favoured group (the four-fifths rule flags a ratio below 0.8), the default rate among the accepted, the mean predicted default probability against the observed default rate, and the ROC AUC within the group. Brackets: 95 % bootstrap intervals.", "Sur l'échantillon de test : le taux d'acceptation de chaque groupe pour chaque stratégie et son rapport à celui du groupe le plus favorisé (la règle des quatre cinquièmes signale un rapport inférieur à 0,8), le taux de défaut des acceptés, la probabilité de défaut moyenne prédite face au taux de défaut observé, et la ROC AUC au sein du groupe. Entre crochets : intervalles bootstrap à 95 %."),
    ("fairness_method", "How it was measured", "Méthode de mesure"),
    ("fairness_excluded", "Source columns excluded from the model's inputs", "Colonnes sources exclues des entrées du modèle"),
    ("fairness_none_excluded", "none", "aucune"),
    ("fairness_gender", "Gender", "Sexe"),
    ("fairness_age_band", "Age band (years)", "Tranche d'âge (années)"),
    ("fairness_by", "By", "Par"),
    ("fairness_group", "Group", "Groupe"),
    ("fairness_clients", "Test clients", "Clients de test"),
    ("fairness_mean_pd", "Mean predicted PD", "PD moyenne prédite"),
    ("fairness_observed", "Observed default rate", "Taux de défaut observé"),
    ("fairness_ratio", "Ratio to the most favoured group", "Rapport au groupe le plus favorisé"),
    ("fairness_flagged", "below four fifths", "sous les quatre cinquièmes"),
    ("fairness_reference", "reference group", "groupe de référence"),
    ("fairness_unknown", "unknown", "inconnu"),
    ("fairness_one_class", "one class only", "une seule classe"),
    ("fairness_effect_title", "Effect of excluding gender", "Effet de l'exclusion du sexe"),
    ("fairness_model", "Model", "Modèle"),
    ("fairness_published", "Published model", "Modèle publié"),
    ("fairness_without", "Without gender", "Sans le sexe"),
    ("fairness_difference", "Difference", "Différence"),
    ("fairness_cost_normal", "Cost per client at the normal threshold", "Coût par client au seuil normal"),
    ("back", "Back to the clients", "Retour aux clients"),
    ("err_unavailable_title", "Scoring service unavailable", "Service de scoring indisponible"),
    ("err_unavailable", "The scoring service cannot be reached right now. Please try again in a few minutes.", "Le service de scoring est injoignable pour le moment. Réessayez dans quelques minutes."),
    ("err_not_found_title", "Not found", "Introuvable"),
    ("err_not_found", "No client, model or feature matches this request.", "Aucun client, modèle ni variable ne correspond à cette demande."),
    ("err_bad_input_title", "Invalid input", "Saisie invalide"),
    ("err_bad_input", "Please check this field:", "Vérifiez ce champ :"),
    ("err_refused", "The scoring service refused these values. Please check them.", "Le service de scoring a refusé ces valeurs. Vérifiez-les."),
    ("err_forbidden_title", "Forbidden", "Interdit"),
    ("err_forbidden", "This form has expired or did not come from this site. Go back, reload the page and try again.", "Ce formulaire a expiré ou ne vient pas de ce site. Revenez en arrière, rechargez la page et réessayez."),
    ("err_internal_title", "Something went wrong", "Une erreur est survenue"),
    ("err_internal", "An unexpected error occurred. It has been logged.", "Une erreur inattendue est survenue. Elle a été journalisée."),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_string_has_both_languages_and_keys_are_unique() {
        let mut keys = std::collections::HashSet::new();
        for (key, en, fr) in all_strings() {
            assert!(
                !en.is_empty() && !fr.is_empty(),
                "{key} lacks a translation"
            );
            assert!(keys.insert(key), "{key} twice");
        }
    }

    #[test]
    fn accept_language_picks_the_highest_quality() {
        assert_eq!(
            Lang::from_accept_language("fr-FR,fr;q=0.9,en;q=0.8"),
            Some(Lang::Fr)
        );
        assert_eq!(
            Lang::from_accept_language("de;q=1,en;q=0.5,fr;q=0.7"),
            Some(Lang::Fr)
        );
        assert_eq!(Lang::from_accept_language("de"), None);
    }

    #[test]
    fn unknown_key_is_visible_not_a_panic() {
        assert_eq!(Lang::Fr.tr("no_such_key"), "???");
        assert_eq!(Lang::Fr.tr("sign_in"), "Se connecter");
    }
}
