-- The sessions table of sequelize-session-store, for PostgreSQL. Safe to run again.
-- Written by `sequelize-session-store sql --dialect postgres`; regenerate it rather than edit it.

CREATE TABLE IF NOT EXISTS "Sessions" ("sid" VARCHAR(255) NOT NULL , "expires" TIMESTAMP WITH TIME ZONE, "data" TEXT, "createdAt" TIMESTAMP WITH TIME ZONE NOT NULL, "updatedAt" TIMESTAMP WITH TIME ZONE NOT NULL, PRIMARY KEY ("sid"));

CREATE INDEX IF NOT EXISTS "Sessions_expires" ON "Sessions" ("expires");
