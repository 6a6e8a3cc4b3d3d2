//! [`Catalog`]: the tables and views registered in a session, by case-insensitive name.

use std::collections::BTreeMap;
use std::sync::Arc;

use shoal_common::{plan_err, Result};
use shoal_expr::{LogicalPlan, TableSource};

/// Tables and views of one session. Names are matched case-insensitively.
#[derive(Default)]
pub(crate) struct Catalog {
    tables: BTreeMap<String, (String, Arc<dyn TableSource>)>,
    views: BTreeMap<String, (String, LogicalPlan)>,
}

impl Catalog {
    pub fn register_table(&mut self, name: &str, source: Arc<dyn TableSource>) {
        self.views.remove(&name.to_lowercase());
        self.tables.insert(name.to_lowercase(), (name.to_string(), source));
    }

    pub fn register_view(&mut self, name: &str, plan: LogicalPlan, or_replace: bool) -> Result<()> {
        let key = name.to_lowercase();
        if !or_replace && (self.views.contains_key(&key) || self.tables.contains_key(&key)) {
            return plan_err!("a table or view named '{name}' already exists (use CREATE OR REPLACE VIEW)");
        }
        self.tables.remove(&key);
        self.views.insert(key, (name.to_string(), plan));
        Ok(())
    }

    pub fn drop_view(&mut self, name: &str, if_exists: bool) -> Result<()> {
        if self.views.remove(&name.to_lowercase()).is_none() && !if_exists {
            return plan_err!("view '{name}' does not exist");
        }
        Ok(())
    }

    pub fn drop_table(&mut self, name: &str, if_exists: bool) -> Result<()> {
        if self.tables.remove(&name.to_lowercase()).is_none() && !if_exists {
            return plan_err!("table '{name}' does not exist");
        }
        Ok(())
    }

    /// True when a table or a view is called `name`.
    pub fn contains(&self, name: &str) -> bool {
        let key = name.to_lowercase();
        self.tables.contains_key(&key) || self.views.contains_key(&key)
    }

    pub fn table(&self, name: &str) -> Option<Arc<dyn TableSource>> {
        self.tables.get(&name.to_lowercase()).map(|(_, t)| Arc::clone(t))
    }

    pub fn view(&self, name: &str) -> Option<LogicalPlan> {
        self.views.get(&name.to_lowercase()).map(|(_, p)| p.clone())
    }

    /// Every table and view name, as registered.
    pub fn names(&self) -> Vec<String> {
        self.entries().into_iter().map(|(n, _)| n).collect()
    }

    /// `(name, "table" | "view")`, sorted by name.
    pub fn entries(&self) -> Vec<(String, String)> {
        let mut v: Vec<(String, String)> = self
            .tables
            .values()
            .map(|(n, _)| (n.clone(), "table".to_string()))
            .chain(self.views.values().map(|(n, _)| (n.clone(), "view".to_string())))
            .collect();
        v.sort();
        v
    }
}
