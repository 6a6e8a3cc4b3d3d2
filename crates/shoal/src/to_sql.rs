//! [`DataFrame::to_sql`]: any DataFrame as SQL text that shoal runs to the same rows.

use shoal_common::Result;

use crate::DataFrame;

impl DataFrame {
    /// The DataFrame's query as SQL text (of the plan as built, before optimization) that
    /// shoal parses and runs to the same rows. Registered tables are referred to by name, so
    /// the SQL runs in a session that has the same tables.
    ///
    /// ```
    /// let session = shoal::Session::new();
    /// let df = session.sql("SELECT 1 + 1 AS two").unwrap();
    /// let sql = df.to_sql().unwrap();
    /// let again = session.sql(&sql).unwrap().collect().unwrap();
    /// assert_eq!(again, df.collect().unwrap());
    /// ```
    pub fn to_sql(&self) -> Result<String> {
        shoal_sql::unparser::plan_to_sql(self.logical_plan())
    }
}
