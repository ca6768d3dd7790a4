"""Storage: tables, engine and sessions, SQL helpers and migrations. No business rules live here."""
