//! The accessibility check of every page the browser tests visit: axe-core
//! (the npm package, found by `prerequisite::axe_core`) is injected into
//! the page and run there, and no violation of impact `serious` or
//! `critical` is allowed; a failure lists each one's rule, impact and
//! target nodes.

use headless_chrome::Tab;
use test_support::prerequisite;

/// Runs axe on the whole document and returns the serious and critical
/// violations, one line per violation and one indented line per node.
const RUN: &str = r#"axe.run(document, { resultTypes: ['violations'] }).then(result => result.violations
  .filter(v => v.impact === 'serious' || v.impact === 'critical')
  .map(v => `${v.id} (${v.impact}): ${v.help}\n` +
    v.nodes.map(n => `    ${n.target.join(' ')}: ${n.failureSummary || ''}`.replace(/\n/g, ' ')).join('\n'))
  .join('\n'))"#;

/// axe-core's rules, read once.
pub(crate) struct Axe {
    source: String,
}

impl Axe {
    /// The rules, or `None` when axe-core is not installed (the test is
    /// then skipped, or fails under `CI=true`).
    pub(crate) fn load() -> Option<Self> {
        let path = prerequisite::axe_core()?;
        let source = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
        Some(Self { source })
    }

    /// Runs axe in the page `tab` shows (`page` names it in the failure):
    /// panics listing every serious or critical violation.
    pub(crate) fn assert_accessible(&self, tab: &Tab, page: &str) {
        let loaded = tab
            .evaluate("typeof window.axe", false)
            .expect("asking for axe")
            .value;
        if loaded.as_ref().and_then(|v| v.as_str()) != Some("object") {
            tab.evaluate(&self.source, false)
                .expect("injecting axe-core");
        }
        let found = tab.evaluate(RUN, true).expect("running axe");
        let violations = found
            .value
            .as_ref()
            .and_then(|v| v.as_str())
            .unwrap_or_else(|| panic!("axe did not answer on {page}: {found:?}"));
        assert!(
            violations.is_empty(),
            "axe-core: serious or critical violations on {page} ({}):\n{violations}",
            tab.get_url()
        );
        println!("axe-core: no serious or critical violation on {page}");
    }
}
