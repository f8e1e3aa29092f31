//! The page templates, embedded in the binary at compile time and rendered
//! with minijinja (auto-escaping on for `.html`).

use std::sync::LazyLock;

use minijinja::{Environment, State, Value};

use crate::i18n::Lang;
use crate::numbers;

/// (name, source) of every template under `gateway/templates/`.
const TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("../templates/base.html")),
    ("macros.html", include_str!("../templates/macros.html")),
    ("signin.html", include_str!("../templates/signin.html")),
    ("clients.html", include_str!("../templates/clients.html")),
    ("client.html", include_str!("../templates/client.html")),
    ("compare.html", include_str!("../templates/compare.html")),
    ("whatif.html", include_str!("../templates/whatif.html")),
    (
        "applicant.html",
        include_str!("../templates/applicant.html"),
    ),
    ("model.html", include_str!("../templates/model.html")),
    (
        "monitoring.html",
        include_str!("../templates/monitoring.html"),
    ),
    ("error.html", include_str!("../templates/error.html")),
];

static ENV: LazyLock<Environment<'static>> = LazyLock::new(|| {
    let mut env = Environment::new();
    env.add_filter("num", num);
    for (name, source) in TEMPLATES {
        // A syntax error is caught by the test below; at run time the broken
        // template is simply absent and its render fails with an error.
        if let Err(e) = env.add_template(name, source) {
            tracing::error!(template = name, error = %e, "template does not compile");
        }
    }
    env
});

/// `{{ value | num }}`: a number, or a number formatted as text, written
/// the way the page's language (`lang` in the context) writes numbers.
fn num(state: &State, value: Value) -> String {
    let lang = state
        .lookup("lang")
        .and_then(|code| code.as_str().and_then(Lang::parse))
        .unwrap_or(Lang::En);
    numbers::localize(&value.to_string(), lang)
}

/// Renders template `name` with `ctx`.
pub fn render(name: &str, ctx: minijinja::Value) -> Result<String, minijinja::Error> {
    ENV.get_template(name)?.render(ctx)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_template_compiles() {
        let mut env = Environment::new();
        env.add_filter("num", num);
        for (name, source) in TEMPLATES {
            env.add_template(name, source)
                .unwrap_or_else(|e| panic!("{name}: {e:#}"));
        }
    }
}
